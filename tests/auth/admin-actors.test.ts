import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';

/** Admins manage actors and their presence per county; routing follows every change at once. */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

const send = (method: 'PATCH' | 'PUT', url: string, token: string | null, payload: unknown) =>
  w.app.inject({ method, url, payload: payload as object, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function routeLoan(county: string) {
  const res = await w.post('/v1/inquiries', null, inquiry({ county, message: LOAN }));
  expect(res.statusCode).toBe(201);
  return res.json().assignedActor?.id as string | undefined;
}

describe('/v1/admin/actors', () => {
  it('lists every actor with its presence, including inactive ones', async () => {
    const res = await w.get('/v1/admin/actors', w.tokens.admin);
    expect(res.statusCode).toBe(200);
    const almi = res.json().items.find((a: { id: string }) => a.id === 'almi');
    expect(almi).toMatchObject({ active: true, kind: 'core' });
    expect(almi.counties).toContainEqual({ code: 'SE-M', office: 'Almi Skåne' });
    expect((await w.get('/v1/admin/actors/almi', w.tokens.admin)).json().id).toBe('almi');
    expect((await w.get('/v1/admin/actors/nobody', w.tokens.admin)).statusCode).toBe(404);
  });

  it('adds an actor, gives it presence, and routing and the public directory see it at once', async () => {
    const created = await w.post('/v1/admin/actors', w.tokens.admin, {
      id: 'science-park-x', name: 'Science Park X', kind: 'public', description: 'Innovation support for young companies', website: 'https://example.org',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'science-park-x', active: true, counties: [] });
    expect((await w.post('/v1/admin/actors', w.tokens.admin, { id: 'science-park-x', name: 'Again', kind: 'public', description: 'x' })).statusCode).toBe(409);

    const presence = await send('PUT', '/v1/admin/actors/science-park-x/presence', w.tokens.admin, { counties: [{ county: 'Gotland', office: 'Visby' }] });
    expect(presence.statusCode).toBe(200);
    expect(presence.json().counties).toEqual([{ code: 'SE-I', office: 'Visby' }]);
    const county = await w.get('/v1/counties/SE-I', null);
    expect(county.json().actors.map((a: { id: string }) => a.id)).toContain('science-park-x');
    // A caseworker key can now be bound to it.
    expect((await w.post('/v1/admin/api-keys', w.tokens.admin, { role: 'caseworker', label: 'SPX', actorId: 'science-park-x' })).statusCode).toBe(201);
  });

  it('moving presence changes where new inquiries go', async () => {
    expect(await routeLoan('Gävleborg')).toBe('almi');
    const before = (await w.get('/v1/admin/actors/almi', w.tokens.admin)).json().counties as { code: string; office: string }[];
    const without = before.filter((c) => c.code !== 'SE-X').map((c) => ({ county: c.code, office: c.office }));
    expect((await send('PUT', '/v1/admin/actors/almi/presence', w.tokens.admin, { counties: without })).statusCode).toBe(200);
    // Routing now knows Almi has no office in Gävleborg: no other actor there serves the loan need, so Almi
    // answers from an office outside the county (it still beats a queue), and says so.
    const preview = (await w.post('/v1/routing/preview', null, { message: LOAN, county: 'Gävleborg' })).json();
    expect(preview.excluded).toContainEqual({ actor: 'almi', why: 'not present in the county' });
    expect(preview.explanation).toMatch(/from outside SE-X \(no office in the county\)/);
    // Put it back for the other tests.
    await send('PUT', '/v1/admin/actors/almi/presence', w.tokens.admin, { counties: before.map((c) => ({ county: c.code, office: c.office })) });
    expect(await routeLoan('Gävleborg')).toBe('almi');
  });

  it('deactivates an actor: no new inquiries, gone from the public list, kept for history', async () => {
    await w.post('/v1/admin/actors', w.tokens.admin, { id: 'chamber-test', name: 'Test Chamber', kind: 'chamber', description: 'Certificates of origin' });
    const off = await send('PATCH', '/v1/admin/actors/chamber-test', w.tokens.admin, { active: false, name: 'Test Chamber (closed)' });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ active: false, name: 'Test Chamber (closed)' });
    const publicList = await w.get('/v1/actors', null);
    expect(publicList.json().items.map((a: { id: string }) => a.id)).not.toContain('chamber-test');
    expect((await w.get('/v1/admin/actors', w.tokens.admin)).json().items.map((a: { id: string }) => a.id)).toContain('chamber-test');
    const key = await w.post('/v1/admin/api-keys', w.tokens.admin, { role: 'caseworker', label: 'x', actorId: 'chamber-test' });
    expect(key.statusCode).toBe(400);
  });

  it('validates input', async () => {
    const bad: [string, 'POST' | 'PATCH' | 'PUT', unknown, number][] = [
      ['/v1/admin/actors', 'POST', { id: 'Bad Id', name: 'x', kind: 'public', description: 'x' }, 400],
      ['/v1/admin/actors', 'POST', { id: 'ok-id', name: 'x', kind: 'private', description: 'x' }, 400],
      ['/v1/admin/actors/almi', 'PATCH', { website: 'ftp://example.org' }, 400],
      ['/v1/admin/actors/almi', 'PATCH', { owner: 'me' }, 400],
      ['/v1/admin/actors/nobody', 'PATCH', { active: false }, 404],
      ['/v1/admin/actors/almi/presence', 'PUT', { counties: [{ county: 'Atlantis', office: 'x' }] }, 400],
      ['/v1/admin/actors/almi/presence', 'PUT', { counties: [{ county: 'SE-M', office: 'a' }, { county: 'Skåne', office: 'b' }] }, 400],
      ['/v1/admin/actors/nobody/presence', 'PUT', { counties: [] }, 404],
    ];
    for (const [url, method, payload, status] of bad) {
      const res = method === 'POST' ? await w.post(url, w.tokens.admin, payload) : await send(method, url, w.tokens.admin, payload);
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}`).toBe(status);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('is for admins only', async () => {
    for (const token of [w.tokens.coordNational, w.tokens.almi, w.tokens.analyst]) {
      expect((await w.get('/v1/admin/actors', token)).statusCode).toBe(403);
      expect((await send('PUT', '/v1/admin/actors/almi/presence', token, { counties: [] })).statusCode).toBe(403);
      expect((await send('PATCH', '/v1/admin/actors/almi', token, { active: false })).statusCode).toBe(403);
      expect((await w.post('/v1/admin/actors', token, { id: 'x', name: 'x', kind: 'public', description: 'x' })).statusCode).toBe(403);
    }
    expect((await w.get('/v1/admin/actors', null)).statusCode).toBe(401);
    const { key, token } = w.app.apiKeys.create({ role: 'admin', label: 'old admin' }, 'test');
    w.app.apiKeys.revoke(key.id, 'test');
    expect((await w.get('/v1/admin/actors', token)).statusCode).toBe(401);
  });
});
