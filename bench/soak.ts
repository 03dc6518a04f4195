/**
 * Soak run (issue 6): `npx tsx bench/soak.ts`, or `BENCH_ONLY=soak npm run bench`. SOAK_SECONDS (default 300)
 * sets the duration, SOAK_CONCURRENCY (default 16) the number of clients, SOAK_SERVER=tsx runs the server from
 * source through tsx instead of the compiled build the image runs.
 *
 * The real server in its own process on loopback, on a fresh database file, with production settings
 * (deadline sweeper and retention job running) except rate limits (one load generator is one address).
 * A fixed number of clients send a mix for the whole duration:
 * - 50 % intake: anonymous POST /v1/inquiries, varied messages and counties;
 * - 35 % caseworker polling: GET /v1/cases?updatedSince=… with If-None-Match (several actors' keys), and
 *   from time to time a claim and a first contact on a case found, as a caseworker's system would;
 * - 15 % statistics: GET /v1/stats/compliance for the day or the month, grouped by county, actor or topic.
 * Reports throughput and p50/p99 per kind, errors (anything but the expected answers; must be zero), and the
 * server's memory (RSS and heap from /metrics) at the start, every 30 s, and at the end, with the peak RSS against
 * the goal (under 400 MB, issue 13). Exits 1 on errors.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { startProcess, stopProcess } from './lib.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const PORT = Number(process.env.SOAK_PORT ?? 3107);
const BASE = `http://127.0.0.1:${PORT}`;

type Kind = 'intake' | 'poll' | 'work' | 'stats';

const MESSAGES = [
  'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.',
  'Vi vill börja exportera till Tyskland och behöver hjälp att hitta kunder och distributörer.',
  'Kan vi få en exportkreditgaranti för en affär i Brasilien?',
  'We need advice on customs rules for shipping goods to the UK after Brexit.',
  'Vi söker riskkapital för att växa internationellt, finns det stöd?',
  'Behöver ursprungsintyg och hjälp med dokument för export till Egypten.',
  'Hur finansierar vi en order från en kund i USA, kunden vill betala efter 90 dagar?',
];
const COUNTIES = ['Skåne', 'SE-AB', 'Västra Götaland', 'Halland', 'Jönköping', 'Uppsala', 'Norrbotten', '14'];

/** Keys made on the database before the server starts, as `npm run cli -- api-keys create` would. */
async function prepare(databasePath: string) {
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  const app = await buildApp({ config: testConfig({ DATABASE_PATH: databasePath }), db });
  await app.ready();
  const create = (spec: Parameters<typeof app.apiKeys.create>[0]) => app.apiKeys.create(spec, 'cli').token;
  const keys = {
    caseworkers: ['almi', 'business-sweden', 'een'].map((actorId) => create({ role: 'caseworker', label: `soak ${actorId}`, actorId })),
    analyst: create({ role: 'analyst', label: 'soak analyst' }),
    metrics: create({ role: 'metrics', label: 'soak scraper' }),
  };
  await app.close();
  db.$client.close();
  return keys;
}

async function metric(name: string, token: string): Promise<number> {
  const text = await (await fetch(`${BASE}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/**
 * The server's resident memory split as Linux counts it (/proc/<pid>/status): anonymous (the JS heap, native
 * allocations, SQLite's page cache) and file-backed (the code, and the database pages read through SQLite's memory
 * map, which the kernel can drop at any time). NaN where /proc is not there.
 */
function rssSplit(pid: number | undefined): { anon: number; file: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { anon: NaN, file: NaN };
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function benchSoak(): Promise<{ errors: number; peakRss: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-soak-'));
  const databasePath = path.join(dir, 'soak.db');
  const keys = await prepare(databasePath);
  // The compiled build by default: it is what the image runs (`node dist/server.js`), and tsx's in-process compiler
  // alone holds about 40 MB of the RSS at start (measured: 265 MB through tsx, 222 MB compiled, same database).
  // SOAK_SERVER=tsx runs src/server.ts as `npm start` does.
  const fromSource = process.env.SOAK_SERVER === 'tsx';
  if (!fromSource) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
  console.log(`  server: ${fromSource ? 'src/server.ts through tsx (npm start)' : 'dist/server.js, compiled (npm run build; as in the image)'}`);
  const server = await startProcess(fromSource ? 'src/server.ts' : 'dist/server.js', PORT, {
    DATABASE_PATH: databasePath, NODE_ENV: 'production', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: BASE,
    RESEARCH_PSEUDONYM_SECRET: 'soak-'.repeat(8), // required in production since the research extract (issue 14)
    ORG_KEY_SECRET: 'soak-org-key-'.repeat(4), // required in production since the organisation key left the database (issue 15, point 2)
  });

  const latencies: Record<Kind, number[]> = { intake: [], poll: [], work: [], stats: [] };
  const errors: string[] = [];
  const memory: { at: number; rss: number; heap: number; anon: number; file: number }[] = [];
  const sampleMemory = async (at: number) => {
    const { anon, file } = rssSplit(server.pid);
    try {
      memory.push({ at, rss: await metric('process_resident_memory_bytes', keys.metrics), heap: await metric('nodejs_heap_size_used_bytes', keys.metrics), anon, file });
    } catch (error) {
      // A failed scrape is a finding for the report, not a reason to crash the run (an unhandled rejection would).
      errors.push(`metrics: ${(error as Error).message}`);
    }
  };

  // Each caseworker system's poll position and last ETag.
  const pollers = keys.caseworkers.map((token) => ({ token, since: '2020-01-01T00:00:00Z', etag: '', found: [] as { id: string; version: number }[] }));
  let seq = 0;

  interface Answer { status: number; etag: string | null; json: unknown }

  async function timed(kind: Kind, expected: number[], url: string, init: RequestInit = {}): Promise<Answer | null> {
    const t0 = performance.now();
    try {
      const res = await fetch(`${BASE}${url}`, init);
      const text = await res.text();
      latencies[kind].push(performance.now() - t0);
      if (!expected.includes(res.status)) {
        errors.push(`${kind} ${init.method ?? 'GET'} ${url.split('?')[0]}: ${res.status} ${text.slice(0, 200)}`);
        return null;
      }
      return { status: res.status, etag: res.headers.get('etag'), json: text && res.status !== 304 ? JSON.parse(text) : null };
    } catch (error) {
      errors.push(`${kind} ${url.split('?')[0]}: ${(error as Error).message}`);
      return null;
    }
  }

  async function intake() {
    const i = seq++;
    await timed('intake', [201], '/v1/inquiries', {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `soak-${i}-${process.pid}` },
      body: JSON.stringify({
        company: { name: `Soakbolaget ${i} AB`, orgNumber: '556036-0793', employees: i % 200 },
        contact: { name: 'Soak Testsson', email: `soak${i}@example.se`, phone: '070-123 45 67' },
        county: COUNTIES[i % COUNTIES.length], message: `${MESSAGES[i % MESSAGES.length]} (${i})`, consent: true,
      }),
    });
  }

  async function poll() {
    const p = pollers[seq++ % pollers.length]!;
    const headers: Record<string, string> = { authorization: `Bearer ${p.token}` };
    if (p.etag) headers['if-none-match'] = p.etag;
    const res = await timed('poll', [200, 304], `/v1/cases?updatedSince=${encodeURIComponent(p.since)}&limit=100`, { headers });
    if (!res || res.status === 304) return;
    p.etag = res.etag ?? '';
    const items = (res.json as { items: { id: string; updatedAt: string; version: number; status: string }[] }).items;
    if (items.length > 0) p.since = items[items.length - 1]!.updatedAt;
    p.found.push(...items.filter((c) => c.status === 'assigned').map((c) => ({ id: c.id, version: c.version })));
    if (p.found.length > 200) p.found.splice(0, p.found.length - 200);
  }

  /** A caseworker takes a case it found and records first contact (409/412 when another desk was faster). */
  async function work() {
    const p = pollers[seq++ % pollers.length]!;
    const c = p.found.shift();
    if (!c) return poll();
    const auth = { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' };
    const claimed = await timed('work', [200, 404, 409, 412], `/v1/cases/${c.id}/claim`, { method: 'POST', headers: { authorization: auth.authorization } });
    if (!claimed || claimed.status !== 200) return;
    await timed('work', [200, 409, 412], `/v1/cases/${c.id}/first-contact`, {
      method: 'POST', headers: { ...auth, 'if-match': claimed.etag ?? '*' }, body: JSON.stringify({ channel: 'phone' }),
    });
  }

  async function stats() {
    const i = seq++;
    const groupBy = ['county', 'actor', 'topic', 'county,actor'][i % 4];
    const period = i % 2 === 0 ? 'from=2026-01-01&to=2030-12-31' : `from=${new Date().toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`;
    await timed('stats', [200], `/v1/stats/compliance?${period}&groupBy=${groupBy}`, { headers: { authorization: `Bearer ${keys.analyst}` } });
  }

  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} clients, mix 50 % intake / 35 % polling (some claims and first contacts) / 15 % statistics, on ${BASE}`);
  await sampleMemory(0);
  const start = performance.now();
  const end = start + SECONDS * 1000;
  // Sampled every 5 s for the peak; printed every 30 s.
  let nextSample = 5_000;
  const sampler = setInterval(() => {
    const at = performance.now() - start;
    if (at >= nextSample) { nextSample += 5_000; void sampleMemory(Math.round(nextSample / 1000) - 5); }
  }, 1000);
  let r = 0;
  const client = async () => {
    while (performance.now() < end) {
      const x = (r = (r * 1103515245 + 12345) % 2147483648) / 2147483648;
      if (x < 0.5) await intake();
      else if (x < 0.8) await poll();
      else if (x < 0.85) await work();
      else await stats();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  clearInterval(sampler);
  const elapsed = (performance.now() - start) / 1000;
  await sampleMemory(Math.round(elapsed));
  const dbBytes = fs.statSync(databasePath).size + (fs.existsSync(`${databasePath}-wal`) ? fs.statSync(`${databasePath}-wal`).size : 0);
  await stopProcess(server);
  fs.rmSync(dir, { recursive: true, force: true });

  const total = Object.values(latencies).reduce((n, l) => n + l.length, 0);
  console.log(`soak: ${total} requests in ${elapsed.toFixed(0)} s = ${(total / elapsed).toFixed(0)} req/s; errors ${errors.length}`);
  for (const kind of Object.keys(latencies) as Kind[]) {
    const sorted = [...latencies[kind]].sort((a, b) => a - b);
    console.log(`  ${kind.padEnd(6)} ${String(sorted.length).padStart(8)} requests  ${(sorted.length / elapsed).toFixed(0).padStart(5)} req/s  p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms  max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms`);
  }
  console.log(`  memory (server RSS / heap used / RSS anonymous + file-backed): ${memory.filter((m, i) => m.at % 30 === 0 || i === memory.length - 1).map((m) => `${m.at}s ${mb(m.rss)} / ${mb(m.heap)} / ${mb(m.anon)} + ${mb(m.file)}`).join(', ')}`);
  const peakRss = Math.max(...memory.map((m) => m.rss));
  console.log(`  server RSS: peak ${mb(peakRss)} of the samples, ${mb(memory.at(-1)!.rss)} at the end (goal: under 400 MB)${peakRss < 400 * 1024 * 1024 ? '' : ' NOT MET'}`);
  console.log(`  database file with WAL at the end: ${mb(dbBytes)}`);
  for (const e of errors.slice(0, 10)) console.log(`  error: ${e}`);
  return { errors: errors.length, peakRss };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { errors } = await benchSoak();
  process.exitCode = errors > 0 ? 1 : 0;
}
