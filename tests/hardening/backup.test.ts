import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { buildApp } from '../../src/app.js';
import { backupDatabase } from '../../src/cli/backup.js';
import { consistencyProblems, integrityCheck } from './consistency.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

describe('online backup', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await buildTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-backup-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function post(i: number) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ message: `Vi vill exportera maskiner till Norge, fråga ${i}. Behöver vi finansiering?` }) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string; reference: string; statusUrl: string }>();
  }

  function eventsOf(sqlite: import('better-sqlite3').Database, id: string) {
    return (sqlite.prepare('SELECT type, at, data FROM inquiry_events WHERE inquiry_id = ? ORDER BY id').all(id) as { type: string }[]);
  }

  it('takes a consistent copy while the service writes, and the copy holds the same inquiries and events', async () => {
    const before = [];
    for (let i = 0; i < 40; i++) before.push(await post(i));

    const target = path.join(dir, 'backup.db');
    // The backup runs on its own connection in steps; the service keeps taking inquiries meanwhile.
    const [result, during] = await Promise.all([
      backupDatabase(t.config.DATABASE_PATH, target),
      Promise.all(Array.from({ length: 20 }, (_, i) => post(100 + i))),
    ]);
    expect(result.bytes).toBeGreaterThan(0);
    expect(fs.existsSync(`${target}.partial`)).toBe(false);

    const copy = openDatabase(target);
    try {
      const sqlite = copy.$client;
      expect(integrityCheck(sqlite)).toEqual(['ok']);
      expect(consistencyProblems(sqlite)).toEqual([]);
      for (const created of before) {
        const row = sqlite.prepare('SELECT id, reference, message FROM inquiries WHERE id = ?').get(created.id) as { reference: string } | undefined;
        expect(row?.reference).toBe(created.reference);
        expect(eventsOf(sqlite, created.id)).toEqual(eventsOf(t.db.$client, created.id));
      }
      // Inquiries written during the backup are in it completely or not at all.
      for (const created of during) {
        const there = sqlite.prepare('SELECT 1 FROM inquiries WHERE id = ?').get(created.id);
        if (there) expect(eventsOf(sqlite, created.id)).toEqual(eventsOf(t.db.$client, created.id));
        else expect(eventsOf(sqlite, created.id)).toEqual([]);
      }
      const counts = (db: import('better-sqlite3').Database) => db.prepare('SELECT (SELECT count(*) FROM inquiries) AS inquiries, (SELECT count(*) FROM inquiry_events) AS events').get() as { inquiries: number; events: number };
      expect(counts(sqlite).inquiries).toBeGreaterThanOrEqual(before.length);
      expect(counts(sqlite).inquiries).toBeLessThanOrEqual(counts(t.db.$client).inquiries);
    } finally {
      copy.$client.close();
    }
  });

  it('restores: a service started on the backup file finds the inquiries through the API', async () => {
    const created = await post(999);
    const target = path.join(dir, 'restore-me.db');
    await backupDatabase(t.config.DATABASE_PATH, target);
    const restored = await buildTestApp();
    try {
      // Restore as the README says: stop, copy the backup over DATABASE_PATH, drop stale -wal/-shm, start.
      await restored.app.close();
      restored.db.$client.close();
      fs.copyFileSync(target, restored.config.DATABASE_PATH);
      fs.rmSync(`${restored.config.DATABASE_PATH}-wal`, { force: true });
      fs.rmSync(`${restored.config.DATABASE_PATH}-shm`, { force: true });
      const reopened = openDatabase(restored.config.DATABASE_PATH);
      migrateDatabase(reopened);
      const app = await buildApp({ config: restored.config, db: reopened });
      try {
        const status = await app.inject({ method: 'GET', url: new URL(created.statusUrl).pathname });
        expect(status.statusCode, status.body).toBe(200);
        expect(status.json<{ reference: string }>().reference).toBe(created.reference);
        const row = reopened.$client.prepare('SELECT reference FROM inquiries WHERE id = ?').get(created.id) as { reference: string } | undefined;
        expect(row?.reference).toBe(created.reference);
        expect(eventsOf(reopened.$client, created.id).map((e) => e.type)).toEqual(eventsOf(t.db.$client, created.id).map((e) => e.type));
        expect(integrityCheck(reopened.$client)).toEqual(['ok']);
      } finally {
        await app.close();
        reopened.$client.close();
      }
    } finally {
      fs.rmSync(path.dirname(restored.config.DATABASE_PATH), { recursive: true, force: true });
    }
  });

  it('runs as a command on DATABASE_PATH', async () => {
    const target = path.join(dir, 'cli.db');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', target], {
      cwd: ROOT, env: { ...process.env, DATABASE_PATH: t.config.DATABASE_PATH },
    });
    expect(stdout).toContain('Backed up');
    const copy = openDatabase(target);
    try {
      expect(integrityCheck(copy.$client)).toEqual(['ok']);
      const n = copy.$client.prepare('SELECT count(*) AS n FROM inquiries').get() as { n: number };
      expect(n.n).toBeGreaterThan(40);
    } finally {
      copy.$client.close();
    }
  });
});
