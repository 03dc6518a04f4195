/**
 * Benchmark for issue 4: `npx tsx bench/stats.ts [cases=1000000] [runs=20]`.
 * Imports generated historical cases through the import service (batched transactions, prepared
 * statements) into a fresh database file, reports the import rate, then times the compliance query
 * for one year grouped by county and month, by actor and week, by topic and month, and for one county
 * (p50/p99 over the runs) through the real HTTP route.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { seededRandom } from './lib.js';
import { createImportService } from '../src/import/service.js';
import { openStatsProjection } from '../src/stats/open.js';
import { loadKnowledge } from '../src/classification/knowledge.js';
import { ReferenceService } from '../src/reference/service.js';
import { createReferenceRepository } from '../src/reference/repository.js';
import { Places } from '../src/reference/places.js';
import { seedReferenceData } from '../src/reference/seed.js';

const CASES = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 20);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stats-'));
// PAGES_ENABLED=false measures the API without the pages, to show they add nothing to it.
const config = testConfig({ DATABASE_PATH: path.join(dir, 'bench.db'), STATUS_LINK_SECRET: 'x'.repeat(32), PAGES_ENABLED: process.env.PAGES_ENABLED !== 'false' });
const NOW = Date.parse('2026-12-31T12:00:00Z');
const clock = () => NOW;

const db = openDatabase(config.DATABASE_PATH);
migrateDatabase(db);
const knowledge = loadKnowledge();
seedReferenceData(db, knowledge);
const reference = new ReferenceService(createReferenceRepository(db), new Places(), knowledge);
const counties = reference.places.counties.map((c) => c.code);
const actors = ['almi', 'business-sweden', 'een', 'ekn', 'sek', 'tillvaxtverket'];
const topics = knowledge.topics.map((t) => t.id);

// Deterministic data: the same every run.
const { rand, pick } = seededRandom(42);
const luhnOrg = (n: number) => {
  const body = `556${String(n).padStart(6, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(body[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
};
const YEAR_START = Date.parse('2026-01-01T00:00:00+01:00');
const YEAR_MS = 365 * 86_400_000;
const HOUR = 3_600_000;

function line(i: number): string {
  const receivedAt = YEAR_START + Math.floor(rand() * (YEAR_MS - 2 * 86_400_000));
  const actor = rand() < 0.05 ? null : pick(actors);
  const contacted = rand() < 0.93;
  const firstContactAt = contacted ? receivedAt + Math.floor(rand() * rand() * 72 * HOUR) : null;
  const closed = contacted && rand() < 0.8;
  return JSON.stringify({
    externalId: `bench-${i}`,
    receivedAt: new Date(receivedAt).toISOString(),
    county: pick(counties), actor, topic: pick(topics),
    orgNumber: rand() < 0.9 ? luhnOrg(Math.floor(rand() * 400_000)) : null,
    firstContactAt: firstContactAt === null ? null : new Date(firstContactAt).toISOString(),
    firstContactActor: contacted && rand() < 0.1 ? pick(actors) : undefined,
    referrals: rand() < 0.1 ? 1 : 0,
    triaged: actor === null,
    closedAt: closed ? new Date(firstContactAt! + 2 * 86_400_000).toISOString() : null,
    feedback: closed && rand() < 0.3 ? pick(['yes', 'yes', 'partly', 'no']) : null,
  });
}

const importer = createImportService({
  db, reference, clock, projection: openStatsProjection(db, config).projection, deadlinePolicy: 'working-day', batchSize: 5000,
}).start();
const t0 = performance.now();
for (let i = 0; i < CASES; i++) importer.add(line(i));
const report = importer.finish();
const importSeconds = (performance.now() - t0) / 1000;
if (report.errors[0]) console.log(JSON.stringify(report.errors[0]));
console.log(`import: ${report.imported.toLocaleString('en')} cases in ${importSeconds.toFixed(1)} s = ${Math.round(report.imported / importSeconds).toLocaleString('en')} lines/s (generation included; failed ${report.failed})`);
db.$client.pragma('optimize');

const app = await buildApp({ config, db, clock });
await app.ready();
const token = app.apiKeys.create({ role: 'analyst', label: 'bench' }, 'bench').token;
const QUERIES: [string, string][] = [
  ['one year by county and month', 'from=2026-01-01&to=2026-12-31&groupBy=county,month'],
  ['one year by actor and week', 'from=2026-01-01&to=2026-12-31&groupBy=actor,week'],
  ['one year by topic and month', 'from=2026-01-01&to=2026-12-31&groupBy=topic,month'],
  ['one year, one county, by month', 'from=2026-01-01&to=2026-12-31&county=SE-M&groupBy=month'],
];
for (const [label, query] of QUERIES) {
  const url = `/v1/stats/compliance?${query}`;
  const times: number[] = [];
  let groups = 0;
  for (let r = 0; r < RUNS + 2; r++) {
    const s = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const ms = performance.now() - s;
    if (res.statusCode !== 200) throw new Error(res.body);
    groups = res.json().groups.length;
    if (r >= 2) times.push(ms); // two warm-up runs
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  console.log(`compliance, ${label} (${groups} groups over ${CASES.toLocaleString('en')} cases): p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms (${RUNS} runs)`);
}
await app.close();
db.$client.close();
if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${config.DATABASE_PATH}`);
