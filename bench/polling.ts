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
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { seedCases, SEED_ACTORS } from './seed-cases.js';

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

const actors = SEED_ACTORS;
const insertSeconds = seedCases(db, CASES, NOW);
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

// Concurrency: POLLERS (default 4) caseworker systems (the ten actors' keys, each with its own If-None-Match as a
// poller keeps it) polling over HTTP at once, back to back for POLL_SECONDS: far more often than a real poller (every
// few seconds), to load the server. The server is this app listening on loopback (it was built before the cases were
// stored, so it starts without re-deriving their statistics facts); the load generator runs in its own process.
const pollers = Number(process.env.POLLERS ?? 4);
const pollSeconds = Number(process.env.POLL_SECONDS ?? 10);
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const pollerKeys = await Promise.all(actors.map(async (actorId) => {
  const key = app.apiKeys.create({ role: 'caseworker', label: `bench poller ${actorId}`, actorId }, 'bench').token;
  const res = await fetch(`${base}${pollUrl}`, { headers: { authorization: `Bearer ${key}` } });
  await res.text();
  return { key, etag: res.headers.get('etag') ?? '' };
}));
const loadOnce = (conditional: boolean) => new Promise<Record<string, number>>((resolve, reject) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/poll-load.ts'], {
    env: { ...process.env, POLL_LOAD: JSON.stringify({ url: `${base}${pollUrl}`, pollers: pollerKeys, connections: pollers, seconds: pollSeconds, conditional }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`poll-load exited with ${code}`))));
});
await loadOnce(false); // warm-up
const rows = { 'poll, updatedSince = 1 hour ago (200)': await loadOnce(false), 'poll, unchanged, If-None-Match (304)': await loadOnce(true) };
console.log(`\n== The same polls over HTTP, ${pollers} pollers at once (${actors.length} actors' keys), ${pollSeconds} s each, load generator in its own process ==`);
console.table(rows);
const worst = Math.max(...Object.values(rows).map((r) => r['p99 ms']!));
console.log(`polling p99 at ${pollers} concurrent pollers among ${CASES.toLocaleString('en')} cases: ${worst} ms (goal: at most 5 ms)`);
await app.close();
db.$client.close();
if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${config.DATABASE_PATH}`);
