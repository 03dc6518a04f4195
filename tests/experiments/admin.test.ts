import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, type CaseWorld } from '../cases/helpers.js';
import { experiment, HOUR } from './helpers.js';

/** The admins' API: pre-register, list, read, change before the start, 409 after it, stop for good; validation; audit. */
describe('experiments: the admin API', () => {
  let w: CaseWorld;
  const send = (method: 'POST' | 'PATCH', url: string, payload?: unknown, token = w.tokens.admin) =>
    w.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => { w = await caseWorld(); });
  afterAll(() => w.close());

  it('creates, lists and reads an experiment; counties are stored as codes; audited', async () => {
    const r = await send('POST', '/v1/admin/experiments', experiment(w));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers.location).toBe('/v1/admin/experiments/second-contact');
    const body = r.json();
    expect(body).toMatchObject({
      id: 'second-contact', state: 'scheduled', stoppedAt: null, seed: 'test-seed-0123456789abcdef', createdBy: w.keyIds.admin,
      eligibility: { counties: ['SE-M'], topics: [], sizeBands: ['0-9', '10-49'], firstTimeOnly: false },
      assignments: [{ armId: 'standard', count: 0 }, { armId: 'second-contact', count: 0 }],
    });
    expect((await w.get('/v1/admin/experiments', w.tokens.admin)).json().items.map((e: { id: string }) => e.id)).toEqual(['second-contact']);
    expect((await w.get('/v1/admin/experiments/second-contact', w.tokens.admin)).json()).toEqual(body);
    expect((await w.get('/v1/admin/experiments/nope', w.tokens.admin)).statusCode).toBe(404);
    // Without a seed one is made.
    const made = await send('POST', '/v1/admin/experiments', { ...experiment(w, { id: 'no-seed' }), seed: undefined });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().seed.length).toBeGreaterThanOrEqual(32);
    // The same id again: 409.
    expect((await send('POST', '/v1/admin/experiments', experiment(w))).statusCode).toBe(409);
    const audit = (await w.get('/v1/admin/audit?action=experiment-created', w.tokens.admin)).json().items;
    expect(audit.map((a: { target: string }) => a.target).sort()).toEqual(['no-seed', 'second-contact']);
    expect(JSON.stringify(audit)).not.toContain('test-seed-0123456789abcdef');
  });

  it('is for admins only', async () => {
    for (const token of [w.tokens.analyst, w.tokens.coordNational, w.tokens.almi]) {
      expect((await w.get('/v1/admin/experiments', token)).statusCode).toBe(403);
      expect((await send('POST', '/v1/admin/experiments', experiment(w, { id: 'x' }), token)).statusCode).toBe(403);
    }
    expect((await w.get('/v1/admin/experiments', null)).statusCode).toBe(401);
  });

  it('refuses a bad definition as problem+json naming each field', async () => {
    const bad = async (overrides: Record<string, unknown>, ...fields: string[]) => {
      const r = await send('POST', '/v1/admin/experiments', experiment(w, { id: 'bad', ...overrides }));
      expect(r.statusCode, r.body).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const names = (r.json().invalidParams as { name: string }[]).map((p) => p.name);
      for (const f of fields) expect(names, r.body).toContain(f);
    };
    const arm = (id: string, share: number) => ({ id, label: id, share, instruction: { sv: 'Gör så.', en: 'Do so.' } });
    await bad({ arms: [arm('only', 1)] }, 'body.arms');
    await bad({ arms: [arm('a', 0.5), arm('a', 0.5)] }, 'body.arms.1.id');
    await bad({ arms: [arm('a', 0.5), arm('b', 0.6)] }, 'body.arms');
    await bad({ arms: [arm('a', 0), arm('b', 1)] }, 'body.arms.0.share');
    await bad({ arms: [arm('A b', 0.5), arm('b', 0.5)] }, 'body.arms.0.id');
    await bad({ endsAt: new Date(w.clock.now).toISOString() }, 'body.endsAt');
    await bad({ startsAt: new Date(w.clock.now - HOUR).toISOString() }, 'body.startsAt');
    await bad({ startsAt: 'tomorrow' }, 'body.startsAt');
    await bad({ eligibility: { counties: ['Atlantis'], topics: ['no-such-topic'], sizeBands: ['huge'] } },
      'body.eligibility.sizeBands.0');
    await bad({ eligibility: { counties: ['Atlantis', 'Skåne'], topics: ['no-such-topic'] } }, 'body.eligibility.counties.0', 'body.eligibility.topics.0');
    await bad({ colour: 'blue' }, 'body.colour');
    // In Swedish for a Swedish caller.
    const sv = await w.app.inject({ method: 'POST', url: '/v1/admin/experiments', headers: { authorization: `Bearer ${w.tokens.admin}`, 'accept-language': 'sv' },
      payload: experiment(w, { id: 'bad', eligibility: { counties: ['Atlantis'] } }) });
    expect(sv.json().invalidParams).toEqual([{ name: 'body.eligibility.counties.0', reason: 'Okänt län "Atlantis"' }]);
  });

  it('changes the definition before the start, refuses with 409 after it, and stops for good', async () => {
    const patched = await send('PATCH', '/v1/admin/experiments/second-contact', { name: 'Second contact, pilot Skåne', eligibility: { counties: ['SE-M', 'Halland'], firstTimeOnly: true } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Second contact, pilot Skåne', eligibility: { counties: ['SE-M', 'SE-N'], sizeBands: [], firstTimeOnly: true }, state: 'scheduled' });
    // A patch is checked as a whole.
    const bad = await send('PATCH', '/v1/admin/experiments/second-contact', { endsAt: new Date(w.clock.now).toISOString() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().invalidParams[0].name).toBe('body.endsAt');
    expect((await w.get('/v1/admin/audit?action=experiment-changed', w.tokens.admin)).json().items).toHaveLength(1);

    w.clock.advance(2 * HOUR); // started
    expect((await w.get('/v1/admin/experiments/second-contact', w.tokens.admin)).json().state).toBe('running');
    const late = await send('PATCH', '/v1/admin/experiments/second-contact', { name: 'Renamed' });
    expect(late.statusCode).toBe(409);
    expect(late.headers['content-type']).toContain('application/problem+json');
    expect(late.json().detail).toMatch(/can no longer change: it started at .*pre-registered.*stopped/i);
    expect((await w.get('/v1/admin/experiments/second-contact', w.tokens.admin)).json().name).toBe('Second contact, pilot Skåne');

    const stopped = await send('POST', '/v1/admin/experiments/second-contact/stop');
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json()).toMatchObject({ state: 'stopped', stoppedAt: new Date(w.clock.now).toISOString() });
    w.clock.advance(HOUR);
    // Stopping again changes nothing; changing is still refused.
    expect((await send('POST', '/v1/admin/experiments/second-contact/stop')).json().stoppedAt).toBe(stopped.json().stoppedAt);
    expect((await send('PATCH', '/v1/admin/experiments/second-contact', { name: 'x' })).json().detail).toMatch(/stopped at/);
    expect((await w.get('/v1/admin/audit?action=experiment-stopped', w.tokens.admin)).json().items).toHaveLength(1);
    expect((await send('POST', '/v1/admin/experiments/nope/stop')).statusCode).toBe(404);
  });

  it('a scheduled experiment stopped before its start is frozen too; the database refuses un-stopping and deleting', async () => {
    const id = 'cancelled';
    expect((await send('POST', '/v1/admin/experiments', experiment(w, { id }))).statusCode).toBe(201);
    expect((await send('POST', `/v1/admin/experiments/${id}/stop`)).json().state).toBe('stopped');
    expect((await send('PATCH', `/v1/admin/experiments/${id}`, { name: 'x' })).statusCode).toBe(409);
    const sql = w.db.$client;
    expect(() => sql.prepare('UPDATE experiments SET stopped_at = NULL WHERE id = ?').run(id)).toThrow(/stays stopped/);
    expect(() => sql.prepare("UPDATE experiments SET arms = '[]' WHERE id = ?").run(id)).toThrow(/frozen/);
    expect(() => sql.prepare('DELETE FROM experiments WHERE id = ?').run(id)).toThrow(/never deleted/);
  });
});
