import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStatsProjection } from '../../src/stats/open.js';
import { caseWorld, HOUR, LOAN, type CaseWorld } from '../cases/helpers.js';
import { createErasureService } from '../../src/privacy/service.js';
import { consistencyProblems } from '../hardening/consistency.js';
import { createAuditLog } from '../../src/audit/service.js';

/**
 * Erasure is a state, not a one-time event: an erased case refuses new personal data (notes, the words with
 * an action, the company's feedback comment), and whatever personal data an erased case still holds (written
 * before such writes were refused, or by a path that forgot) is erased by a second erasure, by the company-wide
 * erasure and by retention; erasing is a no-op exactly when nothing is left.
 */
const DAY = 24 * HOUR;
const PERSONAL = {
  company: { name: 'Greta Personssons Snickeri', orgNumber: '121212-1212' },
  contact: { name: 'Greta Personsson', email: 'greta.personsson@example.se', phone: '+46 70 999 88 77' },
};

let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

const sql = () => w.db.$client;
const notes = (id: string) => sql().prepare('SELECT kind, text, erased_at AS erasedAt FROM case_notes WHERE inquiry_id = ? ORDER BY rowid').all(id) as { kind: string; text: string | null; erasedAt: number | null }[];
const erasureEvents = (id: string) => (sql().prepare("SELECT data FROM inquiry_events WHERE inquiry_id = ? AND type = 'personal-data-erased' ORDER BY id").all(id) as { data: string }[]).map((e) => JSON.parse(e.data) as Record<string, unknown>);
const version = (id: string) => (sql().prepare('SELECT version FROM inquiries WHERE id = ?').get(id) as { version: number }).version;

/** What a note written before erasure refused new writes looks like: a row with text, not erased. */
function leftoverNote(id: string, text: string) {
  sql().prepare("INSERT INTO case_notes (id, inquiry_id, kind, text, author_key_id, author_role, created_at) VALUES (?, ?, 'note', ?, ?, 'coordinator', ?)")
    .run(randomUUID(), id, text, w.keyIds.coordSkane, w.clock.now);
}

async function closedAndStatusToken(id: string) {
  await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
  expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' })).statusCode).toBe(200);
}

describe('an erased case refuses new personal data', () => {
  it('notes and the words with an action are refused with 409 case-erased; the actions themselves still work', async () => {
    const id = await w.submit(PERSONAL);
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.coordSkane)).statusCode).toBe(200);
    const before = version(id);

    const note = await w.post(`/v1/cases/${id}/note`, w.tokens.coordSkane, { text: 'Greta ringde igen, nytt nummer 070-111 22 33' });
    expect(note.statusCode).toBe(409);
    expect(note.headers['content-type']).toMatch(/problem\+json/);
    expect(note.json().type).toBe('https://en-dorr-in.se/problems/case-erased');
    expect((await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'Greta Personsson' }, { 'accept-language': 'sv' })).json().title).toBe('Ärendets personuppgifter är raderade');
    expect((await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', note: 'Talade med Greta' })).statusCode).toBe(409);
    expect((await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'additional-need', reason: 'Greta vill till Tyskland' })).statusCode).toBe(409);
    expect((await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actor: 'business-sweden', note: 'Greta bad om det' })).statusCode).toBe(409);
    expect(notes(id)).toEqual([]);
    expect(version(id)).toBe(before);

    expect((await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped', note: 'Greta fick hjälp' })).statusCode).toBe(409);
    expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' })).statusCode).toBe(200);
    expect(notes(id)).toEqual([]);
  });

  it("the company's feedback comment through the still valid status link is refused; the answer alone is taken", async () => {
    const created = await w.post('/v1/inquiries', null, { ...PERSONAL, county: 'Skåne', message: LOAN, consent: true });
    const { id, statusUrl } = created.json();
    await closedAndStatusToken(id);
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).statusCode).toBe(200);
    const feedback = `${new URL(statusUrl).pathname}/feedback`;
    const withComment = await w.post(feedback, null, { rightActorInTime: 'yes', gotHelp: 'yes', comment: 'Tack! /Greta Personsson, 070-999 88 77' });
    expect(withComment.statusCode).toBe(409);
    expect(withComment.json().type).toMatch(/case-erased$/);
    expect(sql().prepare('SELECT COUNT(*) AS n FROM case_feedback WHERE inquiry_id = ?').get(id)).toEqual({ n: 0 });
    expect((await w.post(feedback, null, { rightActorInTime: 'yes', gotHelp: 'yes' })).statusCode).toBe(201);
    expect(sql().prepare('SELECT answer, comment FROM case_feedback WHERE inquiry_id = ?').get(id)).toEqual({ answer: 'yes', comment: null });
  });
});

describe('what an erased case still holds is erased', () => {
  it('by a second erasure, which is not a no-op when there is something to erase (and is one when there is not)', async () => {
    const id = await w.submit(PERSONAL);
    const first = (await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).json();
    expect(first.alreadyErased).toBe(false);
    leftoverNote(id, 'Greta Personsson, ny adress Storgatan 1');
    sql().prepare("INSERT INTO case_feedback (inquiry_id, answer, comment, at) VALUES (?, 'no', 'Hälsningar Greta Personsson', ?)").run(id, w.clock.now);
    const before = version(id);

    w.clock.advance(HOUR);
    const second = await w.post(`/v1/cases/${id}/erase`, w.tokens.coordSkane, { requestReference: 'DNR-2026/9' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ id, erasedAt: first.erasedAt, alreadyErased: false });
    expect(notes(id)).toEqual([{ kind: 'note', text: null, erasedAt: w.clock.now }]);
    expect(sql().prepare('SELECT comment FROM case_feedback WHERE inquiry_id = ?').get(id)).toEqual({ comment: null });
    expect(version(id)).toBe(before + 1);
    const events = erasureEvents(id);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ reason: 'request', requestReference: 'DNR-2026/9', notesErased: 1, feedbackCommentErased: true, leftAfterEarlierErasure: true, erased: { inquiry: 0, notes: 1, 'feedback comment': 1 } });

    const third = (await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).json();
    expect(third.alreadyErased).toBe(true);
    expect(erasureEvents(id)).toHaveLength(2);
    expect(consistencyProblems(sql())).toEqual([]);
  });

  it('by the company-wide erasure, for the inquiries erased before that still hold something', async () => {
    const company = { name: 'Lämningarna AB', orgNumber: '556703-7485' };
    const a = await w.submit({ company, contact: PERSONAL.contact });
    const b = await w.submit({ company, contact: PERSONAL.contact });
    expect((await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: company.orgNumber })).json()).toMatchObject({ erased: 2, alreadyErased: 0 });
    leftoverNote(b, 'Greta Personsson sa att...');
    const again = (await w.post('/v1/admin/erasure', w.tokens.coordSkane, { orgNumber: company.orgNumber })).json();
    expect(again).toEqual({ matched: 2, erased: 1, alreadyErased: 1, outsideYourCounties: 0 });
    expect(notes(b).every((n) => n.text === null)).toBe(true);
    expect(erasureEvents(a)).toHaveLength(1);
    expect(erasureEvents(b)).toHaveLength(2);
  });

  it('by retention, whenever the case was erased and whether or not it is closed or old', async () => {
    const retention = createErasureService({ db: w.db, clock: w.clock.fn, audit: createAuditLog({ db: w.db, clock: w.clock.fn }), projection: openStatsProjection(w.db, w.config).projection, batchSize: 2 });
    retention.eraseExpired(w.clock.now, 365); // whatever earlier tests left
    const open = await w.submit(PERSONAL);
    const closed = await w.submit(PERSONAL);
    await closedAndStatusToken(closed);
    for (const id of [open, closed]) expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).statusCode).toBe(200);
    leftoverNote(open, 'Greta Personsson igen');
    leftoverNote(closed, 'Och Greta en gång till');
    leftoverNote(closed, 'Greta, tredje gången');
    const untouched = await w.submit(PERSONAL); // not erased, not closed: retention leaves it alone
    await w.post(`/v1/cases/${untouched}/note`, w.tokens.almi, { text: 'Greta vill bli uppringd' });

    w.clock.advance(DAY);
    expect(retention.eraseExpired(w.clock.now, 365)).toBe(2);
    for (const id of [open, closed]) {
      expect(notes(id).every((n) => n.text === null && n.erasedAt === w.clock.now)).toBe(true);
      expect(erasureEvents(id).at(-1)).toMatchObject({ reason: 'retention', leftAfterEarlierErasure: true });
    }
    expect(notes(untouched)).toEqual([{ kind: 'note', text: 'Greta vill bli uppringd', erasedAt: null }]);
    expect(retention.eraseExpired(w.clock.now, 365)).toBe(0);
  });
});
