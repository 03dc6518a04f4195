import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgPseudonym } from '../../src/effects/extract.js';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';

/**
 * Data for evaluation: the export centres' start dates as reference data (recorded by each inquiry), and
 * the research extract for the researcher role with a keyed organisation-number pseudonym.
 */
const SECRET = 'research-key-held-outside-the-database-0123456789';

describe('start dates and the research extract', () => {
  let w: CaseWorld;
  let researcher: string;
  const lines = (body: string) => body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const extract = (query = '', token = researcher, accept = 'application/x-ndjson') => w.get(`/v1/research/extract${query}`, token, { accept });

  beforeAll(async () => {
    w = await caseWorld({ RESEARCH_PSEUDONYM_SECRET: SECRET });
    researcher = w.app.apiKeys.create({ role: 'researcher', label: 'Tillväxtverket analysavdelning' }, 'test').token;
  });
  afterAll(() => w.close());

  it('knows the pilot waves, lets admins set the exact date, and each inquiry records whether its centre had started', async () => {
    const list = (await w.get('/v1/export-centres/start-dates', null)).json().items as { countyCode: string; startYear: number | null; startedOn: string | null }[];
    expect(list).toHaveLength(21);
    expect(list.find((s) => s.countyCode === 'SE-M')).toMatchObject({ startYear: 2016, startedOn: null });
    expect(list.find((s) => s.countyCode === 'SE-N')).toMatchObject({ startYear: null, startedOn: null });

    expect((await w.app.inject({ method: 'PUT', url: '/v1/admin/export-centres/Halland/start-date', headers: { authorization: `Bearer ${w.tokens.coordHalland}` }, payload: { startedOn: '2026-12-01', source: 'x' } })).statusCode).toBe(403);
    expect((await w.app.inject({ method: 'PUT', url: '/v1/admin/export-centres/Halland/start-date', headers: { authorization: `Bearer ${w.tokens.admin}` }, payload: { startedOn: '2026-02-30', source: 'x' } })).statusCode).toBe(400);
    const set = await w.app.inject({ method: 'PUT', url: '/v1/admin/export-centres/Halland/start-date', headers: { authorization: `Bearer ${w.tokens.admin}` }, payload: { startedOn: '2026-12-01', source: 'Regionstyrelsen 2026-10-14 §12' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ countyCode: 'SE-N', startYear: 2026, startedOn: '2026-12-01', source: 'Regionstyrelsen 2026-10-14 §12' });
    expect((await w.get('/v1/admin/audit', w.tokens.admin)).body).toContain('export-centre-start-set');

    const started = (id: string) => JSON.parse((w.db.$client.prepare("SELECT data FROM inquiry_events WHERE inquiry_id = ? AND type = 'received'").get(id) as { data: string }).data).exportCentreStarted;
    w.clock.set('2026-11-30T22:59:00Z'); // 23.59 on 30 November in Stockholm: not yet
    const before = await w.submit({ county: 'Halland' });
    w.clock.set('2026-11-30T23:00:00Z'); // midnight: 1 December
    const after = await w.submit({ county: 'Halland' });
    const skane = await w.submit();
    expect([started(before), started(after), started(skane)]).toEqual([false, true, true]);
  });

  it('gives researchers one row per inquiry, with a pseudonym stable across extracts and unlinkable without the key; sole traders get none', async () => {
    w.clock.set('2026-11-25T09:00:00Z');
    const soleTrader = await w.submit({ company: { name: 'Anna Andersson Konsult', orgNumber: '19121212-1212', employees: 1 } });
    const r1 = await extract('?cohortFrom=2026-11&cohortTo=2026-12');
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r1.headers['content-type']).toContain('application/x-ndjson');
    const rows = lines(r1.body);
    expect(rows.length).toBe(4);
    const legal = rows.filter((r) => r.orgPseudonym !== null);
    expect(legal).toHaveLength(3);
    // Stable: the same company, the same pseudonym, in this extract and the next.
    expect(new Set(legal.map((r) => r.orgPseudonym)).size).toBe(1);
    const r2 = lines((await extract('?cohortFrom=2026-11&cohortTo=2026-12')).body);
    expect(r2.map((r) => r.orgPseudonym)).toEqual(rows.map((r) => r.orgPseudonym));
    // The agency links it to register data by the same keyed hash over the register's numbers …
    expect(legal[0]!.orgPseudonym).toBe(createHmac('sha256', SECRET).update('org:5560360793').digest('base64url'));
    // … and without the key it is not the number, nor any unkeyed or other-keyed hash of it.
    expect(legal[0]!.orgPseudonym).not.toBe(orgPseudonym('another-key-of-at-least-32-characters!!', '5560360793'));
    expect(r1.body).not.toMatch(/5560360793|556036-0793|121212|Anna|Testbolaget|@/);
    expect(r1.body).not.toContain(createHmac('sha256', '').update('5560360793').digest('base64url'));
    // The sole trader's row: no pseudonym, size band from its one employee.
    const sole = rows.find((r) => r.orgPseudonym === null)!;
    expect(sole).toMatchObject({ sizeBand: '0-9', countyCode: 'SE-M', centreStartYear: 2016, centreStarted: true });
    expect(soleTrader).toBeTruthy();
    expect(Object.keys(rows[0]!)).toEqual([
      'cohortMonth', 'countyCode', 'centreStartYear', 'centreStartedOn', 'centreStarted', 'channel', 'actorId', 'topicId', 'sizeBand',
      'rightActorInTime', 'outcome', 'feedback', 'feedbackRightActorInTime', 'w6Exporting', 'w6NewMarkets', 'w6ExportShare', 'w6Contribution',
      'w12Exporting', 'w12NewMarkets', 'w12ExportShare', 'w12Contribution', 'w24Exporting', 'w24NewMarkets', 'w24ExportShare', 'w24Contribution',
      'experimentId', 'experimentArm', 'orgPseudonym',
    ]);
  });

  it('carries outcome, right actor in time, feedback and the follow-up answers; CSV too; only for researchers', async () => {
    w.clock.set('2027-01-11T09:00:00Z');
    const r = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, followUpConsent: true, company: { name: 'Exportbolaget AB', orgNumber: '212000-0142', employees: 60 } }) });
    const { id, statusUrl } = r.json() as { id: string; statusUrl: string };
    await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' });
    expect((await w.post(`${new URL(statusUrl).pathname}/feedback`, null, { rightActorInTime: 'no', gotHelp: 'yes' })).statusCode).toBe(201);
    w.clock.set('2027-07-12T08:00:00Z');
    w.app.followUp.run(w.clock.now);
    expect((await w.post(`${new URL(statusUrl).pathname}/follow-up/6`, null, { exporting: 'started', newMarkets: ['DK', 'FI'], exportShare: 'under-10', contribution: 'yes' })).statusCode).toBe(201);

    const [row] = lines((await extract('?cohortFrom=2027-01&cohortTo=2027-01')).body);
    expect(row).toMatchObject({
      cohortMonth: '2027-01', countyCode: 'SE-M', actorId: 'almi', sizeBand: '50-249', rightActorInTime: true, outcome: 'helped', feedback: 'yes', feedbackRightActorInTime: 'no',
      w6Exporting: 'started', w6NewMarkets: 'DK,FI', w6ExportShare: 'under-10', w6Contribution: 'yes', w12Exporting: null,
    });
    const csv = await extract('?cohortFrom=2027-01&cohortTo=2027-01', researcher, 'text/csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.charCodeAt(0)).toBe(0xfeff);
    const [header, line] = csv.body.slice(1).trim().split('\r\n');
    expect(header!.split(';')[0]).toBe('cohortMonth');
    expect(line).toContain(';true;helped;yes;no;started;DK,FI;under-10;yes;');
    for (const token of [w.tokens.analyst, w.tokens.admin, w.tokens.coordNational]) expect((await extract('', token)).statusCode).toBe(403);
    expect((await w.get('/v1/admin/audit', w.tokens.admin)).body).toContain('research-extract-read');
  });

  it("judges the right actor in time by the statistics' rule: a misrouted actor's contact does not count; every door has its channel", async () => {
    w.clock.set('2027-03-01T08:00:00Z'); // Monday 09.00 in Stockholm, due Tuesday 09.00
    const misrouted = await w.submit({ county: 'Skåne', message: LOAN });
    w.clock.advance(60 * 60_000);
    expect((await w.post(`/v1/cases/${misrouted}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${misrouted}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'Wants buyers abroad' })).statusCode).toBe(200);
    const phoned = await w.app.inject({
      method: 'POST', url: '/v1/cases', headers: { authorization: `Bearer ${w.tokens.almi}` },
      payload: { channel: 'phone', receivedAt: '2027-03-01T08:30:00Z', county: 'Skåne', message: LOAN, company: { name: 'Ringbolaget AB', employees: 3 }, contact: { name: 'Per', email: 'per@example.se' } },
    });
    expect(phoned.statusCode, phoned.body).toBe(201);
    w.clock.set('2027-03-03T08:00:00Z'); // past both deadlines, nobody reached by the right actor
    const rows = lines((await extract('?cohortFrom=2027-03&cohortTo=2027-03')).body);
    expect(rows.map((r) => [r.channel, r.actorId, r.rightActorInTime, r.sizeBand])).toEqual([
      ['form', 'almi', false, '10-49'],
      ['phone', 'almi', false, '0-9'],
    ]);
  });
});

describe('the research extract without its key', () => {
  it('answers 503 and says what to set', async () => {
    const w = await caseWorld();
    try {
      const token = w.app.apiKeys.create({ role: 'researcher', label: 'R' }, 'test').token;
      const r = await w.get('/v1/research/extract', token);
      expect(r.statusCode).toBe(503);
      expect(r.body).toContain('RESEARCH_PSEUDONYM_SECRET');
    } finally {
      await w.close();
    }
  });
});
