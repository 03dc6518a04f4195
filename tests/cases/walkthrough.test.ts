import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, LOAN, type CaseWorld } from './helpers.js';
import { inquiry } from '../helpers/app.js';

/** One inquiry from the company's form to closing: routing, claim, referral to a second actor, first contact, close. */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

describe('an inquiry through its whole life', () => {
  it('is routed, claimed, referred, contacted and closed, and the history and the status link tell it', async () => {
    // Wednesday 08:00 UTC: the company asks about a loan; routing sends it to Almi in Skåne.
    const submitted = await w.post('/v1/inquiries', null, inquiry({ county: 'Skåne', message: LOAN }));
    expect(submitted.statusCode).toBe(201);
    const { id, statusUrl, deadlineAt } = submitted.json();
    expect(submitted.json().assignedActor.id).toBe('almi');

    // Almi's CRM polls and finds it.
    const poll = await w.get('/v1/cases?updatedSince=2026-11-25T07:00:00Z', w.tokens.almi);
    expect(poll.json().items.map((c: { id: string }) => c.id)).toEqual([id]);

    // 09:00: an Almi caseworker claims it.
    w.clock.advance(HOUR);
    let etag = (await w.get(`/v1/cases/${id}`, w.tokens.almi)).headers.etag as string;
    const claimed = await w.post(`/v1/cases/${id}/claim`, w.tokens.almi, undefined, { 'if-match': etag });
    expect(claimed.statusCode).toBe(200);
    etag = claimed.headers.etag as string;

    // 10:00: reading it, the caseworker sees it is about finding buyers abroad: referred to Business Sweden.
    w.clock.advance(HOUR);
    const referred = await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'Wants distributors in Germany' }, { 'if-match': etag });
    expect(referred.statusCode).toBe(200);
    expect((await w.get(`/v1/cases/${id}`, w.tokens.almi)).statusCode).toBe(404);

    // Business Sweden's poller picks it up; the deadline is the one set when the company asked.
    const bsPoll = await w.get('/v1/cases?status=assigned', w.tokens.bs);
    expect(bsPoll.json().items).toHaveLength(1);
    expect(bsPoll.json().items[0]).toMatchObject({ id, deadline: { dueAt: deadlineAt, state: 'on-track' } });

    // 11:30: Business Sweden calls the company: the clock stops, well within the day.
    w.clock.advance(90 * 60_000);
    const contactedAt = w.clock.now;
    const contacted = await w.post(`/v1/cases/${id}/first-contact`, w.tokens.bs, { channel: 'phone', note: 'Booked a meeting on market entry' });
    expect(contacted.json()).toMatchObject({ status: 'contacted', deadline: { state: 'met', firstContactAt: new Date(contactedAt).toISOString() } });

    // Friday: closed as helped.
    w.clock.set('2026-11-27T14:00:00Z');
    const closed = await w.post(`/v1/cases/${id}/close`, w.tokens.bs, { outcome: 'helped' }, { 'if-match': contacted.headers.etag as string });
    expect(closed.json()).toMatchObject({ status: 'closed', outcome: 'helped', version: 5, deadline: { state: 'met' } });

    // The history: every step, in order, naming the key and role that took it.
    const history = (await w.get(`/v1/cases/${id}/events`, w.tokens.bs)).json().items as { type: string; by: string; byRole: string | null; data: Record<string, unknown>; note: { text: string } | null }[];
    expect(history.map((e) => e.type)).toEqual(['received', 'located', 'classified', 'routed', 'deadline-set', 'claimed', 'referred', 'first-contact', 'closed']);
    expect(history.slice(5).map((e) => [e.type, e.by, e.byRole])).toEqual([
      ['claimed', w.keyIds.almi, 'caseworker'],
      ['referred', w.keyIds.almi, 'caseworker'],
      ['first-contact', w.keyIds.bs, 'caseworker'],
      ['closed', w.keyIds.bs, 'caseworker'],
    ]);
    expect(history[3]!.data).toMatchObject({ actorId: 'almi' });
    expect(history[6]).toMatchObject({ data: { from: 'almi', to: 'business-sweden', kind: 'misrouted' }, note: { text: 'Wants distributors in Germany' } });
    expect(history[7]).toMatchObject({ data: { actorId: 'business-sweden', channel: 'phone', counted: true } });
    expect(history[8]!.data).toMatchObject({ outcome: 'helped', actorId: 'business-sweden' });

    // The company's status link shows the milestones and the actor now helping it, never the caseworkers' words.
    const status = await w.get(new URL(statusUrl).pathname, null);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ status: 'closed', assignedActor: { id: 'business-sweden' } });
    expect(status.json().history.map((e: { type: string }) => e.type)).toEqual(['received', 'routed', 'claimed', 'referred', 'first-contact', 'closed']);
    expect(status.body).not.toContain('distributors');
    expect(status.body).not.toContain('Booked');
    expect(status.body).not.toContain(w.keyIds.almi);
  });

  it('counts only the first contact: after an additional-need referral a second one is recorded but does not move the clock', async () => {
    const id = await w.submit();
    w.clock.advance(HOUR);
    const first = w.clock.now;
    await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'additional-need', reason: 'Market entry' });
    w.clock.advance(HOUR);
    const again = await w.post(`/v1/cases/${id}/first-contact`, w.tokens.bs, { channel: 'meeting' });
    expect(again.json()).toMatchObject({ status: 'contacted', deadline: { firstContactAt: new Date(first).toISOString(), state: 'met' } });
    const events = (await w.get(`/v1/cases/${id}/events`, w.tokens.bs)).json().items.filter((e: { type: string }) => e.type === 'first-contact');
    expect(events.map((e: { data: { counted: boolean; actorId: string } }) => [e.data.actorId, e.data.counted])).toEqual([['almi', true], ['business-sweden', false]]);
  });

  it('does not count a contact by the wrong actor: after a misrouted referral the clock runs on until the right actor calls', async () => {
    w.clock.set('2026-11-30T08:00:00Z'); // Monday 09:00 Stockholm: due Tuesday 09:00
    const id = await w.submit();
    w.clock.set('2026-11-30T10:00:00Z');
    // "We helped; they also need another actor" needs the helping contact recorded first.
    const noContact = await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'additional-need', reason: 'x' });
    expect(noContact.statusCode).toBe(409);
    expect(noContact.json().detail).toMatch(/record your contact/);
    // Almi calls in time: met, for now.
    const called = await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    expect(called.json().deadline).toMatchObject({ state: 'met', firstContactAt: '2026-11-30T10:00:00.000Z', dueAt: '2026-12-01T08:00:00.000Z' });
    // The question is about buyers abroad, not a loan: Almi was the wrong actor.
    w.clock.set('2026-11-30T10:30:00Z');
    const referred = await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'Buyers in Germany, not a loan' });
    // The summary the referring actor gets back: not contacted any more (the company has not reached the right actor); the deadline runs on.
    expect(referred.json()).toMatchObject({ status: 'assigned', deadline: { firstContactAt: null, firstResponseAt: '2026-11-30T10:00:00.000Z', state: 'on-track' } });
    w.clock.set('2026-12-01T13:00:00Z'); // Tuesday 14:00: past the deadline
    expect((await w.get(`/v1/cases/${id}`, w.tokens.bs)).json().deadline).toMatchObject({ state: 'breached', firstContactAt: null });
    const late = await w.post(`/v1/cases/${id}/first-contact`, w.tokens.bs, { channel: 'phone' });
    expect(late.json().deadline).toMatchObject({ state: 'missed', firstContactAt: '2026-12-01T13:00:00.000Z', firstResponseAt: '2026-11-30T10:00:00.000Z' });
    const events = (await w.get(`/v1/cases/${id}/events`, w.tokens.bs)).json().items as { type: string; data: Record<string, unknown> }[];
    expect(events.filter((e) => e.type === 'first-contact').map((e) => [e.data.actorId, e.data.counted])).toEqual([['almi', true], ['business-sweden', true]]);
    expect(events.find((e) => e.type === 'referred')!.data).toMatchObject({ from: 'almi', to: 'business-sweden', kind: 'misrouted', contacted: true });
  });
});
