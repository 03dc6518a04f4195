import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

describe('POST /v1/admin/import', () => {
  let t: TestApp;
  let admin: string;
  const post = (body: string, headers: Record<string, string> = {}) => t.app.inject({
    method: 'POST', url: '/v1/admin/import', payload: body,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/x-ndjson', ...headers },
  });
  const good = { externalId: 'X-1', receivedAt: '2026-05-04T10:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', firstContactAt: '2026-05-04T12:00:00+02:00', referrals: 2 };

  beforeAll(async () => {
    t = await buildTestApp();
    admin = t.app.apiKeys.create({ role: 'admin', label: 'admin' }, 'test').token;
  });
  afterAll(async () => t.close());

  it('imports valid lines with a history, reports each bad line, and imports nothing of a bad line', async () => {
    const body = [
      JSON.stringify(good),
      '{not json',
      JSON.stringify({ ...good, externalId: 'X-2', county: 'Atlantis', actor: 'nobody' }),
      JSON.stringify({ ...good, externalId: 'X-3', firstContactAt: '2026-05-03T10:00:00+02:00', surprise: 1 }),
      '',
      JSON.stringify({ ...good, externalId: 'X-4', actor: null, firstContactAt: undefined }),
    ].join('\n');
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ lines: 5, imported: 2, alreadyImported: 0, failed: 3 });
    expect(report.errors.map((e: { line: number }) => e.line)).toEqual([2, 3, 4]);
    expect(report.errors[1].errors).toEqual(['county: Unknown county "Atlantis"', 'actor: Unknown actor "nobody"']);
    expect(report.errors[2].errors.join(' ')).toMatch(/surprise/);
    expect(report.errors[2].errors.join(' ')).toMatch(/First contact before arrival/);
    const count = (sql: string) => (t.db.$client.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT COUNT(*) AS n FROM inquiries WHERE reference LIKE 'IMP-%'")).toBe(2);
    expect(count("SELECT COUNT(*) AS n FROM inquiry_events WHERE type = 'imported'")).toBe(2);
    expect(count('SELECT COUNT(*) AS n FROM case_facts WHERE imported = 1')).toBe(2);
    const triage = t.db.$client.prepare("SELECT i.status, f.triaged FROM inquiries i JOIN case_facts f ON f.inquiry_id = i.id WHERE i.reference = 'IMP-X-4'").get();
    expect(triage).toEqual({ status: 'triage', triaged: 1 });
  });

  it('is idempotent by external id', async () => {
    const again = await post(`${JSON.stringify(good)}\n${JSON.stringify({ ...good, externalId: 'X-5' })}\n${JSON.stringify({ ...good, externalId: 'X-5' })}`);
    expect(again.json()).toMatchObject({ lines: 3, imported: 1, alreadyImported: 2, failed: 0 });
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'a' }, 'test').token;
    const stats = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-05-04&to=2026-05-04', headers: { authorization: `Bearer ${analyst}` } });
    expect(stats.json().total).toMatchObject({ received: 3, contactedInTime: 2, referrals: 6, medianHoursToFirstContact: 2 });
  });

  it('when writing a line fails, rolls back its batch and imports the other lines, each whole', async () => {
    // Y's reference is taken (its import record removed behind the importer's back): its insert fails.
    expect((await post(JSON.stringify({ ...good, externalId: 'Y' }))).json()).toMatchObject({ imported: 1 });
    t.db.$client.prepare("DELETE FROM imported_cases WHERE external_id = 'Y'").run();
    const count = (sql: string) => (t.db.$client.prepare(sql).get() as { n: number }).n;
    const before = count('SELECT COUNT(*) AS n FROM inquiry_events');
    const res = await post([{ ...good, externalId: 'Z1' }, { ...good, externalId: 'Y' }, { ...good, externalId: 'Z2' }].map((l) => JSON.stringify(l)).join('\n'));
    expect(res.json()).toMatchObject({ lines: 3, imported: 2, alreadyImported: 0, failed: 1 });
    expect(res.json().errors).toEqual([{ line: 2, externalId: 'Y', errors: [expect.stringMatching(/^Could not be stored: .*UNIQUE/)] }]);
    expect(count('SELECT COUNT(*) AS n FROM inquiry_events') - before).toBe(2);
    expect(count("SELECT COUNT(*) AS n FROM imported_cases WHERE external_id IN ('Z1', 'Z2')")).toBe(2);
  });

  it('needs an admin key and NDJSON', async () => {
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'b' }, 'test').token;
    expect((await post(JSON.stringify(good), { authorization: `Bearer ${analyst}` })).statusCode).toBe(403);
    expect((await post(JSON.stringify(good), { 'content-type': 'text/csv' })).statusCode).toBe(415);
  });
});
