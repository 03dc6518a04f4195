/**
 * Provenance of tests/fixtures/stats-v1/: a database as the service left it before the statistics became a
 * TypeScript projection (commit 9608721: case_facts and the compliance_daily* aggregates kept by SQL triggers,
 * the company key in the database), and what GET /v1/stats/compliance answered on it then.
 *
 * It ran once, on that commit: `npx tsx scripts/make-stats-v1-fixture.ts`. It does not run on later code (the
 * API it drives has changed since: referrals need a kind, feedback asks two questions); it is kept so that a
 * reader can see exactly how the fixture was made. tests/stats/migration.test.ts opens a copy of the database
 * with the current code (migrations and the projection's rebuild) and expects the same figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';

const OUT = path.resolve('tests/fixtures/stats-v1');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-v1-'));
const config = testConfig({ DATABASE_PATH: path.join(dir, 'v1.db'), PUBLIC_BASE_URL: 'https://exportcenter.example' });
const db = openDatabase(config.DATABASE_PATH);
migrateDatabase(db);
let now = Date.parse('2026-11-02T08:00:00Z'); // Monday 09:00 Stockholm
const clock = () => now;
const HOUR = 3_600_000;
const app = await buildApp({ config, db, clock });
await app.ready();

const key = (spec: Parameters<typeof app.apiKeys.create>[0]) => app.apiKeys.create(spec, 'fixture').token;
const admin = key({ role: 'admin', label: 'admin' });
const analyst = key({ role: 'analyst', label: 'analyst' });
const almi = key({ role: 'caseworker', label: 'Almi', actorId: 'almi' });
const bs = key({ role: 'caseworker', label: 'Business Sweden', actorId: 'business-sweden' });
const een = key({ role: 'caseworker', label: 'EEN', actorId: 'een' });
const coord = key({ role: 'coordinator', label: 'Region', allCounties: true });

async function call(method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method, url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}

// The hand-computed data set of tests/stats/compliance.test.ts, and more history through the import.
const FIXED = [
  { externalId: 'A', receivedAt: '2026-03-27T15:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-03-30T14:00:00+02:00' },
  { externalId: 'B', receivedAt: '2026-03-28T10:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'markets-abroad', orgNumber: '556016-0680', referrals: 1, firstContactAt: '2026-03-31T11:00:00+02:00', firstContactActor: 'business-sweden' },
  { externalId: 'C', receivedAt: '2026-03-30T09:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793' },
  { externalId: 'H', receivedAt: '2026-04-01T00:30:00+02:00', county: 'Skåne', actor: 'almi', topic: 'loans-growth-finance', firstContactAt: '2026-04-01T09:30:00+02:00' },
  { externalId: 'D', receivedAt: '2026-10-23T12:00:00+02:00', county: 'SE-AB', actor: 'business-sweden', topic: 'markets-abroad', orgNumber: '556703-7485', firstContactAt: '2026-10-26T11:30:00+01:00', closedAt: '2026-10-27T10:00:00+01:00', outcome: 'helped', feedback: 'yes' },
  { externalId: 'E', receivedAt: '2026-10-26T00:30:00+01:00', county: 'SE-AB', actor: 'business-sweden', topic: 'markets-abroad', orgNumber: '556074-7569', triaged: true, firstContactAt: '2026-10-26T12:00:00+01:00', closedAt: '2026-10-28T10:00:00+01:00', feedback: 'no' },
  { externalId: 'G', receivedAt: '2026-10-30T10:00:00+01:00', county: 'SE-AB', actor: 'business-sweden', closedAt: '2026-10-30T12:00:00+01:00', outcome: 'withdrawn' },
  { externalId: 'L', receivedAt: '2026-09-01T10:00:00+02:00', county: 'SE-AB', actor: 'business-sweden', closedAt: '2026-09-10T12:00:00+02:00', outcome: 'no answer' },
  { externalId: 'M1', receivedAt: '2026-06-03T10:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-06-03T12:00:00+02:00' },
  { externalId: 'M2', receivedAt: '2026-06-03T11:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-06-03T12:20:30+02:00' },
  { externalId: 'P1', receivedAt: '2026-05-11T08:15:00+02:00', county: 'SE-O', actor: 'een', topic: 'eu-rules-product-requirements', orgNumber: '121212-1212', firstContactAt: '2026-05-11T16:45:00+02:00', closedAt: '2026-05-20T09:00:00+02:00', outcome: 'helped', feedback: 'partly' },
];
await call('POST', '/v1/admin/import', admin, FIXED.map((l) => JSON.stringify(l)).join('\n'), { 'content-type': 'application/x-ndjson' });

const LOAN = 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.';
async function submit(body: Record<string, unknown>) {
  const res = await call('POST', '/v1/inquiries', null, {
    company: { name: 'Bolaget AB', orgNumber: '556036-0793', employees: 12 },
    contact: { name: 'Anna Andersson', email: 'anna@example.se' }, message: LOAN, county: 'Skåne', consent: true, ...body,
  });
  return res.json() as { id: string; statusUrl: string };
}
const token = (statusUrl: string) => new URL(statusUrl).pathname.split('/').pop()!;

// Live cases in November through intake and the cases API.
const a = await submit({}); // contacted in time by Almi, closed helped, feedback yes
now += 2 * HOUR;
await call('POST', `/v1/cases/${a.id}/first-contact`, almi, { channel: 'phone' });
const b = await submit({ company: { name: 'Handelsbolaget', orgNumber: '556016-0680', employees: 60 } }); // contacted by Almi, then referred on
now += HOUR;
await call('POST', `/v1/cases/${b.id}/first-contact`, almi, { channel: 'email' });
await call('POST', `/v1/cases/${b.id}/refer`, almi, { toActor: 'business-sweden', reason: 'Also wants buyers in Germany' });
now += 3 * HOUR;
await call('POST', `/v1/cases/${b.id}/first-contact`, bs, { channel: 'meeting' });
const c = await submit({ company: { name: 'Greta Personssons Snickeri', orgNumber: '121212-1212' } }); // a sole trader, referred before contact
now += HOUR;
await call('POST', `/v1/cases/${c.id}/refer`, almi, { toActor: 'een', reason: 'CE marking' });
now += 30 * HOUR; // Tuesday 16:00: late
await call('POST', `/v1/cases/${c.id}/first-contact`, een, { channel: 'video' });
const d = await submit({ company: { name: 'Greta Personssons Snickeri', orgNumber: '121212-1212' }, county: 'Halland' }); // the same sole trader, never contacted
const e = await submit({ message: 'Hej', company: { name: 'Okänt AB' } }); // triage, routed by the coordinator, then contacted
now += HOUR;
await call('POST', `/v1/cases/${e.id}/assign`, coord, { actor: 'almi' });
now += HOUR;
await call('POST', `/v1/cases/${e.id}/first-contact`, almi, { channel: 'phone' });
const f = await submit({ message: 'Vi undrar hur momsen fungerar vid export.', company: { name: 'Momsbolaget AB', orgNumber: '556703-7485' } }); // out of scope: triage
now += HOUR;
await call('POST', `/v1/cases/${f.id}/close`, coord, { outcome: 'spam' });
now = Date.parse('2026-11-06T10:00:00Z');
await call('POST', `/v1/cases/${a.id}/close`, almi, { outcome: 'helped' });
await call('POST', `/v1/cases/${b.id}/close`, bs, { outcome: 'helped' });
await call('POST', `/v1/cases/${c.id}/close`, een, { outcome: 'referred-outside' });
now += HOUR;
await call('POST', `/v1/status/${token(a.statusUrl)}/feedback`, null, { answer: 'yes' });
await call('POST', `/v1/status/${token(b.statusUrl)}/feedback`, null, { answer: 'partly', comment: 'Bra' });
await call('POST', `/v1/status/${token(c.statusUrl)}/feedback`, null, { answer: 'no' });
// The sole trader's closed case is erased on request; the open one in Halland keeps its number.
now += HOUR;
await call('POST', `/v1/cases/${c.id}/erase`, admin, { requestReference: 'DNR-1' });
void d;

now = Date.parse('2026-11-25T08:00:00Z');
const queries = [
  'from=2026-01-01&to=2026-12-31',
  'from=2026-01-01&to=2026-12-31&groupBy=county',
  'from=2026-01-01&to=2026-12-31&groupBy=county,month',
  'from=2026-01-01&to=2026-12-31&groupBy=actor,week',
  'from=2026-01-01&to=2026-12-31&groupBy=topic',
  'from=2026-01-01&to=2026-12-31&groupBy=actor,topic',
  'from=2026-01-01&to=2026-12-31&county=SE-M&groupBy=month',
  'from=2026-11-01&to=2026-11-30&actor=almi&groupBy=county',
];
const expected: Record<string, unknown> = { asOf: new Date(now).toISOString() };
for (const q of queries) expected[q] = (await call('GET', `/v1/stats/compliance?${q}`, analyst)).json();

await app.close();
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.close();
fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, 'en-dorr-in-v1.db.gz'), zlib.gzipSync(fs.readFileSync(config.DATABASE_PATH), { level: 9 }));
fs.writeFileSync(path.join(OUT, 'expected-compliance.json'), `${JSON.stringify(expected, null, 2)}\n`);
fs.rmSync(dir, { recursive: true, force: true });
console.log(`wrote ${OUT}`);
