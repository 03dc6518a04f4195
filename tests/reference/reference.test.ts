import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await buildTestApp(); });
afterAll(async () => { await t.close(); });
const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('reference data', () => {
  it('has the 21 counties with ISO and SCB codes', async () => {
    const { items } = (await get('/v1/counties')).json();
    expect(items).toHaveLength(21);
    expect(items).toContainEqual({ code: 'SE-G', scbCode: '07', name: 'Kronobergs län' });
    expect(new Set(items.map((c: { scbCode: string }) => c.scbCode)).size).toBe(21);
  });

  it('has all 290 municipalities, each in the county its code begins with', () => {
    const rows = t.db.$client.prepare('SELECT m.code, c.scb_code FROM municipalities m JOIN counties c ON c.code = m.county_code').all() as { code: string; scb_code: string }[];
    expect(rows).toHaveLength(290);
    for (const r of rows) expect(r.code.slice(0, 2)).toBe(r.scb_code);
  });

  it('has the SCB localities mapped to municipalities', () => {
    const { n } = t.db.$client.prepare('SELECT count(*) AS n FROM localities').get() as { n: number };
    expect(n).toBe(2144);
  });

  it.each(['SE-G', 'se-g', '07', 'Kronoberg', 'Kronobergs län'])('GET /v1/counties/%s finds Kronoberg with its municipalities and actors', async (code) => {
    const res = await get(`/v1/counties/${encodeURIComponent(code)}`);
    expect(res.statusCode).toBe(200);
    const county = res.json();
    expect(county.code).toBe('SE-G');
    expect(county.municipalities).toHaveLength(8);
    expect(county.municipalities).toContainEqual({ code: '0780', name: 'Växjö' });
    expect(county.actors.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(['almi', 'business-sweden', 'een', 'ekn', 'tillvaxtverket']));
  });

  it('an unknown county is a problem+json 404', async () => {
    const res = await get('/v1/counties/SE-ZZ');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('lists actors with kinds and presence; one office may serve several counties', async () => {
    const { items } = (await get('/v1/actors')).json();
    const byId = new Map(items.map((a: { id: string }) => [a.id, a]));
    for (const id of ['almi', 'business-sweden', 'een', 'ekn', 'tillvaxtverket']) expect(byId.get(id)).toMatchObject({ kind: 'core' });
    expect(byId.get('sek')).toMatchObject({ kind: 'public' });
    expect(items.filter((a: { kind: string }) => a.kind === 'chamber').length).toBeGreaterThanOrEqual(10);
    const almiMitt = (byId.get('almi') as { counties: { code: string; office: string }[] }).counties.filter((c) => c.office === 'Almi Mitt');
    expect(almiMitt.map((c) => c.code).sort()).toEqual(['SE-Y', 'SE-Z']);
    const een = byId.get('een') as { counties: { code: string }[] };
    expect(een.counties.map((c) => c.code)).not.toContain('SE-I');
  });

  it('serves the topic taxonomy with actors and the terms that signal each topic', async () => {
    const { items } = (await get('/v1/topics')).json();
    expect(items.length).toBeGreaterThanOrEqual(10);
    const guarantees = items.find((t: { id: string }) => t.id === 'payment-risk-guarantees');
    expect(guarantees.actors).toEqual(['ekn']);
    expect(Object.keys(guarantees.terms)).toContain('exportkreditgaranti');
  });

  it('shows which actors serve which topics in a county, listing all alternatives', async () => {
    const res = await get('/v1/counties/SE-M/services');
    expect(res.statusCode).toBe(200);
    const { county, services } = res.json();
    expect(county.code).toBe('SE-M');
    const partners = services.find((s: { topic: { id: string } }) => s.topic.id === 'partners-in-europe');
    expect(partners.actors.map((a: { id: string }) => a.id)).toEqual(['een', 'business-sweden']);
    const documents = services.find((s: { topic: { id: string } }) => s.topic.id === 'export-documents');
    expect(documents.actors.map((a: { id: string }) => a.id)).toEqual(['chamber-sydsvenska']);
    const gotland = (await get('/v1/counties/SE-I/services')).json();
    const gotlandPartners = gotland.services.find((s: { topic: { id: string } }) => s.topic.id === 'partners-in-europe');
    expect(gotlandPartners.actors.map((a: { id: string }) => a.id)).toEqual(['business-sweden']);
  });

  it('seeding again is idempotent and keeps what an admin changed', async () => {
    t.db.$client.prepare("DELETE FROM actor_presence WHERE actor_id = 'een' AND county_code = 'SE-M'").run();
    const { seedReferenceData } = await import('../../src/reference/seed.js');
    const { loadKnowledge } = await import('../../src/classification/knowledge.js');
    seedReferenceData(t.db, loadKnowledge());
    seedReferenceData(t.db, loadKnowledge());
    const counts = t.db.$client.prepare('SELECT (SELECT count(*) FROM counties) c, (SELECT count(*) FROM municipalities) m, (SELECT count(*) FROM localities) l').get();
    expect(counts).toEqual({ c: 21, m: 290, l: 2144 });
    const een = t.db.$client.prepare("SELECT count(*) AS n FROM actor_presence WHERE actor_id = 'een' AND county_code = 'SE-M'").get() as { n: number };
    expect(een.n).toBe(0);
  });
});
