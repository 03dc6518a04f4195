/**
 * `npx tsx scripts/query-plans.ts [cases=20000]`: every SQL statement the service prepares while it does its
 * usual work on the case tables, with SQLite's plan for it (EXPLAIN QUERY PLAN), and the indexes on the tables
 * intake writes (each one is paid on every inquiry) with the statements that use them.
 *
 * It seeds cases (bench/seed-cases.ts, then ANALYZE), then through the real app (app.inject): intake with an
 * Idempotency-Key, the status link, caseworkers' polls and lists (updatedSince, default order, deadline order,
 * cursor pages, filters), a coordinator's and the triage queue, case actions, a company-wide erasure lookup,
 * the metrics scrape and the retention job. Statements are captured where better-sqlite3 prepares them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { seedCases } from '../bench/seed-cases.js';

const CASES = Number(process.argv[2] ?? 20_000);
const NOW = Date.parse('2026-11-25T08:00:00Z');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'query-plans-'));
try {
  const config = testConfig({ DATABASE_PATH: path.join(dir, 'plans.db'), STATUS_LINK_SECRET: 'x'.repeat(32) });
  const db = openDatabase(config.DATABASE_PATH);
  migrateDatabase(db);

  // Every statement prepared from here on, in order (drizzle and the repositories both prepare on the client).
  const client = db.$client;
  const captured = new Set<string>();
  let capturing = true;
  const prepare = client.prepare.bind(client);
  client.prepare = ((source: string) => {
    if (capturing) captured.add(source.replace(/\s+/g, ' ').trim());
    return prepare(source);
  }) as typeof client.prepare;

  const app = await buildApp({ config, db, clock: () => NOW });
  await app.ready();
  // The cases, after the app seeded the reference data they point at.
  capturing = false;
  seedCases(db, CASES, NOW);
  capturing = true;
  const key = (spec: Parameters<typeof app.apiKeys.create>[0]) => ({ authorization: `Bearer ${app.apiKeys.create(spec, 'plans').token}` });
  const almi = key({ role: 'caseworker', label: 'plans almi', actorId: 'almi' });
  const coordinator = key({ role: 'coordinator', label: 'plans coordinator', counties: ['SE-M'] });
  const admin = key({ role: 'admin', label: 'plans admin' });
  const metrics = key({ role: 'metrics', label: 'plans metrics' });
  const get = async (url: string, headers: Record<string, string>) => {
    const res = await app.inject({ method: 'GET', url, headers });
    if (res.statusCode >= 400) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res;
  };

  const created = await app.inject({
    method: 'POST', url: '/v1/inquiries', headers: { 'idempotency-key': 'plans-0000-0001' },
    payload: {
      company: { name: 'Planbolaget AB', orgNumber: '556036-0793', employees: 12 }, contact: { name: 'Plan Person', email: 'plan@example.se' },
      county: 'SE-M', message: 'Vi behöver ett lån för att köpa en ny maskin till produktionen.', consent: true,
    },
  });
  const { id, statusUrl } = created.json() as { id: string; statusUrl: string };
  await get(new URL(statusUrl).pathname, {});
  const since = encodeURIComponent(new Date(NOW - 3_600_000).toISOString());
  const poll = await get(`/v1/cases?updatedSince=${since}`, almi);
  await app.inject({ method: 'GET', url: `/v1/cases?updatedSince=${since}`, headers: { ...almi, 'if-none-match': poll.headers.etag as string } });
  const first = await get('/v1/cases?limit=50', almi);
  await get(`/v1/cases?limit=50&cursor=${encodeURIComponent(first.json().nextCursor as string)}`, almi);
  await get('/v1/cases?order=deadline-asc&status=assigned,contacted', almi);
  await get('/v1/cases?deadlineState=breached,at-risk', almi);
  await get('/v1/cases', coordinator);
  await get(`/v1/cases?updatedSince=${since}`, coordinator);
  await get('/v1/cases?queue=triage', coordinator).catch(() => undefined);
  await get(`/v1/cases/${id}`, almi);
  await app.inject({ method: 'POST', url: `/v1/cases/${id}/claim`, headers: almi });
  await app.inject({ method: 'POST', url: `/v1/cases/${id}/first-contact`, headers: almi, payload: { channel: 'phone' } });
  await app.inject({ method: 'POST', url: `/v1/admin/erasure`, headers: admin, payload: { orgNumber: '556036-0793', dryRun: true } });
  await get('/metrics', metrics);
  await app.close();
  client.prepare = prepare;

  // The plans, for the statements that read or write the tables intake writes.
  const tables = ['inquiries', 'inquiry_events', 'idempotency_keys'];
  const touches = (sql: string) => tables.some((t) => new RegExp(`\\b"?${t}"?\\b`).test(sql));
  const usage = new Map<string, string[]>();
  console.log(`== Query plans over ${CASES.toLocaleString('en')} seeded cases (ANALYZE run) ==`);
  for (const sql of captured) {
    if (!touches(sql) || /^(CREATE|PRAGMA|BEGIN|COMMIT|SAVEPOINT|RELEASE)/i.test(sql)) continue;
    let plan: { detail: string }[];
    try {
      // Named parameters (@name) become positional ones: the plan does not depend on the values.
      const positional = sql.replace(/@\w+/g, '?');
      plan = (prepare(`EXPLAIN QUERY PLAN ${positional}`) as Statement).all(...Array(countParams(positional)).fill(null)) as { detail: string }[];
    } catch {
      continue;
    }
    console.log(`\n${sql.length > 400 ? `${sql.slice(0, 400)} …` : sql}`);
    for (const step of plan) {
      console.log(`  ${step.detail}`);
      for (const m of step.detail.matchAll(/(?:USING (?:COVERING )?INDEX|USING INTEGER PRIMARY KEY) ?(\w+)?/g)) {
        if (m[1]) usage.set(m[1], [...(usage.get(m[1]) ?? []), sql.slice(0, 80)]);
      }
    }
  }
  console.log('\n== Indexes on the tables intake writes, and how many of the statements above use each ==');
  for (const table of tables) {
    for (const { name, partial } of prepare(`SELECT name, "partial" FROM pragma_index_list('${table}')`).all() as { name: string; partial: number }[]) {
      console.log(`  ${table}.${name}${partial ? ' (partial)' : ''}: ${usage.get(name)?.length ?? 0}`);
    }
  }
  client.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Positional parameters in a statement. */
function countParams(sql: string): number {
  return (sql.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length;
}
