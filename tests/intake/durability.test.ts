import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import { caseWorld, LOAN } from '../cases/helpers.js';

/**
 * Commits in the write-ahead log since it was last truncated. Each COMMIT appends frames to the WAL and marks
 * its last frame with the database size (frame header bytes 4..7 non-zero); with synchronous=FULL each such
 * commit is one fsync of the log. Frames left from an earlier log generation carry other salts and are skipped.
 * (File format: https://www.sqlite.org/fileformat.html#the_write_ahead_log.)
 */
function walCommits(databasePath: string): number {
  const wal = fs.readFileSync(`${databasePath}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}

/** Durable by default: an acknowledged inquiry is on disk (fsynced), and a burst pays for that once. */
describe('durability', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('opens the database with synchronous=FULL in WAL mode, so a commit is fsynced before the answer', async () => {
    t = await buildTestApp();
    expect(t.db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.db.$client.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
  });

  it('commits a burst of inquiries arriving together in one transaction (one fsync), each acknowledged only after it', async () => {
    t = await buildTestApp();
    t.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    expect(walCommits(t.config.DATABASE_PATH)).toBe(0);
    const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => t.app.inject({
      method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M', message: `Vi behöver ett lån för en ny maskin (${i}).` }),
    })));
    expect(burst.map((r) => r.statusCode)).toEqual(Array(25).fill(201));
    // Every acknowledged inquiry is in the committed log, with its whole history.
    const stored = t.db.$client.prepare('SELECT COUNT(*) AS n FROM inquiries').get() as { n: number };
    expect(stored.n).toBe(25);
    const events = t.db.$client.prepare("SELECT COUNT(*) AS n FROM inquiry_events WHERE type = 'received'").get() as { n: number };
    expect(events.n).toBe(25);
    // app.inject delivers all 25 in one event-loop turn: one group commit, not 25.
    expect(walCommits(t.config.DATABASE_PATH)).toBe(1);

    // One more inquiry later is its own commit: the log grows by exactly one.
    const single = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) });
    expect(single.statusCode).toBe(201);
    expect(walCommits(t.config.DATABASE_PATH)).toBe(2);
  });

  it('commits case actions arriving together in one transaction (one fsync), a refused one rolled back alone', async () => {
    const w = await caseWorld();
    t = w;
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => w.submit({ county: 'SE-M', message: `${LOAN} (${i})` })));
    // The key's first use is recorded (once a minute, api_keys.last_used_at): done before, so only the actions write below.
    expect((await w.app.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${w.tokens.almi}` } })).statusCode).toBe(200);
    w.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    const claims = await Promise.all([
      ...ids.map((id) => w.post(`/v1/cases/${id}/claim`, w.tokens.almi)),
      w.post(`/v1/cases/${ids[0]}/close`, w.tokens.almi, { outcome: 'spam' }, { 'if-match': '"99"' }), // stale: 412
    ]);
    expect(claims.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 412]);
    // Seven actions in one event-loop turn: one commit, not seven.
    expect(walCommits(w.config.DATABASE_PATH)).toBe(1);
    const claimed = w.db.$client.prepare("SELECT COUNT(*) AS n FROM inquiries WHERE status = 'claimed'").get() as { n: number };
    expect(claimed.n).toBe(6);
    const closed = w.db.$client.prepare("SELECT COUNT(*) AS n FROM inquiry_events WHERE type = 'closed'").get() as { n: number };
    expect(closed.n).toBe(0);
  });
});
