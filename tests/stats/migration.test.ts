import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db/client.js';
import { TestClock } from '../helpers/app.js';

/**
 * A real database as the trigger-maintained statistics left it (tests/fixtures/stats-v1, made by
 * scripts/make-stats-v1-fixture.ts on the commit before the projection), opened with the current code: the
 * migrations drop the triggers and the old aggregates, the projection rebuilds everything from the inquiries
 * and their history at start-up, and every figure the old service reported comes out the same. Delays are now
 * counted in whole minutes; the fixture has a contact 20 min 30 s past the hour, and the medians and 90th
 * percentiles, given in hours with two decimals, still come out the same.
 */
const FIXTURE = path.resolve('tests/fixtures/stats-v1');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected-compliance.json'), 'utf8')) as Record<string, Record<string, unknown>> & { asOf: string };

type Figures = Record<string, unknown>;

/** Every figure the old report had, with the same value (new figures beside them are not compared here). */
function sameFigures(actual: Figures, old: Figures, where: string) {
  for (const [key, value] of Object.entries(old)) expect(actual[key], `${where}.${key}`).toEqual(value);
}

describe('the statistics of an existing database, after the move to the projection', () => {
  let dir: string;
  let db: Db;
  let app: FastifyInstance;
  let analyst: string;
  const clock = new TestClock(Date.parse(expected.asOf));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-v1-'));
    const file = path.join(dir, 'v1.db');
    fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, 'en-dorr-in-v1.db.gz'))));
    db = openDatabase(file);
    migrateDatabase(db);
    app = await buildApp({ config: testConfig({ DATABASE_PATH: file }), db, clock: clock.fn });
    await app.ready();
    analyst = app.apiKeys.create({ role: 'analyst', label: 'analyst' }, 'test').token;
  });
  afterAll(async () => {
    await app.close();
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const queries = Object.keys(expected).filter((k) => k !== 'asOf');

  it('gives every figure the old service gave, for every query recorded', async () => {
    expect(queries.length).toBeGreaterThanOrEqual(8);
    for (const q of queries) {
      const res = await app.inject({ method: 'GET', url: `/v1/stats/compliance?${q}`, headers: { authorization: `Bearer ${analyst}` } });
      expect(res.statusCode, q).toBe(200);
      const now = res.json();
      const old = expected[q] as { total: Figures; groups: Figures[]; groupBy: string[]; filters: unknown };
      expect(now.groupBy, q).toEqual(old.groupBy);
      expect(now.filters, q).toEqual(old.filters);
      sameFigures(now.total, old.total, `${q} total`);
      expect(now.groups.length, `${q} groups`).toBe(old.groups.length);
      old.groups.forEach((g, i) => sameFigures(now.groups[i], g, `${q} group ${i}`));
    }
  });

  it('dropped the old tables, the triggers and the key that lived in the database', () => {
    const objects = db.$client.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')").all() as { type: string; name: string }[];
    const names = objects.map((o) => o.name);
    expect(names).not.toContain('case_facts_legacy');
    expect(names.filter((n) => n.startsWith('compliance_daily'))).toEqual([]);
    // Only integrity guards are left as triggers: the append-only history and audit log, and the experiments' pre-registration (issue 14).
    expect(objects.filter((o) => o.type === 'trigger').map((o) => o.name).sort()).toEqual([
      'audit_log_no_delete', 'audit_log_no_update', 'experiment_assignments_no_delete', 'experiment_assignments_no_update',
      'experiments_definition_frozen', 'experiments_no_delete', 'experiments_stop_irreversible', 'inquiry_events_no_delete', 'inquiry_events_no_update',
    ]);
    expect(db.$client.prepare("SELECT COUNT(*) AS n FROM settings WHERE key = 'stats_company_key_secret'").get()).toEqual({ n: 0 });
  });

  it("keeps an erased sole trader's inquiries together as one company, without any hash of the number", () => {
    // The sole trader 121212-1212: an imported case, a live case erased on request, and a live one in Halland not erased.
    const companies = db.$client.prepare(`SELECT f.company_id AS id, COUNT(*) AS n FROM case_facts f JOIN inquiries i ON i.id = f.inquiry_id
      WHERE i.org_number_is_personal = 1 GROUP BY f.company_id`).all() as { id: number; n: number }[];
    expect(companies).toHaveLength(1);
    expect(companies[0]!.n).toBe(3);
  });

  it('is a no-op on the next start: the same figures, nothing rebuilt', async () => {
    const before = (await app.inject({ method: 'GET', url: `/v1/stats/compliance?${queries[2]}`, headers: { authorization: `Bearer ${analyst}` } })).json();
    const cells = db.$client.prepare('SELECT COUNT(*) AS n FROM stats_cells').get();
    const again = await buildApp({ config: testConfig({ DATABASE_PATH: path.join(dir, 'v1.db') }), db, clock: clock.fn });
    await again.ready();
    const after = (await again.inject({ method: 'GET', url: `/v1/stats/compliance?${queries[2]}`, headers: { authorization: `Bearer ${analyst}` } })).json();
    await again.close();
    expect(after).toEqual(before);
    expect(db.$client.prepare('SELECT COUNT(*) AS n FROM stats_cells').get()).toEqual(cells);
  });
});
