import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/**
 * A fixed data set with hand-computed figures (working-day policy, now = Wed 2026-11-25 09:00 Stockholm):
 * weekends, both DST changes (2026-03-29 and 2026-10-25), a referral, a late contact, an open overdue case,
 * an open case in time, a case closed without contact, feedback, and an arrival whose UTC date differs
 * from its Stockholm date (month and week follow Stockholm).
 */
const ORG1 = '556036-0793';
const ORG2 = '556016-0680';
const ORG3 = '556703-7485';
const ORG4 = '556074-7569';

export const FIXED_CASES = [
  // A: Fri 15:00 CET; Sat, Sun (DST) skipped; due Mon 30 Mar 15:00 CEST. Contact Mon 14:00 CEST: in time, 70 h.
  { externalId: 'A', receivedAt: '2026-03-27T15:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: ORG1, firstContactAt: '2026-03-30T14:00:00+02:00' },
  // B: Sat 10:00; due end of Mon 30 Mar. Referred to Business Sweden, which called Tue 11:00 CEST: late, 72 h.
  { externalId: 'B', receivedAt: '2026-03-28T10:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'markets-abroad', orgNumber: ORG2, referrals: 1, firstContactAt: '2026-03-31T11:00:00+02:00', firstContactActor: 'business-sweden' },
  // C: Mon 09:00 CEST, due Tue 09:00; never contacted: open overdue.
  { externalId: 'C', receivedAt: '2026-03-30T09:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: ORG1 },
  // H: 00:30 CEST on 1 April is still 31 March in UTC: month 2026-04, week 14. Contact 09:30: in time, 9 h.
  { externalId: 'H', receivedAt: '2026-04-01T00:30:00+02:00', county: 'Skåne', actor: 'almi', topic: 'loans-growth-finance', firstContactAt: '2026-04-01T09:30:00+02:00' },
  // D: Fri 12:00 CEST; Sat, Sun (DST ends, 25 h) skipped; due Mon 26 Oct 12:00 CET. Contact 11:30: in time, 72.5 h.
  { externalId: 'D', receivedAt: '2026-10-23T12:00:00+02:00', county: 'SE-AB', actor: 'business-sweden', topic: 'markets-abroad', orgNumber: ORG3, firstContactAt: '2026-10-26T11:30:00+01:00', closedAt: '2026-10-27T10:00:00+01:00', outcome: 'helped', feedback: 'yes' },
  // E: Mon 26 Oct 00:30 CET (Sun 25 Oct in UTC): week 44. Went through triage. Contact 12:00: in time, 11.5 h.
  { externalId: 'E', receivedAt: '2026-10-26T00:30:00+01:00', county: 'SE-AB', actor: 'business-sweden', topic: 'markets-abroad', orgNumber: ORG4, triaged: true, firstContactAt: '2026-10-26T12:00:00+01:00', closedAt: '2026-10-28T10:00:00+01:00', feedback: 'no' },
  // G: closed two hours after arrival without contact (withdrawn): outside the rate.
  { externalId: 'G', receivedAt: '2026-10-30T10:00:00+01:00', county: 'SE-AB', actor: 'business-sweden', closedAt: '2026-10-30T12:00:00+01:00', outcome: 'withdrawn' },
  // F: Tue 24 Nov 10:00, in triage (no actor), due Wed 25 Nov 10:00: open in time (and at risk) at 09:00.
  { externalId: 'F', receivedAt: '2026-11-24T10:00:00+01:00', county: 'SE-AB', actor: null, topic: 'markets-abroad', orgNumber: ORG3 },
];

export const ndjson = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n');

describe('GET /v1/stats/compliance on a fixed data set', () => {
  let t: TestApp;
  let analyst: string;
  let admin: string;
  const get = (query: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: `/v1/stats/compliance?${query}`, headers: { authorization: `Bearer ${analyst}`, ...headers } });

  beforeAll(async () => {
    t = await buildTestApp();
    t.clock.set('2026-11-25T08:00:00Z');
    analyst = t.app.apiKeys.create({ role: 'analyst', label: 'analyst' }, 'test').token;
    admin = t.app.apiKeys.create({ role: 'admin', label: 'admin' }, 'test').token;
    const res = await t.app.inject({
      method: 'POST', url: '/v1/admin/import',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/x-ndjson' },
      payload: ndjson(FIXED_CASES),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ lines: 8, imported: 8, failed: 0 });
  });
  afterAll(async () => t.close());

  it('gives the hand-computed figures per county and in total', async () => {
    const res = await get('from=2026-01-01&to=2026-12-31&groupBy=county');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // Figures issue 9 added, where this data set has nothing of them (no misrouted referral, backdated contact, joint work, …).
    const none = {
      backdatedContacts: 0, misroutedReferrals: 0, jointWork: 0, outcomeReferredOutside: 0, outcomeNoReply: 0, outcomeDuplicate: 0, outcomeSpam: 0,
      feedbackResponseRate: null, companyConfirmedRightActorRate: null, target: 0.8,
    };
    expect(body.groups).toEqual([
      {
        county: 'SE-AB', received: 4, contactedInTime: 2, contactedLate: 0, openInTime: 1, openOverdue: 0, closedWithoutContact: 1,
        complianceRate: 1, firstResponseInTime: 2, medianHoursToFirstContact: 42, p90HoursToFirstContact: 66.4, referrals: 0, rightFirstTime: 1,
        distinctCompanies: 2, companiesHelped: 1, triaged: 2, closed: 3, outcomeHelped: 1, outcomeWithdrawn: 1,
        feedbackResponses: 2, helpRate: 0.5, partlyHelpedRate: 0, feedbackRightHelpRate: 0.5, targetMet: true, ...none,
      },
      {
        county: 'SE-M', received: 4, contactedInTime: 2, contactedLate: 1, openInTime: 0, openOverdue: 1, closedWithoutContact: 0,
        complianceRate: 0.5, firstResponseInTime: 2, medianHoursToFirstContact: 70, p90HoursToFirstContact: 71.6, referrals: 1, rightFirstTime: 0.6667,
        distinctCompanies: 2, companiesHelped: 0, triaged: 0, closed: 0, outcomeHelped: 0, outcomeWithdrawn: 0,
        feedbackResponses: 0, helpRate: null, partlyHelpedRate: null, feedbackRightHelpRate: null, targetMet: false, ...none,
      },
    ]);
    const total = {
      received: 8, contactedInTime: 4, contactedLate: 1, openInTime: 1, openOverdue: 1, closedWithoutContact: 1,
      complianceRate: 0.6667, firstResponseInTime: 4, medianHoursToFirstContact: 70, p90HoursToFirstContact: 72.3, referrals: 1, rightFirstTime: 0.8,
      distinctCompanies: 4, companiesHelped: 1, triaged: 2, closed: 3, outcomeHelped: 1, outcomeWithdrawn: 1,
      feedbackResponses: 2, helpRate: 0.5, partlyHelpedRate: 0, feedbackRightHelpRate: 0.5, targetMet: false, ...none,
    };
    expect(body.total).toEqual(total);
    expect(body.asOf).toBe('2026-11-25T08:00:00.000Z');
    // An analyst with every county: the national benchmark is the total, grouped like the request without county.
    expect(body.benchmark).toEqual({ scope: 'national', groupBy: [], total, groups: [] });
  });

  it('groups by Stockholm month and ISO week, not by UTC date', async () => {
    const months = (await get('from=2026-01-01&to=2026-12-31&groupBy=month')).json();
    expect(months.groups.map((g: { month: string; received: number }) => [g.month, g.received])).toEqual([
      ['2026-03', 3], ['2026-04', 1], ['2026-10', 3], ['2026-11', 1],
    ]);
    const weeks = (await get('from=2026-01-01&to=2026-12-31&groupBy=week')).json();
    expect(weeks.groups.map((g: { week: string; received: number }) => [g.week, g.received])).toEqual([
      ['2026-W13', 2], ['2026-W14', 2], ['2026-W43', 1], ['2026-W44', 2], ['2026-W48', 1],
    ]);
  });

  it('counts by arrival date: from/to are inclusive Stockholm dates', async () => {
    // H arrived 2026-04-01 00:30 Stockholm (still 31 March in UTC): in April, not in March.
    const march = (await get('from=2026-03-01&to=2026-03-31')).json();
    expect(march.total.received).toBe(3);
    const first = (await get('from=2026-04-01&to=2026-04-01')).json();
    expect(first.total).toMatchObject({ received: 1, contactedInTime: 1, medianHoursToFirstContact: 9 });
  });

  it('groups by several dimensions, with the actor first assigned and null for triage', async () => {
    const body = (await get('from=2026-10-01&to=2026-11-30&groupBy=actor,topic')).json();
    expect(body.groups.map((g: Record<string, unknown>) => [g.actor, g.topic, g.received])).toEqual([
      [null, 'markets-abroad', 1], ['business-sweden', null, 1], ['business-sweden', 'markets-abroad', 2],
    ]);
  });

  it('filters by county (any accepted form) and actor', async () => {
    expect((await get('from=2026-01-01&to=2026-12-31&county=Sk%C3%A5ne')).json()).toMatchObject({ filters: { county: 'SE-M' }, total: { received: 4 } });
    expect((await get('from=2026-01-01&to=2026-12-31&actor=business-sweden')).json().total.received).toBe(3);
    expect((await get('from=2026-01-01&to=2026-12-31&county=SE-AB&actor=almi')).json().total).toMatchObject({ received: 0, complianceRate: null, targetMet: null, medianHoursToFirstContact: null });
  });

  it('is the same as CSV with Accept: text/csv, for a spreadsheet with Swedish settings', async () => {
    const res = await get('from=2026-01-01&to=2026-12-31&groupBy=county', { accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 byte-order mark
    const lines = res.body.replace(/^\uFEFF/, '').split('\r\n');
    const header = lines[0]!.split(';');
    expect(header.slice(0, 12)).toEqual(['row', 'county', 'received', 'contactedInTime', 'contactedLate', 'openInTime', 'openOverdue', 'closedWithoutContact', 'complianceRate', 'firstResponseInTime', 'medianHoursToFirstContact', 'p90HoursToFirstContact']);
    const row = (line: string) => Object.fromEntries(line.split(';').map((v, i) => [header[i], v]));
    // Decimal commas; empty for null; one row per group, the total, then the national benchmark.
    expect(row(lines[1]!)).toMatchObject({ row: 'group', county: 'SE-AB', received: '4', complianceRate: '1', medianHoursToFirstContact: '42', p90HoursToFirstContact: '66,4', helpRate: '0,5', target: '0,8', targetMet: 'true' });
    expect(row(lines[2]!)).toMatchObject({ row: 'group', county: 'SE-M', complianceRate: '0,5', p90HoursToFirstContact: '71,6', rightFirstTime: '0,6667', helpRate: '', targetMet: 'false' });
    expect(row(lines[3]!)).toMatchObject({ row: 'total', county: '', received: '8', complianceRate: '0,6667', p90HoursToFirstContact: '72,3', distinctCompanies: '4' });
    expect(row(lines[4]!)).toMatchObject({ row: 'national-total', county: '', received: '8', complianceRate: '0,6667' });
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
  });

  it('never contains personal data', async () => {
    const res = await get('from=2026-01-01&to=2026-12-31&groupBy=county,actor,topic,month,week');
    for (const org of [ORG1, ORG2, ORG3, ORG4]) {
      expect(res.body).not.toContain(org.replace('-', ''));
      expect(res.body).not.toContain(org);
    }
  });

  it('validates the query and requires an analyst, admin or coordinator key', async () => {
    expect((await get('from=2026-13-01&to=2026-12-31')).statusCode).toBe(400);
    expect((await get('from=2026-12-31&to=2026-01-01')).statusCode).toBe(400);
    const bad = await get('from=2026-01-01&to=2026-12-31&groupBy=county,colour');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('colour');
    expect((await get('from=2026-01-01&to=2026-12-31&county=Atlantis')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-01-01&to=2026-12-31' })).statusCode).toBe(401);
    const caseworker = t.app.apiKeys.create({ role: 'caseworker', label: 'cw', actorId: 'almi' }, 'test').token;
    expect((await get('from=2026-01-01&to=2026-12-31', { authorization: `Bearer ${caseworker}` })).statusCode).toBe(403);
    const intake = t.app.apiKeys.create({ role: 'intake', label: 'form' }, 'test').token;
    expect((await get('from=2026-01-01&to=2026-12-31', { authorization: `Bearer ${intake}` })).statusCode).toBe(403);
    expect((await get('from=2026-01-01&to=2026-12-31', { authorization: `Bearer ${admin}` })).statusCode).toBe(200);
  });

  it('limits an analyst key scoped to counties to those counties, with the nation beside them', async () => {
    const scoped = t.app.apiKeys.create({ role: 'analyst', label: 'skåne', counties: ['SE-M'] }, 'test').token;
    const headers = { authorization: `Bearer ${scoped}` };
    const body = (await get('from=2026-01-01&to=2026-12-31', headers)).json();
    expect(body.total.received).toBe(4);
    expect(body.benchmark.total).toMatchObject({ received: 8, complianceRate: 0.6667 });
    expect((await get('from=2026-01-01&to=2026-12-31&county=SE-AB', headers)).statusCode).toBe(403);
  });

  it("lets a coordinator read its own county beside the nation's figures, and refuses another county", async () => {
    const skane = t.app.apiKeys.create({ role: 'coordinator', label: 'Region Skåne', counties: ['SE-M'] }, 'test').token;
    const headers = { authorization: `Bearer ${skane}` };
    const res = await get('from=2026-01-01&to=2026-12-31&groupBy=month', headers);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toMatchObject({ received: 4, contactedInTime: 2, contactedLate: 1, openOverdue: 1, complianceRate: 0.5, medianHoursToFirstContact: 70 });
    expect(body.groups.map((g: { month: string; received: number }) => [g.month, g.received])).toEqual([['2026-03', 3], ['2026-04', 1]]);
    // The nation, month by month, over the same period.
    expect(body.benchmark.groupBy).toEqual(['month']);
    expect(body.benchmark.groups.map((g: { month: string; received: number }) => [g.month, g.received])).toEqual([['2026-03', 3], ['2026-04', 1], ['2026-10', 3], ['2026-11', 1]]);
    expect(body.benchmark.total).toMatchObject({ received: 8, complianceRate: 0.6667, medianHoursToFirstContact: 70, p90HoursToFirstContact: 72.3, distinctCompanies: 4 });
    expect((await get('from=2026-01-01&to=2026-12-31&county=Sk%C3%A5ne', headers)).statusCode).toBe(200);
    const refused = await get('from=2026-01-01&to=2026-12-31&county=SE-AB', headers);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body).not.toContain('received');
    const benchmarkByCounty = (await get('from=2026-01-01&to=2026-12-31&groupBy=county', headers)).json();
    expect(benchmarkByCounty.groups.map((g: { county: string }) => g.county)).toEqual(['SE-M']); // its own county only
    expect(benchmarkByCounty.benchmark).toMatchObject({ groupBy: [], groups: [], total: { received: 8 } });
  });
});

describe("the national benchmark beside a region's own figures, as the data and the clock move", () => {
  let t: TestApp;
  let admin: string;
  let analyst: string;
  let skane: string;
  const importLines = async (app: TestApp['app'], lines: unknown[]) => {
    const res = await app.inject({
      method: 'POST', url: '/v1/admin/import', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/x-ndjson' }, payload: ndjson(lines),
    });
    expect(res.json()).toMatchObject({ failed: 0 });
  };
  const read = async (app: TestApp['app'], token: string) => {
    const res = await app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-01-01&to=2026-12-31&groupBy=month', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await buildTestApp();
    t.clock.set('2026-11-25T08:00:00Z');
    admin = t.app.apiKeys.create({ role: 'admin', label: 'admin' }, 'test').token;
    analyst = t.app.apiKeys.create({ role: 'analyst', label: 'analyst' }, 'test').token;
    skane = t.app.apiKeys.create({ role: 'coordinator', label: 'Region Skåne', counties: ['SE-M'] }, 'test').token;
    await importLines(t.app, FIXED_CASES);
  });
  afterAll(async () => t.close());

  it("is the nation's report every time: after a write, as time passes, and after another instance's write", async () => {
    // Read twice while nothing changes: the same figures, equal to what a national reader gets.
    const first = await read(t.app, skane);
    expect(first.benchmark.total).toMatchObject({ received: 8, openInTime: 1, openOverdue: 1 });
    const second = await read(t.app, skane);
    expect(second.benchmark).toEqual(first.benchmark);
    expect(second.benchmark.total).toEqual((await read(t.app, analyst)).total);

    // F's deadline (Wed 25 Nov 10:00) passes: open in time becomes overdue in the benchmark too.
    t.clock.set('2026-11-25T09:30:00Z');
    const later = await read(t.app, skane);
    expect(later.benchmark.total).toMatchObject({ received: 8, openInTime: 0, openOverdue: 2 });
    expect(later.benchmark.groups.find((g: { month: string }) => g.month === '2026-11')).toMatchObject({ openInTime: 0, openOverdue: 1 });

    // A case in another county, through this instance: the nation counts it, the region does not.
    await importLines(t.app, [{ externalId: 'J', receivedAt: '2026-06-10T10:00:00+02:00', county: 'SE-AB', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-06-10T11:00:00+02:00' }]);
    const afterWrite = await read(t.app, skane);
    expect(afterWrite.total.received).toBe(4);
    expect(afterWrite.benchmark.total).toMatchObject({ received: 9, contactedInTime: 5 });
    expect(afterWrite.benchmark.groups.map((g: { month: string }) => g.month)).toContain('2026-06');

    // Another instance on the same database file writes: this instance's next read sees it.
    const db2 = openDatabase(t.config.DATABASE_PATH);
    const other = await buildApp({ config: t.config, db: db2, clock: t.clock.fn });
    await other.ready();
    try {
      await importLines(other, [{ externalId: 'K', receivedAt: '2026-07-01T10:00:00+02:00', county: 'SE-O', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556016-0680' }]);
    } finally {
      await other.close();
      db2.$client.close();
    }
    const afterOther = await read(t.app, skane);
    expect(afterOther.benchmark.total).toMatchObject({ received: 10 });
    expect(afterOther.benchmark.total).toEqual((await read(t.app, analyst)).total);
  });
});
