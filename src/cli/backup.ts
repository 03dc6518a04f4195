import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config.js';

/**
 * A consistent online backup of the service's database, taken with `VACUUM INTO` while the service keeps writing
 * (WAL mode: the copy is a snapshot of committed transactions, never a half-written one). VACUUM INTO writes the
 * live rows into a fresh, compact file, so the backup carries no freed pages: personal data erased before the
 * backup is not in it, not even in unused space (a page-by-page copy would carry whatever free pages still held).
 *
 *   npm run cli -- backup <file>        (or: npx tsx src/cli/backup.ts <file>)
 *
 * Restore: stop the service, copy the backup file to DATABASE_PATH, remove DATABASE_PATH-wal and
 * DATABASE_PATH-shm if they are left over, start the service (see README, "Backup and restore").
 */
export interface BackupResult { targetPath: string; pages: number; bytes: number }

export async function backupDatabase(sourcePath: string, targetPath: string): Promise<BackupResult> {
  if (!fs.existsSync(sourcePath)) throw new Error(`No database at ${sourcePath}`);
  const target = path.resolve(targetPath);
  if (target === path.resolve(sourcePath)) throw new Error('The backup must go to another file than the database itself');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Write to a temporary file next to the target and rename it, so a failed backup never leaves a
  // truncated file under the name an operator would restore from.
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const source = new Database(sourcePath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // One read transaction on the source: the service's writes go on meanwhile (they land after the snapshot).
    source.prepare('VACUUM INTO ?').run(partial);
    // Check the copy before it takes the target's name.
    const copy = new Database(partial, { fileMustExist: true });
    let totalPages: number;
    try {
      totalPages = copy.pragma('page_count', { simple: true }) as number;
      const rows = copy.pragma('integrity_check') as { integrity_check: string }[];
      if (rows.length !== 1 || rows[0]!.integrity_check !== 'ok') {
        throw new Error(`The backup failed its integrity check: ${rows.map((r) => r.integrity_check).join('; ')}`);
      }
      // A self-contained file: no -wal to copy along with it.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fs.renameSync(partial, target);
    return { targetPath: target, pages: totalPages, bytes: fs.statSync(target).size };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

/** The command: `backup <file>`, from DATABASE_PATH. Returns the exit code. */
export async function runBackup(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const args = argv[0] === 'backup' ? argv.slice(1) : argv;
  const file = args[0];
  if (!file || args.length > 1) {
    process.stderr.write('Usage: npm run cli -- backup <file>\n');
    return 64; // EX_USAGE
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  const result = await backupDatabase(config.DATABASE_PATH, file);
  out(`Backed up ${config.DATABASE_PATH} to ${result.targetPath} (${result.pages} pages, ${result.bytes} bytes)`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runBackup(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
