import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';

/**
 * What the audit asked (issue 9), on a small world worked through the real API, with every figure computed by
 * hand below. Stockholm is UTC+1; the working-day deadline is 24 working hours after arrival.
 *
 *   W  web form (entry point skane-form), Skåne, company X (12 employees). Mon 30 Nov 09:00, due Tue 09:00.
 *      Almi calls Mon 11:00, then refers it to Business Sweden as MISROUTED; Business Sweden e-mails Tue 14:00
 *      (late, 29 h). Closed helped. The company answers: right organisation in time? no; help? yes.
 *   A  web form, Skåne, company Y (5). Mon 09:30. Almi meets the company Mon 10:30 with Business Sweden (joint,
 *      1 h), refers it on for an ADDITIONAL NEED; Business Sweden calls Mon 15:00 (recorded, not counted). Closed
 *      helped. Answers: yes; partly.
 *   P  a PHONE call to Almi on Mon 23 Nov 10:00 (company Z, 60), registered a week late (Mon 30 Nov 12:00) with a
 *      contact at 10:15 that day: in time (15 min) and BACKDATED. Closed helped.
 *   T  web form, Skåne, a tax question: triage (out of scope: tax), Mon 10:00. The coordinator calls at 13:00 (3 h)
 *      and closes it referred-outside.
 *   H  an E-MAIL to Region Halland, Mon 08:00, company Y again, registered by its coordinator; routed; never
 *      contacted: overdue by Wednesday.
 *   M  web form, Skåne, Mon 14:00; Almi calls at 16:00 (2 h). An analyst then registers it as a MYSTERY-SHOPPING test.
 *
 * Queried on Wednesday 2 Dec 10:00.
 */
let w: CaseWorld;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
let references: Record<string, string>;
const at = (iso: string) => w.clock.set(iso);

async function form(extra: Record<string, unknown>) {
  const res = await w.post('/v1/inquiries', null, { contact: { name: 'Kontakt', email: 'k@example.se' }, county: 'Skåne', consent: true, message: LOAN, ...extra });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; reference: string; statusUrl: string; assignedActor: { id: string } | null; status: string };
}
const ok = async (p: Promise<{ statusCode: number; body: string }>, code = 200) => {
  const res = await p;
  expect(res.statusCode, res.body).toBe(code);
  return res;
};

beforeAll(async () => {
  w = await caseWorld();
  references = {};
  at('2026-11-30T07:00:00Z');
  const h = await w.post('/v1/cases', w.tokens.coordHalland, {
    channel: 'email', receivedAt: '2026-11-30T08:00:00+01:00', county: 'Halland', message: 'Vi vill hitta distributörer i Tyskland för våra produkter.',
    company: { name: 'Y AB', orgNumber: '556016-0680', employees: 5 }, contact: { name: 'Y', email: 'y@example.se' },
  });
  expect(h.statusCode, h.body).toBe(201);
  ids.H = h.json().id;

  at('2026-11-30T08:00:00Z');
  const wForm = await form({ company: { name: 'X AB', orgNumber: '556036-0793', employees: 12 }, entryPoint: 'skane-form' });
  ids.W = wForm.id;
  tokens.W = new URL(wForm.statusUrl).pathname.split('/').pop()!;
  expect(wForm.assignedActor?.id).toBe('almi');
  at('2026-11-30T08:30:00Z');
  const aForm = await form({ company: { name: 'Y AB', orgNumber: '556016-0680', employees: 5 } });
  ids.A = aForm.id;
  tokens.A = new URL(aForm.statusUrl).pathname.split('/').pop()!;
  at('2026-11-30T09:00:00Z');
  const tForm = await form({ company: { name: 'T' }, message: 'Hej, hur ändrar jag min preliminärskatt för enskild firma? Har haft bättre år än beräknat.' });
  expect(tForm.status).toBe('triage');
  ids.T = tForm.id;

  at('2026-11-30T09:30:00Z');
  await ok(w.post(`/v1/cases/${ids.A}/first-contact`, w.tokens.almi, { channel: 'meeting', at: '2026-11-30T10:30:00+01:00', withActors: ['business-sweden'] }));
  at('2026-11-30T10:00:00Z');
  await ok(w.post(`/v1/cases/${ids.W}/first-contact`, w.tokens.almi, { channel: 'phone' }));
  at('2026-11-30T10:30:00Z');
  await ok(w.post(`/v1/cases/${ids.W}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'Wants buyers in Germany, not a loan' }));
  at('2026-11-30T11:00:00Z');
  await ok(w.post(`/v1/cases/${ids.A}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'additional-need', reason: 'Loan arranged; also wants a market study' }));

  at('2026-11-30T11:00:00Z');
  const p = await w.post('/v1/cases', w.tokens.almi, {
    channel: 'phone', receivedAt: '2026-11-23T10:00:00+01:00', county: 'SE-M', message: LOAN,
    company: { name: 'Z AB', orgNumber: '556703-7485', employees: 60 }, contact: { name: 'Z', email: 'z@example.se', phone: '040-123 45' },
  }, { 'idempotency-key': 'crm-case-4711' });
  expect(p.statusCode, p.body).toBe(201);
  ids.P = p.json().id;
  references.P = p.json().reference;
  await ok(w.post(`/v1/cases/${ids.P}/first-contact`, w.tokens.almi, { channel: 'phone', at: '2026-11-23T10:15:00+01:00', note: 'Answered the call myself' }));

  at('2026-11-30T12:00:00Z');
  await ok(w.post(`/v1/cases/${ids.T}/first-contact`, w.tokens.coordSkane, { channel: 'phone' }));
  await ok(w.post(`/v1/cases/${ids.T}/close`, w.tokens.coordSkane, { outcome: 'referred-outside', note: 'Skatteverket answers VAT questions' }));
  at('2026-11-30T13:00:00Z');
  const mForm = await form({ company: { name: 'M' } });
  ids.M = mForm.id;
  tokens.M = new URL(mForm.statusUrl).pathname.split('/').pop()!;
  references.M = mForm.reference;
  at('2026-11-30T14:00:00Z');
  await ok(w.post(`/v1/cases/${ids.A}/first-contact`, w.tokens.bs, { channel: 'phone' }));
  at('2026-11-30T15:00:00Z');
  await ok(w.post(`/v1/cases/${ids.M}/first-contact`, w.tokens.almi, { channel: 'phone' }));

  at('2026-12-01T13:00:00Z');
  await ok(w.post(`/v1/cases/${ids.W}/first-contact`, w.tokens.bs, { channel: 'email' }));
  at('2026-12-01T15:00:00Z');
  await ok(w.post(`/v1/cases/${ids.W}/close`, w.tokens.bs, { outcome: 'helped' }));
  await ok(w.post(`/v1/cases/${ids.A}/close`, w.tokens.bs, { outcome: 'helped' }));
  await ok(w.post(`/v1/cases/${ids.P}/close`, w.tokens.almi, { outcome: 'helped' }));
  await ok(w.post(`/v1/status/${tokens.W}/feedback`, null, { rightActorInTime: 'no', gotHelp: 'yes' }), 201);
  await ok(w.post(`/v1/status/${tokens.A}/feedback`, null, { rightActorInTime: 'yes', gotHelp: 'partly' }), 201);
  at('2026-12-02T09:00:00Z');
});
afterAll(async () => { await w.close(); });

const stats = async (path: string, token = w.tokens.analyst, headers: Record<string, string> = {}) => {
  const res = await w.get(`/v1/stats/${path}`, token, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res;
};
const PERIOD = 'from=2026-11-23&to=2026-11-30';
const ALL = 'from=2026-11-01&to=2026-12-31';

describe('every door: inquiries registered by caseworkers and coordinators', () => {
  it('registers a phone inquiry a week late: its deadline runs from when the company called, the caseworker holds it', async () => {
    const res = await w.get(`/v1/cases/${ids.P}`, w.tokens.almi);
    expect(res.json()).toMatchObject({
      channel: 'phone', entryPoint: null, receivedAt: '2026-11-23T09:00:00.000Z', assignedActor: { id: 'almi' },
      claimedBy: { keyId: w.keyIds.almi }, firstAssignedActor: { id: 'almi' }, county: { code: 'SE-M' },
      deadline: { dueAt: '2026-11-24T09:00:00.000Z', state: 'met', firstContactAt: '2026-11-23T09:15:00.000Z' },
    });
    expect(references.P).toMatch(/^REC-2026-\d{6}$/);
    const events = (await w.get(`/v1/cases/${ids.P}/events`, w.tokens.almi)).json().items as { type: string; at: string; by: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.type)).toEqual(['received', 'located', 'classified', 'assigned', 'deadline-set', 'claimed', 'first-contact', 'closed']);
    expect(events[0]).toMatchObject({ at: '2026-11-23T09:00:00.000Z', by: w.keyIds.almi, data: { channel: 'phone', registered: true, recordedAt: '2026-11-30T11:00:00.000Z' } });
    expect(events[3]!.data).toMatchObject({ to: 'almi', registered: true, routingSuggested: 'almi' });
  });

  it('flags a contact recorded long after the instant it claims as backdated, showing both instants, and refuses nothing', async () => {
    const events = (await w.get(`/v1/cases/${ids.P}/events`, w.tokens.almi)).json().items as { type: string; at: string; data: Record<string, unknown> }[];
    expect(events.find((e) => e.type === 'first-contact')).toMatchObject({
      at: '2026-11-23T09:15:00.000Z', data: { actorId: 'almi', counted: true, backdated: true, recordedAt: '2026-11-30T11:00:00.000Z' },
    });
    const recent = (await w.get(`/v1/cases/${ids.M}/events`, w.tokens.almi)).json().items.find((e: { type: string }) => e.type === 'first-contact');
    expect(recent.data.backdated).toBeUndefined();
  });

  it('takes an Idempotency-Key per API key, and refuses an arrival in the future or older than MAX_BACKDATED_DAYS', async () => {
    const body = {
      channel: 'phone', receivedAt: '2026-11-23T10:00:00+01:00', county: 'SE-M', message: LOAN,
      company: { name: 'Z AB', orgNumber: '556703-7485', employees: 60 }, contact: { name: 'Z', email: 'z@example.se', phone: '040-123 45' },
    };
    const replay = await w.post('/v1/cases', w.tokens.almi, body, { 'idempotency-key': 'crm-case-4711' });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(ids.P);
    const future = await w.post('/v1/cases', w.tokens.almi, { ...body, receivedAt: '2026-12-02T12:00:00+01:00' });
    expect(future.statusCode).toBe(400);
    expect(future.json().invalidParams[0].name).toBe('body.receivedAt');
    const old = await w.post('/v1/cases', w.tokens.almi, { ...body, receivedAt: '2026-11-17T09:00:00+01:00' });
    expect(old.statusCode).toBe(400);
    expect(old.json().detail).toMatch(/MAX_BACKDATED_DAYS/);
    expect((await w.post('/v1/cases', w.tokens.almi, { ...body, channel: 'form' })).statusCode).toBe(400);
    expect((await w.post('/v1/cases', w.tokens.analyst, body)).statusCode).toBe(403);
    expect((await w.post('/v1/cases', w.tokens.almiHalland, body)).statusCode).toBe(403); // a key for Halland only
    expect((await w.post('/v1/cases', w.tokens.coordHalland, body)).statusCode).toBe(403);
  });

  it("routes a coordinator's registration like any inquiry, and lets a caseworker route one on", async () => {
    const h = (await w.get(`/v1/cases/${ids.H}`, w.tokens.coordHalland)).json();
    expect(h).toMatchObject({ channel: 'email', status: 'assigned', claimedBy: null, county: { code: 'SE-N' } });
    expect(h.assignedActor.id).toBe('business-sweden');
    const routedOn = await w.post('/v1/cases', w.tokens.almi, {
      channel: 'event', receivedAt: '2026-12-02T09:30:00+01:00', county: 'SE-M', message: 'Vi söker distributörer och kunder i Tyskland.',
      company: { name: 'E AB' }, contact: { name: 'E', email: 'e@example.se' }, assignTo: 'routing', entryPoint: 'export-day-malmo',
    });
    expect(routedOn.statusCode, routedOn.body).toBe(201);
    expect(routedOn.json()).toMatchObject({ channel: 'event', status: 'assigned', assignedActor: { id: 'business-sweden' } });
    expect((await w.get(`/v1/cases/${routedOn.json().id}`, w.tokens.almi)).statusCode).toBe(404); // routed on: no longer Almi's
    const bad = await w.post('/v1/cases', w.tokens.almi, {
      channel: 'visit', receivedAt: '2026-12-02T09:30:00+01:00', county: 'SE-M', message: LOAN, company: { name: 'F' }, contact: { name: 'F', email: 'f@example.se' }, assignTo: 'chamber-stockholm',
    });
    expect(bad.statusCode).toBe(422);
  });

  it('takes an entry point on web intake, and refuses one that is not a short slug', async () => {
    expect((await w.get(`/v1/cases/${ids.W}`, w.tokens.bs)).json()).toMatchObject({ channel: 'form', entryPoint: 'skane-form' });
    const bad = await w.post('/v1/inquiries', null, { contact: { name: 'K', email: 'k@example.se' }, company: { name: 'K' }, consent: true, message: LOAN, entryPoint: 'Skåne Form!' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().invalidParams[0].name).toMatch(/entryPoint/);
  });
});

describe('the figures the audit asked for', () => {
  let registered = false;
  const registerTest = async () => {
    if (registered) return;
    await ok(w.post('/v1/stats/tests', w.tokens.analyst, { reference: references.M, expectedActor: 'almi' }), 201);
    registered = true;
  };

  it('counts right-actor contact, first responses, backdated contacts, outcomes, companies helped and the two answers', async () => {
    await registerTest();
    const body = (await stats(`compliance?${PERIOD}`)).json();
    expect(body.total).toEqual({
      received: 5, contactedInTime: 3, contactedLate: 1, openInTime: 0, openOverdue: 1, closedWithoutContact: 0, complianceRate: 0.6,
      firstResponseInTime: 4, medianHoursToFirstContact: 2, p90HoursToFirstContact: 21.2, backdatedContacts: 1,
      referrals: 2, misroutedReferrals: 1, rightFirstTime: 0.75, distinctCompanies: 3, companiesHelped: 3, triaged: 1, jointWork: 1,
      closed: 4, outcomeHelped: 3, outcomeReferredOutside: 1, outcomeNoReply: 0, outcomeDuplicate: 0, outcomeWithdrawn: 0, outcomeSpam: 0,
      feedbackResponses: 2, feedbackResponseRate: 0.5, companyConfirmedRightActorRate: 0.5, helpRate: 0.5, partlyHelpedRate: 0.5,
      feedbackRightHelpRate: 0.5, target: 0.8, targetMet: false,
    });
  });

  it('gives the worked misrouted example: in time by the wrong actor, late by the right one', async () => {
    const w1 = (await stats('compliance?from=2026-11-30&to=2026-11-30&groupBy=entryPoint')).json().groups.find((g: { entryPoint: string | null }) => g.entryPoint === 'skane-form');
    expect(w1).toMatchObject({
      received: 1, firstResponseInTime: 1, contactedInTime: 0, contactedLate: 1, complianceRate: 0, rightFirstTime: 0,
      medianHoursToFirstContact: 29, referrals: 1, misroutedReferrals: 1, companyConfirmedRightActorRate: 0,
    });
  });

  it('groups by channel, entry point, size band and triage reason (unmet demand)', async () => {
    const by = async (d: string) => (await stats(`compliance?${PERIOD}&groupBy=${d}`)).json().groups.map((g: Record<string, unknown>) => [g[d], g.received, g.contactedInTime]);
    expect(await by('channel')).toEqual([['email', 1, 0], ['form', 3, 2], ['phone', 1, 1]]);
    expect(await by('entryPoint')).toEqual([[null, 4, 3], ['skane-form', 1, 0]]);
    expect(await by('sizeBand')).toEqual([['0-9', 2, 1], ['10-49', 1, 0], ['50-249', 1, 1], ['unknown', 1, 1]]);
    expect(await by('triageReason')).toEqual([[null, 4, 2], ['tax', 1, 1]]);
    const mixed = (await stats(`compliance?${PERIOD}&groupBy=actor,channel`)).json().groups.map((g: Record<string, unknown>) => [g.actor, g.channel, g.received]);
    expect(mixed).toEqual([[null, 'form', 1], ['almi', 'form', 2], ['almi', 'phone', 1], ['business-sweden', 'email', 1]]);
  });

  it('lets a coordinator read its own county, with the nation beside it, and refuses another county', async () => {
    const skane = (await stats(`compliance?${PERIOD}`, w.tokens.coordSkane)).json();
    // Coordinators count the mystery test M like any inquiry: contacted in time by Almi after 2 h.
    expect(skane.total).toMatchObject({ received: 5, contactedInTime: 4, contactedLate: 1, openOverdue: 0, complianceRate: 0.8, targetMet: true, medianHoursToFirstContact: 2, p90HoursToFirstContact: 18.6 });
    expect(skane.benchmark.total).toMatchObject({ received: 6, contactedInTime: 4, contactedLate: 1, openOverdue: 1, complianceRate: 0.6667 });
    for (const path of [`compliance?${PERIOD}&county=SE-N`, `referrals?${PERIOD}&county=Halland`, 'indicators?year=2026&county=13']) {
      const res = await w.get(`/v1/stats/${path}`, w.tokens.coordSkane);
      expect(res.statusCode, path).toBe(403);
    }
    const halland = (await stats(`compliance?${PERIOD}&county=Halland`, w.tokens.coordHalland)).json();
    expect(halland.total).toMatchObject({ received: 1, openOverdue: 1, complianceRate: 0 });
    expect(halland.benchmark.total.received).toBe(6);
    expect((await w.get(`/v1/stats/compliance?${PERIOD}`, w.tokens.almi)).statusCode).toBe(403);
  });

  it('gives the referral matrix by kind, with referrals outside the partnership', async () => {
    const body = (await stats(`referrals?${PERIOD}`)).json();
    expect(body.matrix).toEqual([
      { from: 'almi', to: 'business-sweden', kind: 'additional-need', referrals: 1, companies: 1 },
      { from: 'almi', to: 'business-sweden', kind: 'misrouted', referrals: 1, companies: 1 },
    ]);
    expect(body.outsideByActor).toEqual([{ actor: null, referredOutside: 1 }]);
    expect(body.totals).toEqual({ referrals: 2, misrouted: 1, additionalNeed: 1, unspecified: 0, referredOutside: 1, inquiriesReferred: 2, companiesReferred: 2 });
    expect(body.benchmark).toEqual({ scope: 'national', totals: body.totals });
    const bs = (await stats(`referrals?${PERIOD}&actor=business-sweden&county=SE-N`, w.tokens.coordHalland)).json();
    expect(bs).toMatchObject({ matrix: [], totals: { referrals: 0 }, benchmark: { totals: { referrals: 2 } } });
    const csv = (await stats(`referrals?${PERIOD}`, w.tokens.analyst, { accept: 'text/csv' })).body.replace(/^\uFEFF/, '').split('\r\n');
    expect(csv.slice(0, 4)).toEqual([
      'row;from;to;kind;referrals;companies',
      'referral;almi;business-sweden;additional-need;1;1',
      'referral;almi;business-sweden;misrouted;1;1',
      'outside-partnership;;;referred-outside;1;',
    ]);
  });

  it('gives the indicators of the regional export centres, each with its definition, as JSON and CSV', async () => {
    const body = (await stats('indicators?year=2026&county=Sk%C3%A5ne')).json();
    const values = Object.fromEntries(body.indicators.map((i: { id: string; value: number | null }) => [i.id, i.value]));
    expect(values).toEqual({
      'inquiries-received': 5, 'companies-asking': 3, 'companies-reached': 3, 'companies-advised-phone-email': 3, 'companies-referred': 2,
      'companies-visited': 1, 'joint-visits': 1, 'companies-helped': 3, 'right-actor-one-working-day': 0.75, 'companies-confirm-right-actor': 0.5,
    });
    for (const i of body.indicators) expect(i.definition.length, i.id).toBeGreaterThan(40);
    const national = Object.fromEntries(body.benchmark.indicators.map((i: { id: string; value: number | null }) => [i.id, i.value]));
    // Also the event visitor registered on Wednesday (Skåne, still in time) and Halland's e-mail (overdue).
    expect(national).toMatchObject({ 'inquiries-received': 6, 'companies-asking': 3, 'right-actor-one-working-day': 0.6 });
    const csv = await stats('indicators?year=2026&county=SE-M', w.tokens.analyst, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('id;name;nameSv;unit;year;county;value;national;target;definition');
    expect(lines.find((l) => l.startsWith('right-actor-one-working-day;'))).toMatch(/;share;2026;SE-M;0,75;0,6;0,8;/);
    expect(lines.find((l) => l.startsWith('companies-asking;'))).toMatch(/^companies-asking;Companies that asked;Företag som frågat;companies;2026;SE-M;3;3;;/);
  });
});

describe('the mystery-shopping test', () => {
  it('changes nothing a caseworker or coordinator can see, and leaves the test out of the analysts\' figures', async () => {
    // A fictitious question through a real door: the web form.
    const second = await form({ company: { name: 'N' } });
    ids.N = second.id;
    const token = new URL(second.statusUrl).pathname.split('/').pop()!;
    const snapshot = async () => {
      const bodies: Record<string, string> = {};
      for (const [name, key, url] of [
        ['case (caseworker)', w.tokens.almi, `/v1/cases/${ids.N}`],
        ['events (caseworker)', w.tokens.almi, `/v1/cases/${ids.N}/events`],
        ['deadline (caseworker)', w.tokens.almi, `/v1/cases/${ids.N}/deadline`],
        ['case (coordinator)', w.tokens.coordSkane, `/v1/cases/${ids.N}`],
        ['events (coordinator)', w.tokens.coordSkane, `/v1/cases/${ids.N}/events`],
        ['list (caseworker)', w.tokens.almi, '/v1/cases?limit=100'],
        ['poll (caseworker)', w.tokens.almi, '/v1/cases?updatedSince=2026-11-01T00:00:00Z&limit=100'],
        ['list (coordinator)', w.tokens.coordSkane, '/v1/cases?limit=100'],
        ['triage (coordinator)', w.tokens.coordSkane, '/v1/triage'],
        ['status link (company)', null, `/v1/status/${token}`],
        ['compliance (coordinator)', w.tokens.coordSkane, `/v1/stats/compliance?${ALL}&groupBy=channel,entryPoint,sizeBand,triageReason`],
        ['compliance by actor and week (national coordinator)', w.tokens.coordNational, `/v1/stats/compliance?${ALL}&groupBy=actor,week`],
        ['referrals (coordinator)', w.tokens.coordSkane, `/v1/stats/referrals?${ALL}`],
        ['indicators (national coordinator)', w.tokens.coordNational, '/v1/stats/indicators?year=2026'],
        ['metrics', w.app.apiKeys.create({ role: 'metrics', label: 'Prometheus' }, 'test').token, '/metrics'],
      ] as [string, string | null, string][]) {
        const res = await w.get(url, key);
        expect(res.statusCode, name).toBe(200);
        // Of the metrics, the service's own figures (request timings and process figures move by themselves).
        const body = url === '/metrics' ? res.body.split('\n').filter((l) => l.startsWith('en_dorr_in_')).join('\n') : res.body;
        bodies[name] = `${String(res.headers.etag ?? '')}\n${body}`;
      }
      return bodies;
    };
    const row = () => w.db.$client.prepare('SELECT * FROM inquiries WHERE id = ?').get(ids.N);
    const events = () => w.db.$client.prepare('SELECT * FROM inquiry_events WHERE inquiry_id = ? ORDER BY id').all(ids.N);
    const before = { seen: await snapshot(), row: row(), events: events() };
    const analystBefore = (await stats(`compliance?${ALL}`)).json().total.received;

    await ok(w.post('/v1/stats/tests', w.tokens.analyst, { reference: second.reference, expectedActor: 'een' }), 201);

    // No field, event, version, list, status link, deadline, notification or figure of theirs changes.
    expect(await snapshot()).toEqual(before.seen);
    expect(row()).toEqual(before.row);
    expect(events()).toEqual(before.events);
    expect(JSON.stringify(before.seen)).not.toMatch(/mystery|"isTest"|"test"|expectedActor/i);
    // The analysts' figures leave the tests out by default (M and now N); includeTests counts them like the coordinators do.
    expect((await stats(`compliance?${ALL}`)).json().total.received).toBe(analystBefore - 1);
    const withTests = (await stats(`compliance?${ALL}&includeTests=true`)).json().total.received;
    expect(withTests).toBe(analystBefore + 1);
    expect((await stats(`compliance?${ALL}`, w.tokens.coordNational)).json().total.received).toBe(withTests);
  });

  it('is scored at GET /v1/stats/tests: routed to the expected actor, right-actor contact in time, time to contact', async () => {
    const body = (await stats('tests?from=2026-11-01&to=2026-12-31')).json();
    expect(body.tests).toEqual([
      {
        reference: references.M, receivedAt: '2026-11-30T13:00:00.000Z', channel: 'form', county: 'SE-M', expectedActor: 'almi', routedActor: 'almi',
        routedToExpected: true, contactedBy: 'almi', contactedAt: '2026-11-30T15:00:00.000Z', hoursToContact: 2, deadlineAt: '2026-12-01T13:00:00.000Z',
        contactedInTime: true, expectedActorInTime: true,
      },
      expect.objectContaining({ expectedActor: 'een', routedActor: 'almi', routedToExpected: false, contactedBy: null, contactedInTime: false, expectedActorInTime: false }),
    ]);
    expect(body.total).toEqual({ tests: 2, routedToExpected: 1, contactedInTime: 1, expectedActorInTime: 1, expectedActorInTimeRate: 0.5, medianHoursToContact: 2 });
    expect(body.byCounty).toEqual([{ county: 'SE-M', ...body.total }]);
    expect(body.byActor.map((a: { expectedActor: string; tests: number }) => [a.expectedActor, a.tests])).toEqual([['almi', 1], ['een', 1]]);
    expect(body.benchmark.total).toEqual(body.total);
  });

  it('is for analysts and admins only, by a reference within their counties, once', async () => {
    for (const token of [w.tokens.almi, w.tokens.coordSkane, w.tokens.coordNational]) {
      expect((await w.post('/v1/stats/tests', token, { reference: references.M, expectedActor: 'almi' })).statusCode).toBe(403);
      expect((await w.get('/v1/stats/tests?from=2026-11-01&to=2026-12-31', token)).statusCode).toBe(403);
    }
    expect((await w.post('/v1/stats/tests', w.tokens.analyst, { reference: references.M, expectedActor: 'almi' })).statusCode).toBe(409);
    expect((await w.post('/v1/stats/tests', w.tokens.analyst, { reference: 'REC-2026-999999', expectedActor: 'almi' })).statusCode).toBe(404);
    expect((await w.post('/v1/stats/tests', w.tokens.analyst, { reference: references.P, expectedActor: 'nobody' })).statusCode).toBe(400);
    const halland = w.app.apiKeys.create({ role: 'analyst', label: 'Halland', counties: ['SE-N'] }, 'test').token;
    expect((await w.post('/v1/stats/tests', halland, { reference: references.P, expectedActor: 'almi' })).statusCode).toBe(404);
    expect((await w.get('/v1/stats/tests?from=2026-11-01&to=2026-12-31', halland)).json().tests).toEqual([]);
  });
});
