/**
 * Caseworkers' polling benchmark (issue 3): `npx tsx bench/polling.ts [cases=100000] [runs=2000]`.
 * Stores the cases directly (one prepared statement, one transaction) in a fresh database file,
 * spread over the actors and counties with a year of history, then times through the real app
 * (app.inject: routing, auth, validation, query, serialisation, ETag) what one actor's system does:
 * - a poll with updatedSince that finds the few cases changed in the last hour,
 * - the same poll answered 304 through If-None-Match,
 * - the first page of the default list (newest deadline first) and a page deep in it by cursor.
 * Prints p50/p99 in milliseconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { seededRandom } from './lib.js';

const CASES = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 2_000);
const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-25T08:00:00Z');
const ACTOR = 'almi';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-polling-'));
const config = testConfig({ DATABASE_PATH: path.join(dir, 'bench.db'), STATUS_LINK_SECRET: 'x'.repeat(32) });
const db = openDatabase(config.DATABASE_PATH);
migrateDatabase(db);
const app = await buildApp({ config, db, clock: () => NOW });
await app.ready();

// Deterministic data: the same every run.
const { rand, pick } = seededRandom(7);

const actors = ['almi', 'business-sweden', 'een', 'ekn', 'tillvaxtverket', 'sek', 'chamber-sydsvenska', 'chamber-vastsvenska', 'chamber-stockholm', 'chamber-smaland'];
const counties = (db.$client.prepare('SELECT code FROM counties').all() as { code: string }[]).map((r) => r.code);
const classification = JSON.stringify({
  topics: [{ id: 'loans-growth-finance', name: 'Loans and growth financing', score: 0.6, rawScore: 4.5, matchedWords: ['lan', 'maskin'] }],
  confidence: 0.6, outOfScope: null,
});

const insert = db.$client.prepare(`INSERT INTO inquiries (
  id, reference, received_at, updated_at, version, status, county_code, county_source, company_name, org_number, org_number_is_personal,
  employees, contact_name, contact_email, contact_phone, subject, message, language, deadline_policy, deadline_at,
  assigned_actor_id, first_assigned_actor_id, classification, confidence, alternatives, status_token_hash, first_contact_at, closed_at
) VALUES (?, ?, ?, ?, ?, ?, ?, 'county', ?, NULL, 0, 12, 'Anna Andersson', 'anna@example.se', NULL, NULL, ?, 'sv', 'working-day', ?, ?, ?, ?, 0.6, '[]', ?, ?, ?)`);

const started = performance.now();
db.$client.transaction(() => {
  for (let i = 0; i < CASES; i++) {
    // A year of arrivals; all but the last few dozen changed more than an hour ago.
    const receivedAt = NOW - Math.floor(rand() * 365 * 24 * HOUR) - 2 * HOUR;
    const recent = i >= CASES - 200;
    const updatedAt = recent ? NOW - Math.floor(rand() * HOUR) : Math.min(receivedAt + Math.floor(rand() * 72 * HOUR), NOW - 2 * HOUR);
    const actor = pick(actors);
    const closed = !recent && rand() < 0.9;
    const contacted = closed || rand() < 0.5;
    insert.run(
      randomUUID(), `REC-BENCH-${String(i).padStart(7, '0')}`, receivedAt, updatedAt, 1 + Math.floor(rand() * 5),
      closed ? 'closed' : contacted ? 'contacted' : 'assigned', pick(counties), `Bolag ${i} AB`,
      'Vi behöver ett lån för att köpa en ny maskin.', receivedAt + 24 * HOUR, actor, actor, classification,
      `bench-${i}`, contacted ? receivedAt + Math.floor(rand() * 30 * HOUR) : null, closed ? updatedAt : null,
    );
  }
})();
db.$client.exec('ANALYZE');
const insertSeconds = (performance.now() - started) / 1000;
const actorCases = (db.$client.prepare('SELECT count(*) AS n FROM inquiries WHERE assigned_actor_id = ?').get(ACTOR) as { n: number }).n;
const { token } = app.apiKeys.create({ role: 'caseworker', label: 'bench poller', actorId: ACTOR }, 'bench');
const auth = { authorization: `Bearer ${token}` };

async function time(label: string, request: () => Promise<{ statusCode: number }>, expected: number) {
  for (let i = 0; i < 100; i++) await request(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await request();
    times.push(performance.now() - t0);
    if (res.statusCode !== expected) throw new Error(`${label}: status ${res.statusCode}, expected ${expected}`);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  console.log(`${label}: p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms`);
}

console.log(`\n== Caseworker polling (GET /v1/cases through app.inject), ${CASES.toLocaleString('en')} stored cases, ${actorCases.toLocaleString('en')} of them ${ACTOR}'s ==`);
console.log(`stored ${CASES.toLocaleString('en')} cases in ${insertSeconds.toFixed(1)} s (one transaction, prepared statement)`);
const since = new Date(NOW - HOUR).toISOString();
const pollUrl = `/v1/cases?updatedSince=${encodeURIComponent(since)}`;
const poll = await app.inject({ method: 'GET', url: pollUrl, headers: auth });
const etag = poll.headers.etag as string;
console.log(`a poll for the last hour finds ${poll.json().items.length} changed cases`);
await time(`poll, updatedSince = 1 hour ago (200)`, () => app.inject({ method: 'GET', url: pollUrl, headers: auth }), 200);
await time(`poll, unchanged, If-None-Match (304)`, () => app.inject({ method: 'GET', url: pollUrl, headers: { ...auth, 'if-none-match': etag } }), 304);
await time('default list, first page of 20 (newest deadline first)', () => app.inject({ method: 'GET', url: '/v1/cases', headers: auth }), 200);
// Walk the default list to a deep page (the 101st of 50, or the last one there is) and time that page.
let cursor: string | null = null;
let pages = 1;
for (; pages <= 100; pages++) {
  const page = await app.inject({ method: 'GET', url: `/v1/cases?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers: auth });
  const next = page.json().nextCursor as string | null;
  if (!next) break;
  cursor = next;
}
const deep = `/v1/cases?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
await time(`default list, page ${pages} of 50 by cursor`, () => app.inject({ method: 'GET', url: deep, headers: auth }), 200);

await app.close();
db.$client.close();
if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${config.DATABASE_PATH}`);
