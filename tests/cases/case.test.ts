import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, UNCLEAR, type CaseWorld } from './helpers.js';

/** GET /v1/cases/{id} and its history: the full case, masking, and 404 outside the caller's scope. */
let w: CaseWorld;
let skane: string;
let halland: string;
let soleTrader: string;
let triage: string;

beforeAll(async () => {
  w = await caseWorld();
  skane = await w.submit({ subject: 'Lån till maskin' });
  halland = await w.submit({ county: 'Halland' });
  soleTrader = await w.submit({ company: { name: 'Anna Konsult', orgNumber: '811228-9874' } });
  triage = await w.submit({ message: UNCLEAR });
});
afterAll(async () => { await w.close(); });

describe('GET /v1/cases/{id}', () => {
  it('returns the full case with contact details, classification, deadline, assignment and the ETag of its version', async () => {
    const res = await w.get(`/v1/cases/${skane}`, w.tokens.almi);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({
      id: skane, status: 'assigned', version: 1,
      county: { code: 'SE-M' },
      company: { name: 'Testbolaget AB', orgNumber: '556036-0793', orgNumberIsPersonal: false, employees: 12 },
      contact: { name: 'Anna Andersson', email: 'anna@testbolaget.se', phone: '070-123 45 67' },
      subject: 'Lån till maskin', language: 'sv',
      assignedActor: { id: 'almi', name: 'Almi Företagspartner' }, firstAssignedActor: { id: 'almi' }, claimedBy: null,
      deadline: { dueAt: '2026-11-26T08:00:00.000Z', policy: 'working-day', state: 'on-track', firstContactAt: null },
      closedAt: null, outcome: null,
    });
    expect(body.message).toMatch(/lån/);
    expect(body.classification.topics[0]).toMatchObject({ id: 'loans-growth-finance', matchedWords: expect.arrayContaining([expect.stringMatching(/^lan/)]) });
    expect(Array.isArray(body.alternatives)).toBe(true);
    expect(body.actions.sort()).toEqual(['claim', 'close', 'first-contact', 'note', 'refer']);
  });

  it("shows a sole trader's personnummer only to the assigned actor's caseworkers", async () => {
    const own = await w.get(`/v1/cases/${soleTrader}`, w.tokens.almi);
    expect(own.json().company).toMatchObject({ orgNumber: '811228-9874', orgNumberIsPersonal: true });
    const coordinator = await w.get(`/v1/cases/${soleTrader}`, w.tokens.coordSkane);
    expect(coordinator.json().company).toMatchObject({ orgNumber: '811228-****', orgNumberIsPersonal: true });
    expect(coordinator.body).not.toContain('9874');
    // A company's organisation number is not personal data: coordinators see it.
    expect((await w.get(`/v1/cases/${skane}`, w.tokens.coordSkane)).json().company.orgNumber).toBe('556036-0793');
  });

  it("shows coordinators their counties' cases with the actions a coordinator has", async () => {
    const res = await w.get(`/v1/cases/${triage}`, w.tokens.coordSkane);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'triage', assignedActor: null, triageReason: expect.any(String) });
    expect(res.json().actions.sort()).toEqual(['assign', 'close', 'first-contact', 'note']);
  });

  it("answers 404, the same as for a case that does not exist, for another actor's and another county's cases", async () => {
    const missing = await w.get('/v1/cases/00000000-0000-4000-8000-000000000000', w.tokens.almi);
    expect(missing.statusCode).toBe(404);
    const checks: [string, string][] = [
      [skane, w.tokens.bs], // another actor
      [skane, w.tokens.almiHalland], // the right actor, another county than the key's
      [skane, w.tokens.coordHalland], // a coordinator of another county
      [halland, w.tokens.coordSkane],
      [triage, w.tokens.almi], // no actor yet: caseworkers do not see triage
    ];
    for (const [id, token] of checks) {
      for (const url of [`/v1/cases/${id}`, `/v1/cases/${id}/events`]) {
        const res = await w.get(url, token);
        expect(res.statusCode, url).toBe(404);
        expect(res.json().detail).toBe(missing.json().detail);
      }
    }
  });

  it('answers 400 for an id that is not a case id, 401 without a valid key, 403 for other roles', async () => {
    expect((await w.get('/v1/cases/REC-2026-000001', w.tokens.almi)).statusCode).toBe(400);
    expect((await w.get(`/v1/cases/${skane}`, null)).statusCode).toBe(401);
    for (const token of [w.tokens.admin, w.tokens.analyst, w.tokens.intake]) {
      expect((await w.get(`/v1/cases/${skane}`, token)).statusCode).toBe(403);
      expect((await w.get(`/v1/cases/${skane}/events`, token)).statusCode).toBe(403);
    }
    const { key, token } = w.app.apiKeys.create({ role: 'caseworker', label: 'gone', actorId: 'almi' }, 'test');
    w.app.apiKeys.revoke(key.id, 'test');
    expect((await w.get(`/v1/cases/${skane}`, token)).statusCode).toBe(401);
    expect((await w.get(`/v1/cases/${skane}/events`, token)).statusCode).toBe(401);
  });
});

describe('GET /v1/cases/{id}/events', () => {
  it('shows the history in order, naming the key and role of each action, with the note beside its event', async () => {
    await w.post(`/v1/cases/${halland}/claim`, w.tokens.almiHalland);
    await w.post(`/v1/cases/${halland}/note`, w.tokens.almiHalland, { text: 'Ringde Anna på 070-123 45 67, återkommer' });
    const res = await w.get(`/v1/cases/${halland}/events`, w.tokens.coordHalland);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { type: string; by: string; byRole: string | null; byLabel: string | null; data: Record<string, unknown>; note: unknown }[];
    expect(items.map((e) => e.type)).toEqual(['received', 'located', 'classified', 'routed', 'deadline-set', 'claimed', 'note-added']);
    expect(items[0]).toMatchObject({ by: 'company', byRole: null, note: null });
    expect(items[5]).toMatchObject({ by: w.keyIds.almiHalland, byRole: 'caseworker', byLabel: 'Almi Halland', data: { actorId: 'almi' } });
    expect(items[6]).toMatchObject({
      by: w.keyIds.almiHalland, byRole: 'caseworker',
      note: { kind: 'note', text: 'Ringde Anna på 070-123 45 67, återkommer' },
    });
  });

  it('keeps note text out of the append-only history', async () => {
    const rows = w.db.$client.prepare('SELECT type, data FROM inquiry_events WHERE inquiry_id = ?').all(halland) as { type: string; data: string }[];
    const noteEvent = rows.find((r) => r.type === 'note-added')!;
    expect(JSON.parse(noteEvent.data)).toEqual({ noteId: expect.any(String) });
    expect(rows.map((r) => r.data).join()).not.toContain('Ringde');
    const note = w.db.$client.prepare('SELECT text, author_key_id, author_role FROM case_notes WHERE id = ?').get(JSON.parse(noteEvent.data).noteId);
    expect(note).toEqual({ text: 'Ringde Anna på 070-123 45 67, återkommer', author_key_id: w.keyIds.almiHalland, author_role: 'caseworker' });
  });
});
