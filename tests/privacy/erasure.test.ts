import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, LOAN, type CaseWorld } from '../cases/helpers.js';
import { createErasureService } from '../../src/privacy/service.js';
import { openStatsProjection } from '../../src/stats/open.js';
import { consistencyProblems, integrityCheck } from '../hardening/consistency.js';
import { createAuditLog } from '../../src/audit/service.js';

/**
 * GDPR erasure through the API (one case, all of one company's inquiries), retention driven directly,
 * and the masking of a sole trader's personnummer everywhere but the assigned caseworker's view.
 */
const DAY = 24 * HOUR;
const SOLE_TRADER = { name: 'Greta Personssons Snickeri', orgNumber: '121212-1212' };
const PERSONAL = {
  company: SOLE_TRADER,
  contact: { name: 'Greta Personsson', email: 'greta.personsson@example.se', phone: '+46 70 999 88 77' },
  subject: 'Lån till ny hyvelmaskin',
};
const SECRETS = ['Greta', 'Personsson', 'greta.personsson@example.se', '999 88 77', '121212-1212', '1212121212', 'hyvelmaskin', 'Ring mig på kvällen', 'Kalle Kontaktsson'];

let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

const row = (id: string) => w.db.$client.prepare('SELECT * FROM inquiries WHERE id = ?').get(id) as Record<string, unknown>;
const facts = (id: string) => w.db.$client.prepare('SELECT * FROM case_facts WHERE inquiry_id = ?').get(id) as Record<string, unknown>;
const etag = async (id: string, token: string) => (await w.get(`/v1/cases/${id}`, token)).headers.etag as string;

/** A sole trader's inquiry in Skåne worked to the end: first contact with a note, closed, feedback with a comment. */
async function workedCase(overrides: Record<string, unknown> = {}) {
  const res = await w.post('/v1/inquiries', null, {
    ...PERSONAL, county: 'Skåne', consent: true,
    message: `${LOAN} Ring mig på kvällen, Greta Personsson 070-999 88 77, personnummer 121212-1212.`, ...overrides,
  }, { 'idempotency-key': `key-${Math.random().toString(36).slice(2)}` });
  expect(res.statusCode).toBe(201);
  const { id, statusUrl } = res.json();
  w.clock.advance(HOUR);
  expect((await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', note: 'Talade med Greta Personsson, ring 070-999 88 77' }, { 'if-match': await etag(id, w.tokens.almi) })).statusCode).toBe(200);
  expect((await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'Kalle Kontaktsson på banken är kontaktperson' })).statusCode).toBe(200);
  expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped', note: 'Greta fick hjälp' })).statusCode).toBe(200);
  const token = new URL(statusUrl).pathname.split('/').pop()!;
  expect((await w.post(`/v1/status/${token}/feedback`, null, { rightActorInTime: 'yes', gotHelp: 'yes', comment: 'Tack! /Greta Personsson' })).statusCode).toBe(201);
  return { id, token };
}

function expectNoSecrets(text: string) {
  for (const s of SECRETS) expect(text, `"${s}" must be gone`).not.toContain(s);
}

describe('POST /v1/cases/{id}/erase', () => {
  it('replaces the personal fields, blanks notes and the feedback comment, keeps facts and statistics, records an event', async () => {
    const { id, token } = await workedCase();
    const factsBefore = facts(id);
    const statsBefore = (await w.get('/v1/stats/compliance?from=2026-11-01&to=2026-12-31', w.tokens.analyst)).json();
    const versionBefore = row(id).version as number;

    w.clock.advance(HOUR);
    const res = await w.post(`/v1/cases/${id}/erase`, w.tokens.coordSkane, { requestReference: 'DNR-2026/123' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, erasedAt: new Date(w.clock.now).toISOString(), alreadyErased: false });

    // The row: markers and nulls where personal data was; the facts statistics read are untouched.
    const r = row(id);
    expect(r).toMatchObject({
      company_name: '[raderad]', org_number: null, org_number_is_personal: 1, contact_name: '[raderad]', contact_email: '[raderad]',
      contact_phone: null, subject: null, message: '[raderad]', erased_at: w.clock.now, version: versionBefore + 1, status: 'closed',
    });
    expectNoSecrets(JSON.stringify(r));
    expect(facts(id)).toEqual(factsBefore); // the company id (no hash, no number) stays for distinct-company counts
    const notes = w.db.$client.prepare('SELECT text, erased_at FROM case_notes WHERE inquiry_id = ?').all(id) as { text: string | null; erased_at: number | null }[];
    expect(notes.length).toBe(3);
    expect(notes.every((n) => n.text === null && n.erased_at === w.clock.now)).toBe(true);
    expect(w.db.$client.prepare('SELECT answer, comment FROM case_feedback WHERE inquiry_id = ?').get(id)).toEqual({ answer: 'yes', comment: null });
    expect(w.db.$client.prepare('SELECT COUNT(*) AS n FROM idempotency_keys WHERE inquiry_id = ?').get(id)).toEqual({ n: 0 });

    // Through the API: the assigned caseworker sees markers, the history is whole and names the erasure.
    const detail = await w.get(`/v1/cases/${id}`, w.tokens.almi);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ company: { name: '[raderad]', orgNumber: null }, contact: { name: '[raderad]', email: '[raderad]', phone: null }, subject: null, message: '[raderad]' });
    const events = (await w.get(`/v1/cases/${id}/events`, w.tokens.coordSkane)).json().items as { type: string; by: string; byRole: string; data: Record<string, unknown>; note: { text: string | null } | null }[];
    expectNoSecrets(JSON.stringify(events));
    const erased = events.filter((e) => e.type === 'personal-data-erased');
    expect(erased).toHaveLength(1);
    expect(erased[0]).toMatchObject({ by: w.keyIds.coordSkane, byRole: 'coordinator', data: { reason: 'request', requestReference: 'DNR-2026/123', notesErased: 3, feedbackCommentErased: true } });
    expect(events.filter((e) => e.note).every((e) => e.note!.text === null)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['received', 'first-contact', 'note-added', 'closed', 'feedback-received']));

    // Statistics are the same; the company's status link still works and shows no personal data.
    expect((await w.get('/v1/stats/compliance?from=2026-11-01&to=2026-12-31', w.tokens.analyst)).json().total).toEqual(statsBefore.total);
    const status = await w.get(`/v1/status/${token}`, null);
    expect(status.statusCode).toBe(200);
    expect(status.json().followUp.answer).toEqual({ rightActorInTime: 'yes', gotHelp: 'yes' });

    expect(integrityCheck(w.db.$client)).toEqual(['ok']);
    expect(consistencyProblems(w.db.$client)).toEqual([]);
  });

  it('is idempotent: a second erasure changes nothing and says when it was done', async () => {
    const { id } = await workedCase();
    const first = (await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).json();
    const version = row(id).version;
    w.clock.advance(DAY);
    const second = await w.post(`/v1/cases/${id}/erase`, w.tokens.coordNational);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ id, erasedAt: first.erasedAt, alreadyErased: true });
    expect(row(id).version).toBe(version);
    const count = w.db.$client.prepare("SELECT COUNT(*) AS n FROM inquiry_events WHERE inquiry_id = ? AND type = 'personal-data-erased'").get(id);
    expect(count).toEqual({ n: 1 });
  });

  it('is for admins and coordinators in their counties; others get 401, 403 or 404', async () => {
    const id = await w.submit(PERSONAL);
    expect((await w.post(`/v1/cases/${id}/erase`, null)).statusCode).toBe(401);
    for (const token of [w.tokens.almi, w.tokens.analyst, w.tokens.intake]) {
      const res = await w.post(`/v1/cases/${id}/erase`, token);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.coordHalland)).statusCode).toBe(404); // Skåne's case
    expect((await w.post('/v1/cases/00000000-0000-4000-8000-000000000000/erase', w.tokens.admin)).statusCode).toBe(404);
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.admin, { requestReference: 'Greta Personsson' })).statusCode).toBe(400); // no names in the history
    expect(row(id).erased_at).toBeNull();
    // An open case can be erased too; the work on it goes on.
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.coordSkane)).json().alreadyErased).toBe(false);
    expect((await w.post(`/v1/cases/${id}/claim`, w.tokens.almi)).statusCode).toBe(200);
  });
});

describe('POST /v1/admin/erasure (all of one company)', () => {
  it("erases a legal entity's inquiries but keeps its name and number; a coordinator only in its counties", async () => {
    const company = { name: 'Exportbolaget AB', orgNumber: '556036-0793' };
    const skane = [await w.submit({ company, contact: PERSONAL.contact }), await w.submit({ company, contact: PERSONAL.contact })];
    const halland = await w.submit({ company, contact: PERSONAL.contact, county: 'Halland' });
    const other = await w.submit({ company: { name: 'Annat AB' }, contact: PERSONAL.contact });

    const bySkane = await w.post('/v1/admin/erasure', w.tokens.coordSkane, { orgNumber: '5560360793', requestReference: 'DNR-7' });
    expect(bySkane.statusCode).toBe(200);
    expect(bySkane.json()).toMatchObject({ erased: 2, alreadyErased: 0, outsideYourCounties: 1 });
    expect(bySkane.json().matched).toBe(2);
    for (const id of skane) expect(row(id)).toMatchObject({ company_name: 'Exportbolaget AB', org_number: '5560360793', contact_name: '[raderad]', contact_email: '[raderad]' });
    expect(row(halland).erased_at).toBeNull();
    expect(row(other).erased_at).toBeNull();

    const byAdmin = await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: '556036-0793' });
    expect(byAdmin.json()).toEqual({ matched: 3, erased: 1, alreadyErased: 2, outsideYourCounties: 0 });
    expect(row(halland).contact_name).toBe('[raderad]');
    expect((await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: '556036-0793' })).json()).toEqual({ matched: 3, erased: 0, alreadyErased: 3, outsideYourCounties: 0 });
  });

  it("erases a sole trader's personnummer and keeps no hash of it: a second request finds nothing left", async () => {
    const ids = [await w.submit(PERSONAL), await w.submit(PERSONAL)];
    const statsBefore = (await w.get('/v1/stats/compliance?from=2026-01-01&to=2029-12-31', w.tokens.analyst)).json().total;
    const res = await w.post('/v1/admin/erasure', w.tokens.coordNational, { orgNumber: '19121212-1212' });
    expect(res.statusCode).toBe(200);
    expect(res.json().erased).toBeGreaterThanOrEqual(2); // and any left by earlier tests in this world
    for (const id of ids) expectNoSecrets(JSON.stringify(row(id)));
    // The statistics still count the company once; it is a bare id now, with no keyed hash left to recognise it by.
    const company = facts(ids[0]!).company_id as number;
    expect(facts(ids[1]!).company_id).toBe(company);
    expect(w.db.$client.prepare('SELECT org_key FROM stats_companies WHERE id = ?').get(company)).toEqual({ org_key: null });
    expect((await w.get('/v1/stats/compliance?from=2026-01-01&to=2029-12-31', w.tokens.analyst)).json().total).toEqual(statsBefore);
    // Nothing of the number is left to find the erased inquiries by: erasing again finds nothing to do.
    expect((await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: '121212-1212' })).json()).toEqual({ matched: 0, erased: 0, alreadyErased: 0, outsideYourCounties: 0 });
  });

  it('refuses other roles and invalid numbers', async () => {
    expect((await w.post('/v1/admin/erasure', w.tokens.almi, { orgNumber: '556036-0793' })).statusCode).toBe(403);
    expect((await w.post('/v1/admin/erasure', w.tokens.analyst, { orgNumber: '556036-0793' })).statusCode).toBe(403);
    expect((await w.post('/v1/admin/erasure', null, { orgNumber: '556036-0793' })).statusCode).toBe(401);
    const bad = await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: '556036-0794' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().invalidParams[0].name).toBe('body.orgNumber');
  });
});

describe('retention', () => {
  it('erases closed cases RETENTION_DAYS after closing, as the system, once; open and recent ones stay', async () => {
    const retention = createErasureService({ db: w.db, clock: w.clock.fn, audit: createAuditLog({ db: w.db, clock: w.clock.fn }), batchSize: 2, projection: openStatsProjection(w.db, w.config).projection });
    // Earlier tests left closed, unerased cases in the shared world: clear the backlog first.
    w.clock.advance(400 * DAY);
    retention.eraseExpired(w.clock.now, 365);

    const old1 = (await workedCase()).id;
    const old2 = (await workedCase()).id;
    const old3 = (await workedCase()).id;
    w.clock.advance(200 * DAY);
    const recent = (await workedCase()).id;
    const open = await w.submit(PERSONAL);

    w.clock.advance(166 * DAY); // old ones closed 366 days ago, recent 166
    const erased = retention.eraseExpired(w.clock.now, 365);
    expect(erased).toBe(3); // in batches of 2
    for (const id of [old1, old2, old3]) expect(row(id)).toMatchObject({ contact_name: '[raderad]', erased_at: w.clock.now });
    expect(row(recent).erased_at).toBeNull();
    expect(row(open).erased_at).toBeNull();
    const event = w.db.$client.prepare("SELECT by, by_role AS byRole, data FROM inquiry_events WHERE inquiry_id = ? AND type = 'personal-data-erased'").get(old1) as { by: string; byRole: string | null; data: string };
    expect(event).toMatchObject({ by: 'system', byRole: null });
    expect(JSON.parse(event.data)).toMatchObject({ reason: 'retention' });
    expect(retention.eraseExpired(w.clock.now, 365)).toBe(0);
    w.clock.advance(200 * DAY);
    expect(retention.eraseExpired(w.clock.now, 365)).toBe(1); // now the recent one
    expect(row(open).erased_at).toBeNull();
  });
});

describe("a sole trader's personnummer is shown only to the assigned caseworker", () => {
  it('is masked or absent in lists, triage, events, statistics, import reports and for other keys', async () => {
    const id = await w.submit(PERSONAL);
    const triaged = await w.submit({ ...PERSONAL, message: 'Hej' });
    const full = (await w.get(`/v1/cases/${id}`, w.tokens.almi)).json();
    expect(full.company.orgNumber).toBe('121212-1212');
    const seen: string[] = [
      (await w.get(`/v1/cases/${id}`, w.tokens.coordSkane)).body,
      (await w.get(`/v1/cases/${id}`, w.tokens.coordNational)).body,
      (await w.get(`/v1/cases/${triaged}`, w.tokens.coordSkane)).body,
      (await w.get('/v1/cases?limit=100', w.tokens.almi)).body,
      (await w.get('/v1/cases?limit=100', w.tokens.coordSkane)).body,
      (await w.get('/v1/triage?limit=100', w.tokens.coordSkane)).body,
      (await w.get(`/v1/cases/${id}/events`, w.tokens.almi)).body,
      (await w.get(`/v1/cases/${triaged}/events`, w.tokens.coordSkane)).body,
      (await w.get('/v1/stats/compliance?from=2026-01-01&to=2029-12-31&groupBy=county', w.tokens.analyst)).body,
      (await w.get('/metrics', w.app.apiKeys.create({ role: 'metrics', label: 'Prometheus' }, 'test').token)).body,
      (await w.app.inject({
        method: 'POST', url: '/v1/admin/import', headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/x-ndjson' },
        payload: [
          JSON.stringify({ externalId: 'pn-1', receivedAt: '2026-03-02T09:00:00+01:00', county: 'Skåne', actor: 'almi', orgNumber: '121212-1212' }),
          JSON.stringify({ externalId: 'pn-2', receivedAt: '2026-03-02T09:00:00+01:00', county: 'Nowhere', orgNumber: '121212-1212' }),
        ].join('\n'),
      })).body,
    ];
    expect(seen.some((s) => s.includes('121212-****'))).toBe(true);
    for (const body of seen) {
      expect(body).not.toContain('121212-1212');
      expect(body).not.toContain('1212121212');
    }
  });
});
