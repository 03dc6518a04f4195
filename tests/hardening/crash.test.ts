import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { inquiry } from '../helpers/app.js';
import { exited, freePort, killAll, spawnService, waitReady } from '../helpers/server.js';
import { consistencyProblems, integrityCheck } from './consistency.js';

/**
 * Durability: the real server under a load generator is killed with SIGKILL, restarted on the same
 * file, and every inquiry acknowledged with 201 must be there with its whole history; no inquiry may
 * be half-written. Loopback only.
 */
const TOTAL = 300;
const CONCURRENCY = 10;
const KILL_AFTER = 150;

const children: ChildProcess[] = [];

/** The service on the crash test's database file, remembered so that afterAll can stop what is left. */
function startServer(port: number, databasePath: string): ChildProcess {
  const child = spawnService(port, { DATABASE_PATH: databasePath });
  children.push(child);
  return child;
}

const MESSAGES = [
  'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.',
  'Vi vill börja exportera till Tyskland och behöver hjälp att hitta kunder.',
  'Kan vi få en exportkreditgaranti för en affär i Brasilien?',
  'We need advice on customs rules for shipping goods to the UK.',
  'Vi söker riskkapital för att växa internationellt, finns det stöd?',
];

describe('crash durability', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-crash-'));
  afterAll(async () => {
    await killAll(children);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps every inquiry acknowledged before a SIGKILL (${TOTAL} posts, ${CONCURRENCY} at a time, kill after ${KILL_AFTER})`, async () => {
    const databasePath = path.join(dir, 'crash.db');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = startServer(port, databasePath);
    await waitReady(base, first);

    const acknowledged: string[] = [];
    let failed = 0;
    let rejected = 0;
    let killed = false;
    let next = 0;
    const worker = async () => {
      while (!killed && next < TOTAL) {
        const i = next++;
        try {
          const res = await fetch(`${base}/v1/inquiries`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify(inquiry({ message: `${MESSAGES[i % MESSAGES.length]} (${i})`, county: 'SE-M' })),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 201) acknowledged.push((await res.json() as { id: string }).id);
          else { rejected += 1; await res.arrayBuffer(); }
        } catch {
          failed += 1; // the connection died with the server: not acknowledged
        }
        if (!killed && acknowledged.length >= KILL_AFTER) {
          killed = true;
          first.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (!killed) first.kill('SIGKILL');
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');

    // Restart on the same file: the server recovers the WAL and serves again.
    const second = startServer(port, databasePath);
    await waitReady(base, second);

    const db = openDatabase(databasePath);
    try {
      const sqlite = db.$client;
      const eventTypes = sqlite.prepare('SELECT type FROM inquiry_events WHERE inquiry_id = ? ORDER BY id');
      const complete = (id: string) => {
        const types = (eventTypes.all(id) as { type: string }[]).map((e) => e.type);
        return types.length === 5 && types[0] === 'received' && types[1] === 'located' && types[2] === 'classified'
          && (types[3] === 'routed' || types[3] === 'sent-to-triage') && types[4] === 'deadline-set';
      };
      const all = (sqlite.prepare('SELECT id FROM inquiries').all() as { id: string }[]).map((r) => r.id);
      const stored = new Set(all);
      const found = acknowledged.filter((id) => stored.has(id) && complete(id));
      const halfWritten = all.filter((id) => !complete(id));
      console.log(`crash: ${acknowledged.length} acknowledged, ${found.length} found complete after restart; ${all.length} stored in all, ${failed} cut off by the kill, ${rejected} non-201 answers, ${halfWritten.length} half-written`);

      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(found).toEqual(acknowledged);
      expect(halfWritten).toEqual([]);
      expect(rejected).toBe(0);
      expect(integrityCheck(sqlite)).toEqual(['ok']);
      expect(consistencyProblems(sqlite)).toEqual([]);
    } finally {
      db.$client.close();
    }

    // And the restarted service takes new inquiries on the recovered file.
    const after = await fetch(`${base}/v1/inquiries`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inquiry()), signal: AbortSignal.timeout(10_000),
    });
    expect(after.status).toBe(201);
    second.kill('SIGTERM');
    await exited(second);
  }, 60_000);
});
