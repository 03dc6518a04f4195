import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

describe('POST /v1/routing/preview', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp(); });
  afterAll(async () => { await t.close(); });

  const count = () => (t.db.$client.prepare('SELECT count(*) AS n FROM inquiries').get() as { n: number }).n;
  const events = () => (t.db.$client.prepare('SELECT count(*) AS n FROM inquiry_events').get() as { n: number } | undefined)?.n ?? 0;

  it('shows where a wrong-actor loan question goes (Almi), with topics, matched words, county and why, and stores nothing', async () => {
    const before = count();
    const res = await t.app.inject({
      method: 'POST', url: '/v1/routing/preview',
      payload: { message: 'Hej EKN, kan ni låna ut 300 000 kr till en ny maskin? Vi sitter i Växjö.', company: { employees: 12 } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('assigned');
    expect(body.triage).toBe(false);
    expect(body.assignedActor.id).toBe('almi');
    expect(body.topics[0].id).toBe('loans-growth-finance');
    expect(body.topics[0].matchedWords.join(' ')).toMatch(/\blana/);
    expect(body.county.code).toBe('SE-G');
    expect(body.countySource).toBe('text');
    expect(body.placeEvidence).toEqual(['Växjö']);
    expect(body.explanation).toMatch(/almi/);
    expect(count()).toBe(before);
  });

  it('tells an out-of-scope question goes to triage and why', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message: 'Hur ändrar jag min preliminärskatt för enskild firma?' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'triage', triage: true, triageReason: 'out-of-scope', assignedActor: null });
    expect(res.json().outOfScope.id).toBe('tax');
  });

  it('respects the size the company gives: over 250 employees is not Almi', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message: 'Vi behöver ett lån på 40 MSEK för en ny produktionslinje.', company: { name: 'Stora AB', employees: 900 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().assignedActor?.id).not.toBe('almi');
    expect(res.json().excluded).toContainEqual(expect.objectContaining({ actor: 'almi' }));
  });

  it('uses the county field when given', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message: 'Vi behöver ursprungsintyg till Egypten.', county: 'Skåne' } });
    expect(res.json()).toMatchObject({ countySource: 'county', county: { code: 'SE-M' }, assignedActor: { id: 'chamber-sydsvenska' } });
  });

  it('rejects contact details and consent: the preview takes no personal data', async () => {
    const body = inquiry();
    const res = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('rejects a missing message and an unknown county as problems', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: {} })).statusCode).toBe(400);
    const res = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message: 'lån', county: 'Atlantis' } });
    expect(res.statusCode).toBe(400);
  });

  it('stores nothing: no inquiry, no history', async () => {
    const [n, e] = [count(), events()];
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message: 'Kund i Kenya vill ha 90 dagars kredit, hur skyddar vi oss?' } });
    expect(count()).toBe(n);
    expect(events()).toBe(e);
  });
});
