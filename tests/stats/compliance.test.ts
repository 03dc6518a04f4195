import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  { externalId: 'D', receivedAt: '2026-10-23T12:00:00+02:00', county: 'SE-AB', actor: 'business-sweden', topic: 'markets-abroad', orgNumber: ORG3, firstContactAt: '2026-10-26T11:30:00+01:00', closedAt: '2026-10-27T10:00:00+01:00', outcome: 'advised', feedback: 'yes' },
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
    expect(body.groups).toEqual([
      {
        county: 'SE-AB', received: 4, contactedInTime: 2, contactedLate: 0, openInTime: 1, openOverdue: 0, closedWithoutContact: 1,
        complianceRate: 1, medianHoursToFirstContact: 42, p90HoursToFirstContact: 66.4, referrals: 0, rightFirstTime: 1,
        distinctCompanies: 2, triaged: 2, feedbackResponses: 2, feedbackRightHelpRate: 0.5, target: 0.8, targetMet: true,
      },
      {
        county: 'SE-M', received: 4, contactedInTime: 2, contactedLate: 1, openInTime: 0, openOverdue: 1, closedWithoutContact: 0,
        complianceRate: 0.5, medianHoursToFirstContact: 70, p90HoursToFirstContact: 71.6, referrals: 1, rightFirstTime: 0.6667,
        distinctCompanies: 2, triaged: 0, feedbackResponses: 0, feedbackRightHelpRate: null, target: 0.8, targetMet: false,
      },
    ]);
    expect(body.total).toEqual({
      received: 8, contactedInTime: 4, contactedLate: 1, openInTime: 1, openOverdue: 1, closedWithoutContact: 1,
      complianceRate: 0.6667, medianHoursToFirstContact: 70, p90HoursToFirstContact: 72.3, referrals: 1, rightFirstTime: 0.8,
      distinctCompanies: 4, triaged: 2, feedbackResponses: 2, feedbackRightHelpRate: 0.5, target: 0.8, targetMet: false,
    });
    expect(body.asOf).toBe('2026-11-25T08:00:00.000Z');
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

  it('is the same as CSV with Accept: text/csv', async () => {
    const res = await get('from=2026-01-01&to=2026-12-31&groupBy=county', { accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('row,county,received,contactedInTime,contactedLate,openInTime,openOverdue,closedWithoutContact,complianceRate,medianHoursToFirstContact,p90HoursToFirstContact,referrals,rightFirstTime,distinctCompanies,triaged,feedbackResponses,feedbackRightHelpRate,target,targetMet');
    expect(lines[1]).toBe('group,SE-AB,4,2,0,1,0,1,1,42,66.4,0,1,2,2,2,0.5,0.8,true');
    expect(lines[2]).toBe('group,SE-M,4,2,1,0,1,0,0.5,70,71.6,1,0.6667,2,0,0,,0.8,false');
    expect(lines[3]).toBe('total,,8,4,1,1,1,1,0.6667,70,72.3,1,0.8,4,2,2,0.5,0.8,false');
  });

  it('never contains personal data', async () => {
    const res = await get('from=2026-01-01&to=2026-12-31&groupBy=county,actor,topic,month,week');
    for (const org of [ORG1, ORG2, ORG3, ORG4]) {
      expect(res.body).not.toContain(org.replace('-', ''));
      expect(res.body).not.toContain(org);
    }
  });

  it('validates the query and requires an analyst or admin key', async () => {
    expect((await get('from=2026-13-01&to=2026-12-31')).statusCode).toBe(400);
    expect((await get('from=2026-12-31&to=2026-01-01')).statusCode).toBe(400);
    const bad = await get('from=2026-01-01&to=2026-12-31&groupBy=county,colour');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('colour');
    expect((await get('from=2026-01-01&to=2026-12-31&county=Atlantis')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-01-01&to=2026-12-31' })).statusCode).toBe(401);
    const caseworker = t.app.apiKeys.create({ role: 'caseworker', label: 'cw', actorId: 'almi' }, 'test').token;
    expect((await get('from=2026-01-01&to=2026-12-31', { authorization: `Bearer ${caseworker}` })).statusCode).toBe(403);
    expect((await get('from=2026-01-01&to=2026-12-31', { authorization: `Bearer ${admin}` })).statusCode).toBe(200);
  });

  it('limits an analyst key scoped to counties to those counties', async () => {
    const scoped = t.app.apiKeys.create({ role: 'analyst', label: 'skåne', counties: ['SE-M'] }, 'test').token;
    const headers = { authorization: `Bearer ${scoped}` };
    expect((await get('from=2026-01-01&to=2026-12-31', headers)).json().total.received).toBe(4);
    expect((await get('from=2026-01-01&to=2026-12-31&county=SE-AB', headers)).statusCode).toBe(403);
  });
});
