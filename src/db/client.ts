import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.js';
import { PACKAGE_ROOT } from '../shared/package-root.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS_FOLDER = path.join(PACKAGE_ROOT, 'migrations');

/**
 * Opens the database with the pragmas the service relies on:
 * - WAL, so readers (polling caseworkers, statistics) never block the writer (intake);
 * - synchronous=FULL: every COMMIT fsyncs the write-ahead log before it returns, so a transaction that
 *   committed (and an answer sent after it) survives a power loss or OS crash, not only a process crash.
 *   The writes that come in bursts pay that fsync once per burst, not once per request: intake's group
 *   commit (intake/repository.ts) and the outbox dispatcher's cycles (notifications/dispatcher.ts);
 * - foreign keys on, and a busy timeout so a second instance on the same file waits instead of failing;
 * - for the read-heavy statistics and case lists: a 64 MB page cache (the default is 2 MB, smaller than the
 *   compliance aggregates of a busy year, so every query re-read them from the file), reads through a
 *   256 MB memory map (no copy per page), and temporary GROUP BY / ORDER BY b-trees in memory (both sizes
 *   set by SQLITE_CACHE_MB and SQLITE_MMAP_MB). The cache and the map grow only as pages are used. The cache is
 *   the process's own memory; the pages read through the map count in its RSS too, but as file-backed memory
 *   the kernel shares with its file cache and can drop at any time (bench/soak.ts prints the two apart);
 * - secure_delete: deleted and overwritten content is zeroed in the file instead of lingering in free space, so
 *   erased personal data is really gone once the write-ahead log is checkpointed (see truncateWal). It costs
 *   some writing on intake (measured in bench/intake.ts).
 */
export interface DatabaseMemory {
  /** Page cache size in MB (SQLITE_CACHE_MB). */
  cacheMb?: number;
  /** Memory-map size in MB, 0 for none (SQLITE_MMAP_MB). */
  mmapMb?: number;
}

export function openDatabase(filePath: string, { cacheMb = 64, mmapMb = 256 }: DatabaseMemory = {}): Db {
  if (filePath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const sqlite = new Database(filePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma(`cache_size = ${-Math.round(cacheMb * 1024)}`); // negative: in KiB rather than pages
  sqlite.pragma(`mmap_size = ${Math.round(mmapMb * 1024 * 1024)}`);
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('secure_delete = ON');
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * Truncates the write-ahead log to zero bytes (checkpoint TRUNCATE): its earlier frames still hold the values an
 * erasure just overwrote. Never waits: the checkpoint runs with busy_timeout 0, so a reader on another connection
 * (a backup, a second instance) cannot stall the event loop; when it cannot finish now it is tried again a few
 * times later (timers unref'd), and the next erasure or retention run tries again anyway.
 */
export function walTruncator(db: Db, retryAfterMs: readonly number[] = [1_000, 10_000, 60_000]) {
  const client = db.$client;
  let timer: NodeJS.Timeout | null = null;

  function attempt(): boolean {
    if (!client.open || client.memory || client.inTransaction) return !client.open || client.memory;
    const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
    client.pragma('busy_timeout = 0');
    try {
      const [result] = client.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0;
    } catch {
      return false;
    } finally {
      client.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }

  function retry(step: number): void {
    if (timer || step >= retryAfterMs.length) return;
    timer = setTimeout(() => {
      timer = null;
      if (!attempt()) retry(step + 1);
    }, retryAfterMs[step]);
    timer.unref();
  }

  return {
    /** True when the log is now empty; otherwise a retry is scheduled. */
    truncate(): boolean {
      const done = attempt();
      if (!done) retry(0);
      return done;
    },
  };
}

/** Applies the committed migrations in migrations/ (idempotent). */
export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/** True when the database answers a trivial query. */
export function isDatabaseReady(db: Db): boolean {
  try {
    return db.$client.prepare('SELECT 1 AS ok').get() !== undefined;
  } catch {
    return false;
  }
}

export { schema };
