import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, UNCLEAR, type CaseWorld } from './helpers.js';

/** GET /v1/cases: scope, order, filters, keyset paging, updatedSince polling and ETags. */
let w: CaseWorld;
const ids: Record<string, string> = {};
const MINUTE = 60_000;

beforeAll(async () => {
  w = await caseWorld();
  // Five Almi cases in Skåne, a minute apart, so their deadlines are ordered a1 < a2 < ... < a5.
  for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) {
    ids[name] = await w.submit();
    w.clock.advance(MINUTE);
  }
  ids.h1 = await w.submit({ county: 'Halland' });
  w.clock.advance(MINUTE);
  ids.u1 = await w.submit({ county: undefined }); // the text names no place: county unknown, still Almi's
  w.clock.advance(MINUTE);
  ids.t1 = await w.submit({ message: UNCLEAR }); // Skåne triage
  w.clock.advance(MINUTE);
  ids.b1 = await w.submit({ message: UNCLEAR });
  const assigned = await w.post(`/v1/cases/${ids.b1}/assign`, w.tokens.coordSkane, { actor: 'business-sweden' });
  expect(assigned.statusCode).toBe(200);
  w.clock.advance(MINUTE);
});
afterAll(async () => { await w.close(); });

const list = async (token: string, query = '', headers: Record<string, string> = {}) => {
  const res = await w.get(`/v1/cases${query}`, token, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: { id: string; status: string; updatedAt: string; version: number }[]; nextCursor: string | null };
};
const namesOf = (items: { id: string }[]) => items.map((i) => Object.entries(ids).find(([, id]) => id === i.id)?.[0] ?? i.id);

describe('scope', () => {
  it("shows a caseworker only its actor's cases, and only its counties when the key is limited", async () => {
    expect(namesOf((await list(w.tokens.almi)).items).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'h1', 'u1']);
    expect(namesOf((await list(w.tokens.almiHalland)).items)).toEqual(['h1']);
    expect(namesOf((await list(w.tokens.bs)).items)).toEqual(['b1']);
  });

  it("shows a coordinator its counties' cases of every actor, a national coordinator everything", async () => {
    expect(namesOf((await list(w.tokens.coordSkane)).items).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 't1']);
    expect(namesOf((await list(w.tokens.coordHalland)).items)).toEqual(['h1']);
    expect((await list(w.tokens.coordNational)).items).toHaveLength(9);
  });

  it('is for caseworkers and coordinators: 401 without a key or with a revoked one, 403 for other roles', async () => {
    expect((await w.get('/v1/cases', null)).statusCode).toBe(401);
    for (const token of [w.tokens.admin, w.tokens.analyst, w.tokens.intake]) expect((await w.get('/v1/cases', token)).statusCode).toBe(403);
    const { key, token } = w.app.apiKeys.create({ role: 'caseworker', label: 'temp', actorId: 'almi' }, 'test');
    expect((await w.get('/v1/cases', token)).statusCode).toBe(200);
    w.app.apiKeys.revoke(key.id, 'test');
    expect((await w.get('/v1/cases', token)).statusCode).toBe(401);
  });

  it('lists no contact details, only what a work queue needs', async () => {
    const res = await w.get('/v1/cases', w.tokens.almi);
    expect(res.body).not.toContain('anna@testbolaget.se');
    expect(res.body).not.toContain('Anna Andersson');
    expect(res.json().items[0]).toMatchObject({
      companyName: 'Testbolaget AB', assignedActor: { id: 'almi' }, deadline: { state: 'on-track', policy: 'working-day' },
      topics: [{ id: 'loans-growth-finance' }],
    });
  });
});

describe('order and paging', () => {
  it('puts the newest deadline first by default, the most urgent first with order=deadline-asc', async () => {
    expect(namesOf((await list(w.tokens.almi)).items)).toEqual(['u1', 'h1', 'a5', 'a4', 'a3', 'a2', 'a1']);
    expect(namesOf((await list(w.tokens.almi, '?order=deadline-asc')).items)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'h1', 'u1']);
  });

  it('pages with an opaque cursor to the end, each case once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(w.tokens.almi, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...namesOf(page.items));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual(['u1', 'h1', 'a5', 'a4', 'a3', 'a2', 'a1']);
  });

  it('stays correct while cases change between pages', async () => {
    const first = await list(w.tokens.almi, '?limit=3&order=deadline-asc');
    expect(namesOf(first.items)).toEqual(['a1', 'a2', 'a3']);
    // Meanwhile a case on the first page changes, and one on a later page is referred away.
    expect((await w.post(`/v1/cases/${ids.a2}/note`, w.tokens.almi, { text: 'Called, no answer' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${ids.a5}/refer`, w.tokens.almi, { toActor: 'een', kind: 'misrouted', reason: 'EU funding question' })).statusCode).toBe(200);
    const second = await list(w.tokens.almi, `?limit=3&order=deadline-asc&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(namesOf(second.items)).toEqual(['a4', 'h1', 'u1']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor made for other filters, and one that is not a cursor', async () => {
    const page = await list(w.tokens.almi, '?limit=1');
    const other = await w.get(`/v1/cases?limit=1&status=assigned&cursor=${page.nextCursor}`, w.tokens.almi);
    expect(other.statusCode).toBe(400);
    expect(other.json().detail).toMatch(/other filters/);
    for (const bad of ['garbage', Buffer.from('{"v":1}').toString('base64url'), 'x'.repeat(501)]) {
      expect((await w.get(`/v1/cases?cursor=${bad}`, w.tokens.almi)).statusCode).toBe(400);
    }
  });

  it('validates limit and order', async () => {
    expect((await list(w.tokens.coordNational, '?limit=100')).items.length).toBeGreaterThan(0);
    for (const q of ['?limit=0', '?limit=101', '?limit=ten', '?order=random']) {
      const res = await w.get(`/v1/cases${q}`, w.tokens.almi);
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});

describe('filters', () => {
  it('filters by status, county (any form) and topic', async () => {
    expect(namesOf((await list(w.tokens.coordSkane, '?status=triage')).items)).toEqual(['t1']);
    expect(namesOf((await list(w.tokens.coordNational, '?county=Halland')).items)).toEqual(['h1']);
    expect(namesOf((await list(w.tokens.coordNational, '?county=13,SE-M&status=triage')).items)).toEqual(['t1']);
    expect(namesOf((await list(w.tokens.coordNational, '?county=13&county=Skåne&status=triage')).items)).toEqual(['t1']);
    // A county outside the key's scope narrows to nothing; it never widens the scope.
    expect((await list(w.tokens.almiHalland, '?county=SE-M')).items).toEqual([]);
    expect(namesOf((await list(w.tokens.almi, '?topic=loans-growth-finance&county=SE-N')).items)).toEqual(['h1']);
    expect((await list(w.tokens.almi, '?topic=export-documents')).items).toEqual([]);
  });

  it('rejects unknown values naming the parameter', async () => {
    for (const [q, name] of [['?status=lost', 'querystring.status'], ['?county=Atlantis', 'querystring.county'], ['?topic=astrology', 'querystring.topic'],
      ['?deadlineState=late', 'querystring.deadlineState'], ['?updatedSince=yesterday', 'querystring.updatedSince'], ['?updatedSince=2026-11-25', 'querystring.updatedSince']]) {
      const res = await w.get(`/v1/cases${q}`, w.tokens.coordNational);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().invalidParams.map((p: { name: string }) => p.name).join(), q).toContain(name);
    }
  });
});

describe('polling with updatedSince and ETags', () => {
  it('returns only what changed since, oldest change first, inclusive of the instant given', async () => {
    w.clock.advance(MINUTE);
    const since = new Date(w.clock.now).toISOString();
    w.clock.advance(MINUTE);
    await w.post(`/v1/cases/${ids.a3}/claim`, w.tokens.almi);
    w.clock.advance(MINUTE);
    await w.post(`/v1/cases/${ids.a1}/claim`, w.tokens.almi2);
    const changed = await list(w.tokens.almi, `?updatedSince=${encodeURIComponent(since)}`);
    expect(namesOf(changed.items)).toEqual(['a3', 'a1']);
    // Any offset is accepted; the instant of the last change is included.
    const lastChange = changed.items[1]!.updatedAt;
    const local = new Date(Date.parse(lastChange) + HOUR).toISOString().replace('Z', '+01:00'); // the same instant, Stockholm time
    expect(namesOf((await list(w.tokens.almi, `?updatedSince=${encodeURIComponent(local)}`)).items)).toEqual(['a1']);
    expect((await list(w.tokens.almi, `?updatedSince=${encodeURIComponent(new Date(w.clock.now + 1).toISOString())}`)).items).toEqual([]);
  });

  it('pages through changes without losing one that changes again meanwhile', async () => {
    w.clock.advance(MINUTE);
    const since = new Date(w.clock.now).toISOString();
    w.clock.advance(MINUTE);
    for (const name of ['a4', 'h1', 'u1']) {
      await w.post(`/v1/cases/${ids[name]}/note`, w.tokens.almi, { text: 'checked' });
      w.clock.advance(MINUTE);
    }
    const q = `?updatedSince=${encodeURIComponent(since)}&limit=2`;
    const first = await list(w.tokens.almi, q);
    expect(namesOf(first.items)).toEqual(['a4', 'h1']);
    await w.post(`/v1/cases/${ids.a4}/note`, w.tokens.almi, { text: 'again' }); // a4 changes after it was read
    const second = await list(w.tokens.almi, `${q}&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(namesOf(second.items)).toEqual(['u1', 'a4']);
    expect(second.items[1]!.version).toBe(first.items[0]!.version + 1);
  });

  it('answers an unchanged poll with 304, and a changed one with 200 and a new ETag', async () => {
    const first = await w.get('/v1/cases?status=claimed', w.tokens.almi);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('no-store');
    const again = await w.get('/v1/cases?status=claimed', w.tokens.almi, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await w.get('/v1/cases?status=claimed', w.tokens.almi, { 'if-none-match': `W/"other", ${etag}` })).statusCode).toBe(304);
    expect((await w.get('/v1/cases?status=claimed', w.tokens.almi, { 'if-none-match': 'W/"other"' })).statusCode).toBe(200);
    // Another query is another representation.
    expect((await w.get('/v1/cases?status=assigned', w.tokens.almi, { 'if-none-match': etag })).statusCode).toBe(200);

    await w.post(`/v1/cases/${ids.a3}/release`, w.tokens.almi);
    const changed = await w.get('/v1/cases?status=claimed', w.tokens.almi, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });
});

describe('deadline state', () => {
  it('filters by the state derived now, and the ETag follows the state as time passes', async () => {
    const t = await caseWorld();
    try {
      // Wednesday 08:00 UTC: due Thursday 08:00 under the working-day policy.
      const next = async () => { const id = await t.submit(); t.clock.advance(1000); return id; };
      const c1 = await next();
      const c3 = await next();
      const c4 = await next();
      const extra = [await next(), await next()];
      t.clock.advance(HOUR);
      expect((await t.post(`/v1/cases/${c3}/first-contact`, t.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
      for (const id of extra) await t.post(`/v1/cases/${id}/close`, t.tokens.almi, { outcome: 'spam' });

      const names = (items: { id: string }[]) => items.map((i) => ({ [c1]: 'c1', [c3]: 'c3', [c4]: 'c4' })[i.id] ?? (extra.includes(i.id) ? 'extra' : 'c2'));
      const states = async (state: string) => {
        const res = await t.get(`/v1/cases?deadlineState=${state}&order=deadline-asc`, t.tokens.almi);
        expect(res.statusCode).toBe(200);
        return names(res.json().items);
      };

      // Thursday 05:00 UTC: three hours left, under the four-hour at-risk window.
      t.clock.set('2026-11-26T05:00:00Z');
      const c2 = await t.submit(); // due Friday 05:00
      // The two closed as spam before their deadline are neither at risk nor, later, breached.
      expect(await states('at-risk')).toEqual(['c1', 'c4']);
      expect(await states('closed')).toEqual(['extra', 'extra']);
      expect(await states('on-track')).toEqual(['c2']);
      expect(await states('met')).toEqual(['c3']);
      // The exact state is checked beyond SQL, and pages still fill up and end correctly.
      const page = await t.get('/v1/cases?deadlineState=at-risk&order=deadline-asc&limit=1', t.tokens.almi);
      expect(names(page.json().items)).toEqual(['c1']);
      const second = await t.get(`/v1/cases?deadlineState=at-risk&order=deadline-asc&limit=1&cursor=${encodeURIComponent(page.json().nextCursor)}`, t.tokens.almi);
      expect(names(second.json().items)).toEqual(['c4']);
      const etag = (await t.get('/v1/cases?status=assigned', t.tokens.almi)).headers.etag as string;

      // Thursday 09:00 UTC: past due.
      t.clock.set('2026-11-26T09:00:00Z');
      expect((await t.post(`/v1/cases/${c4}/first-contact`, t.tokens.almi, { channel: 'email' })).statusCode).toBe(200);
      expect(await states('breached')).toEqual(['c1']);
      expect(await states('closed')).toEqual(['extra', 'extra']);
      expect(await states('missed')).toEqual(['c4']);
      expect(await states('met,missed')).toEqual(['c3', 'c4']);
      expect(await states('on-track')).toEqual(['c2']);
      expect(await states('at-risk')).toEqual([]);
      // Nothing was written to c1, but its state changed: the poll is not a 304.
      expect((await t.get('/v1/cases?status=assigned', t.tokens.almi, { 'if-none-match': etag })).statusCode).toBe(200);
      expect(c2).toBeTruthy();
    } finally {
      await t.close();
    }
  });
});
