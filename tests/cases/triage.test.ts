import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, UNCLEAR, type CaseWorld } from './helpers.js';

/** GET /v1/triage: a coordinator's queue of unrouted and breached cases in its counties. */
let w: CaseWorld;
const ids: Record<string, string> = {};

beforeAll(async () => {
  w = await caseWorld();
  // Wednesday 08:00 UTC.
  ids.breached = await w.submit(); // Almi, will be past due without contact
  w.clock.advance(1000);
  ids.contactedLate = await w.submit(); // Almi, contacted: not breached
  w.clock.advance(1000);
  ids.unrouted = await w.submit({ message: UNCLEAR });
  w.clock.advance(1000);
  ids.answeredByRegion = await w.submit({ message: UNCLEAR }); // contacted by the coordinator, still without an actor
  w.clock.advance(1000);
  ids.closedTriage = await w.submit({ message: UNCLEAR });
  w.clock.advance(1000);
  ids.halland = await w.submit({ county: 'Halland', message: UNCLEAR });
  w.clock.advance(1000);
  ids.nowhere = await w.submit({ county: undefined, message: UNCLEAR });
  await w.post(`/v1/cases/${ids.answeredByRegion}/first-contact`, w.tokens.coordSkane, { channel: 'phone' });
  await w.post(`/v1/cases/${ids.closedTriage}/close`, w.tokens.coordSkane, { outcome: 'spam' });
  // Friday: the early cases are past their Thursday deadline.
  w.clock.set('2026-11-27T09:00:00Z');
  await w.post(`/v1/cases/${ids.contactedLate}/first-contact`, w.tokens.almi, { channel: 'email' });
  ids.fresh = await w.submit(); // Almi, on track
});
afterAll(async () => { await w.close(); });

const names = (items: { id: string }[]) => items.map((i) => Object.entries(ids).find(([, id]) => id === i.id)?.[0] ?? i.id);

describe('GET /v1/triage', () => {
  it("lists its counties' open cases without an actor and those past due without contact, most urgent first", async () => {
    const res = await w.get('/v1/triage', w.tokens.coordSkane);
    expect(res.statusCode).toBe(200);
    expect(names(res.json().items)).toEqual(['breached', 'unrouted', 'answeredByRegion']);
    const breached = res.json().items[0];
    expect(breached).toMatchObject({ status: 'assigned', assignedActor: { id: 'almi' }, deadline: { state: 'breached' } });
    expect(res.json().items[1]).toMatchObject({ status: 'triage', triageReason: expect.any(String) });
  });

  it('keeps each coordinator to its counties; cases of unknown county go to national coordinators', async () => {
    expect(names((await w.get('/v1/triage', w.tokens.coordHalland)).json().items)).toEqual(['halland']);
    const national = (await w.get('/v1/triage', w.tokens.coordNational)).json().items;
    expect(names(national)).toEqual(['breached', 'unrouted', 'answeredByRegion', 'halland', 'nowhere']);
    expect(names((await w.get('/v1/triage?county=Halland', w.tokens.coordNational)).json().items)).toEqual(['halland']);
    expect((await w.get('/v1/triage?county=SE-N', w.tokens.coordSkane)).json().items).toEqual([]);
  });

  it('pages with a cursor and answers an unchanged poll with 304', async () => {
    const first = await w.get('/v1/triage?limit=2', w.tokens.coordNational);
    expect(names(first.json().items)).toEqual(['breached', 'unrouted']);
    const second = await w.get(`/v1/triage?limit=2&cursor=${encodeURIComponent(first.json().nextCursor)}`, w.tokens.coordNational);
    expect(names(second.json().items)).toEqual(['answeredByRegion', 'halland']);
    const again = await w.get('/v1/triage?limit=2', w.tokens.coordNational, { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    // A cursor from the cases list is not a triage cursor.
    const cases = await w.get('/v1/cases?limit=1&order=deadline-asc', w.tokens.coordNational);
    expect((await w.get(`/v1/triage?cursor=${encodeURIComponent(cases.json().nextCursor)}`, w.tokens.coordNational)).statusCode).toBe(400);
  });

  it('drops a case once a coordinator routes it and it is no longer past due', async () => {
    await w.post(`/v1/cases/${ids.halland}/assign`, w.tokens.coordHalland, { actor: 'almi' });
    // Still past due without contact: it stays, now with its actor.
    expect((await w.get('/v1/triage', w.tokens.coordHalland)).json().items[0]).toMatchObject({ assignedActor: { id: 'almi' }, deadline: { state: 'breached' } });
    await w.post(`/v1/cases/${ids.halland}/first-contact`, w.tokens.almi, { channel: 'phone' });
    expect((await w.get('/v1/triage', w.tokens.coordHalland)).json().items).toEqual([]);
    w.clock.advance(HOUR);
  });

  it('is for coordinators only', async () => {
    for (const token of [w.tokens.almi, w.tokens.admin, w.tokens.analyst, w.tokens.intake]) {
      const res = await w.get('/v1/triage', token);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await w.get('/v1/triage', null)).statusCode).toBe(401);
    const { key, token } = w.app.apiKeys.create({ role: 'coordinator', label: 'old region key', counties: ['SE-M'] }, 'test');
    w.app.apiKeys.revoke(key.id, 'test');
    expect((await w.get('/v1/triage', token)).statusCode).toBe(401);
    expect((await w.get('/v1/triage?limit=500', w.tokens.coordSkane)).statusCode).toBe(400);
  });
});
