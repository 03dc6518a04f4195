import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Opens the database with the pragmas the service relies on:
 * - WAL, so readers (polling caseworkers, statistics) never block the writer (intake);
 * - synchronous=NORMAL: in WAL mode a committed transaction survives a process crash;
 *   a power loss may lose the last transactions (see README, durability);
 * - foreign keys on, and a busy timeout so a second instance on the same file waits instead of failing;
 * - for the read-heavy statistics and case lists: a 64 MB page cache (the default is 2 MB, smaller than the
 *   compliance aggregates of a busy year, so every query re-read them from the file), reads through a
 *   256 MB memory map (no copy per page), and temporary GROUP BY / ORDER BY b-trees in memory.
 *   The cache and the map grow only as pages are used; the map is address space, not resident memory.
 */
export function openDatabase(filePath: string): Db {
  if (filePath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const sqlite = new Database(filePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 268435456');
  sqlite.pragma('temp_store = MEMORY');
  return drizzle(sqlite, { schema }) as Db;
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
