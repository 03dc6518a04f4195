/**
 * Benchmark for the statistics (issues 4, 9 and 13): `npx tsx bench/stats.ts [cases=1000000] [runs=20]`.
 * Imports generated historical cases through the import service (batched transactions; the projection writes the
 * cells once per batch) into a fresh database file and reports the import rate. Then, in the same run and on the
 * same data, times one year by county and month three ways and prints them side by side:
 * - a plain GROUP BY over the per-case rows (case_facts): the additive counts and the exact distinct companies
 *   in SQL (it computes less than the service: no percentiles, no benchmark block, no open-in-time split);
 * - the old figure, from the README (before the projection: trigger-maintained daily aggregates with value lists);
 * - the service through its HTTP route (every figure, exact percentiles and companies, the national benchmark).
 * And the other queries of the README's table (p50/p99 over the runs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { seededRandom } from './lib.js';
import { createImportService } from '../src/import/service.js';
import { IMPORT_BATCH } from '../src/import/cli.js';
import { openStatsProjection } from '../src/stats/open.js';
import { createCompactor } from '../src/stats/compaction.js';
import { loadKnowledge } from '../src/classification/knowledge.js';
import { ReferenceService } from '../src/reference/service.js';
import { createReferenceRepository } from '../src/reference/repository.js';
import { Places } from '../src/reference/places.js';
import { seedReferenceData } from '../src/reference/seed.js';

/** The README's figures before the projection (1,000,000 cases, p50 over 20 runs, 2-vCPU machine). */
const BEFORE_MS: Record<string, number> = {
  'one year by county and month': 463, 'one year by actor and ISO week': 476, 'one year by topic and month': 354, 'one year, one county, by month': 33,
};

const CASES = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 20);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stats-'));
// BENCH_DB=<file> keeps the imported database there and, when it already holds the cases, reuses it (the import
// of a million lines takes minutes; the queries are what a re-run usually measures).
const databasePath = process.env.BENCH_DB ?? path.join(dir, 'bench.db');
const reused = process.env.BENCH_DB !== undefined && fs.existsSync(databasePath);
// PAGES_ENABLED=false measures the API without the pages, to show they add nothing to it.
const config = testConfig({
  DATABASE_PATH: databasePath, STATUS_LINK_SECRET: 'x'.repeat(32), ORG_KEY_SECRET: 'bench-org-key-'.repeat(4),
  PAGES_ENABLED: process.env.PAGES_ENABLED !== 'false',
});
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
const outcomes = ['helped', 'helped', 'helped', 'referred-outside', 'no-reply', 'withdrawn'];

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
  const referrals = rand() < 0.1 ? 1 : 0;
  return JSON.stringify({
    externalId: `bench-${i}`,
    receivedAt: new Date(receivedAt).toISOString(),
    county: pick(counties), actor, topic: pick(topics),
    orgNumber: rand() < 0.9 ? luhnOrg(Math.floor(rand() * 400_000)) : null,
    firstContactAt: firstContactAt === null ? null : new Date(firstContactAt).toISOString(),
    firstContactActor: contacted && rand() < 0.1 ? pick(actors) : undefined,
    referrals,
    triaged: actor === null,
    employees: rand() < 0.7 ? Math.floor(rand() * rand() * 400) : undefined,
    closedAt: closed ? new Date(firstContactAt! + 2 * 86_400_000).toISOString() : null,
    outcome: closed ? pick(outcomes) : undefined,
    feedback: closed && rand() < 0.3 ? pick(['yes', 'yes', 'partly', 'no']) : null,
  });
}

const { projection } = openStatsProjection(db, config);
const existing = reused ? db.$client.prepare('SELECT COUNT(*) FROM case_facts').pluck().get() as number : 0;
if (existing !== CASES) {
  if (existing > 0) throw new Error(`BENCH_DB ${databasePath} holds ${existing} cases, not ${CASES}: remove it or ask for that many`);
  const importer = createImportService({ db, reference, clock, projection, deadlinePolicy: 'working-day', batchSize: Number(process.env.BENCH_BATCH ?? IMPORT_BATCH), bulkCacheMb: Number(process.env.IMPORT_CACHE_MB ?? config.IMPORT_CACHE_MB) }).start();
  const t0 = performance.now();
  for (let i = 0; i < CASES; i++) importer.add(line(i));
  const report = importer.finish();
  const importSeconds = (performance.now() - t0) / 1000;
  if (report.errors[0]) console.log(JSON.stringify(report.errors[0]));
  console.log(`import: ${report.imported.toLocaleString('en')} cases in ${importSeconds.toFixed(1)} s = ${Math.round(report.imported / importSeconds).toLocaleString('en')} lines/s (generation included; failed ${report.failed})`);
  const c0 = performance.now();
  const rollups = createCompactor(projection).compact();
  console.log(`compaction: ${rollups} month and week roll-ups made in ${((performance.now() - c0) / 1000).toFixed(1)} s (the service does this in the background)`);
} else {
  console.log(`import: reused ${databasePath} (${existing.toLocaleString('en')} cases, imported by an earlier run)`);
}
const cellCount = db.$client.prepare("SELECT grain, COUNT(*) AS n FROM stats_cells GROUP BY grain").all() as { grain: string; n: number }[];
console.log(`cells: ${cellCount.map((c) => `${c.grain} ${c.n.toLocaleString('en')}`).join(', ')}`);
db.$client.pragma('optimize');

const quantiles = (times: number[]) => {
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { p50: q(0.5), p99: q(0.99), min: times[0]! };
};
let firstRun = 0; // the first run of the last `time`: nothing cached yet (the national benchmark is summed)
const time = async (fn: () => unknown | Promise<unknown>) => {
  const times: number[] = [];
  for (let r = 0; r < RUNS + 2; r++) {
    const s = performance.now();
    await fn();
    if (r === 0) firstRun = performance.now() - s;
    if (r >= 2) times.push(performance.now() - s); // two warm-up runs
  }
  return quantiles(times);
};

// The baseline: what a plain GROUP BY over the case rows costs for the same year by county and month.
const plain = db.$client.prepare(`
  SELECT county_code, substr(local_date, 1, 7) AS month, COUNT(*) AS received,
    SUM(first_contact_at IS NOT NULL AND first_contact_at <= deadline_at) AS contacted_in_time,
    SUM(first_contact_at IS NOT NULL AND first_contact_at > deadline_at) AS contacted_late,
    SUM(first_contact_at IS NULL AND closed_at IS NULL) AS open,
    SUM(first_contact_at IS NULL AND closed_at IS NOT NULL AND closed_at > deadline_at) AS closed_overdue,
    SUM(referrals) AS referrals, SUM(first_contact_at IS NOT NULL AND first_contact_actor_id IS first_actor_id) AS right_first,
    SUM(outcome = 'helped') AS helped, COUNT(DISTINCT company_id) AS companies
  FROM case_facts WHERE local_date BETWEEN '2026-01-01' AND '2026-12-31' AND is_test = 0
  GROUP BY county_code, month`);
let plainGroups = 0;
const plainTimes = await time(() => { plainGroups = plain.all().length; });

const app = await buildApp({ config, db, clock });
await app.ready();
const token = app.apiKeys.create({ role: 'analyst', label: 'bench' }, 'bench').token;
const QUERIES: [string, string, 'cold'?][] = [
  ['one year by county and month', 'from=2026-01-01&to=2026-12-31&groupBy=county,month'],
  ['one year by actor and ISO week', 'from=2026-01-01&to=2026-12-31&groupBy=actor,week'],
  ['one year by topic and month', 'from=2026-01-01&to=2026-12-31&groupBy=topic,month'],
  ['one year, one county, by month', 'from=2026-01-01&to=2026-12-31&county=SE-M&groupBy=month'],
  // A write before every run (as when inquiries keep arriving): the national benchmark is summed again each time.
  ['one year, one county, by month, after a write', 'from=2026-01-01&to=2026-12-31&county=SE-M&groupBy=month', 'cold'],
  ['one year by channel and size band (new dimensions)', 'from=2026-01-01&to=2026-12-31&groupBy=channel,sizeBand'],
  ['one year by actor and size band (no grain: from the facts)', 'from=2026-01-01&to=2026-12-31&groupBy=actor,sizeBand'],
];
const results: Record<string, { p50: number; p99: number; min: number; groups: number }> = {};
// BENCH_FACTS=0 leaves out the per-case fallback (about 19 s a run at a million cases).
db.$client.exec('CREATE TEMP TABLE bench_writes (at INTEGER)');
const write = db.$client.prepare('INSERT INTO bench_writes VALUES (?)');
for (const [label, query, cold] of QUERIES.filter(([label]) => process.env.BENCH_FACTS !== '0' || !label.includes('no grain'))) {
  const url = `/v1/stats/compliance?${query}`;
  let groups = 0;
  const t = await time(async () => {
    if (cold) write.run(Date.now());
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(res.body);
    groups = (JSON.parse(res.body) as { groups: unknown[] }).groups.length;
  });
  results[label] = { ...t, groups };
  const before = BEFORE_MS[label];
  console.log(`compliance, ${label} (${groups} groups over ${CASES.toLocaleString('en')} cases): p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms, min ${t.min.toFixed(1)} ms (${RUNS} runs), first read ${firstRun.toFixed(1)} ms${before ? `; before the projection: p50 ${before} ms` : ''}`);
}

const target = results['one year by county and month']!;
console.log('');
console.log(`one year by county and month, ${CASES.toLocaleString('en')} cases, p50 (same run, same data):`);
console.log(`  plain GROUP BY over the case rows (counts, distinct companies; ${plainGroups} groups): ${plainTimes.p50.toFixed(1)} ms`);
console.log(`  before the projection (README, not this run):                     ${BEFORE_MS['one year by county and month']} ms`);
console.log(`  the service now, through HTTP (every figure, percentiles, benchmark): ${target.p50.toFixed(1)} ms  = ${(plainTimes.p50 / target.p50).toFixed(1)}x faster than the plain GROUP BY (target: 20x)`);

await app.close();
db.$client.close();
if (!process.env.BENCH_KEEP && !process.env.BENCH_DB) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${config.DATABASE_PATH}`);
