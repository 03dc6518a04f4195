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
    expect(count("SELECT COUNT(*) AS n FROM case_facts WHERE channel = 'import'")).toBe(2);
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

  it("takes only the service's outcome codes, the referrals' kinds and the company's two answers", async () => {
    const line = (o: Record<string, unknown>) => JSON.stringify({ receivedAt: '2026-05-11T10:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', ...o });
    const res = await post([
      line({ externalId: 'O-1', closedAt: '2026-05-12T10:00:00+02:00', outcome: 'advised' }),
      line({ externalId: 'O-2', firstContactAt: '2026-05-11T11:00:00+02:00', closedAt: '2026-05-12T10:00:00+02:00', outcome: 'helped', gotHelp: 'yes', feedback: 'yes' }),
      line({ externalId: 'O-3', referrals: 2, referralDetails: [{ from: 'almi', to: 'ekn', misrouted: true }] }),
      line({ externalId: 'O-4', referralDetails: [{ from: 'almi', to: 'nobody', misrouted: true }] }),
      line({ externalId: 'O-5', rightActorContactAt: '2026-05-12T10:00:00+02:00' }),
      // Almi called in time, then handed it on as misrouted; EKN called the next afternoon: late.
      line({
        externalId: 'O-6', orgNumber: '556036-0793', firstContactAt: '2026-05-11T11:00:00+02:00', referralDetails: [{ from: 'almi', to: 'ekn', misrouted: true }],
        rightActorContactAt: '2026-05-12T15:00:00+02:00', closedAt: '2026-05-13T10:00:00+02:00', outcome: 'helped', rightActorInTime: 'no', gotHelp: 'yes',
      }),
      // Almi helped and handed on an additional need: its contact counts.
      line({ externalId: 'O-7', firstContactAt: '2026-05-11T12:00:00+02:00', referralDetails: [{ from: 'almi', to: 'business-sweden', misrouted: false }], closedAt: '2026-05-13T10:00:00+02:00', outcome: 'referred-outside', employees: 60 }),
    ].join('\n'));
    const report = res.json();
    expect(report).toMatchObject({ lines: 7, imported: 2, failed: 5 });
    expect(report.errors.map((e: { externalId: string; errors: string[] }) => [e.externalId, e.errors.join(' ')])).toEqual([
      ['O-1', expect.stringMatching(/^outcome: .*helped.*referred-outside.*spam/)],
      ['O-2', expect.stringMatching(/gotHelp or the old feedback, not both/)],
      ['O-3', expect.stringMatching(/referrals: Must equal the number of referralDetails/)],
      ['O-4', 'referralDetails.0.to: Unknown actor "nobody"'],
      ['O-5', expect.stringMatching(/rightActorContactAt: Needs firstContactAt/)],
    ]);
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'o' }, 'test').token;
    const get = async (q: string) => (await t.app.inject({ method: 'GET', url: `/v1/stats/${q}`, headers: { authorization: `Bearer ${analyst}` } })).json();
    const total = (await get('compliance?from=2026-05-11&to=2026-05-11')).total;
    expect(total).toMatchObject({
      received: 2, firstResponseInTime: 2, contactedInTime: 1, contactedLate: 1, referrals: 2, misroutedReferrals: 1, rightFirstTime: 0.5,
      medianHoursToFirstContact: 15.5, closed: 2, outcomeHelped: 1, outcomeReferredOutside: 1, companiesHelped: 1,
      feedbackResponses: 1, feedbackResponseRate: null, companyConfirmedRightActorRate: 0, helpRate: 1,
    });
    const matrix = (await get('referrals?from=2026-05-11&to=2026-05-11')).matrix;
    expect(matrix).toEqual([
      { from: 'almi', to: 'business-sweden', kind: 'additional-need', referrals: 1, companies: 0 },
      { from: 'almi', to: 'ekn', kind: 'misrouted', referrals: 1, companies: 1 },
    ]);
    const bySize = (await get('compliance?from=2026-05-11&to=2026-05-11&groupBy=sizeBand')).groups.map((g: { sizeBand: string; received: number }) => [g.sizeBand, g.received]);
    expect(bySize).toEqual([['50-249', 1], ['unknown', 1]]);
    const cases = t.db.$client.prepare("SELECT i.status, i.assigned_actor_id AS actor, w.outcome FROM inquiries i JOIN case_work w ON w.inquiry_id = i.id WHERE i.reference IN ('IMP-O-6', 'IMP-O-7') ORDER BY i.reference").all();
    expect(cases).toEqual([{ status: 'closed', actor: 'ekn', outcome: 'helped' }, { status: 'closed', actor: 'almi', outcome: 'referred-outside' }]);
  });

  it('needs an admin key and NDJSON', async () => {
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'b' }, 'test').token;
    expect((await post(JSON.stringify(good), { authorization: `Bearer ${analyst}` })).statusCode).toBe(403);
    expect((await post(JSON.stringify(good), { 'content-type': 'text/csv' })).statusCode).toBe(415);
  });
});
