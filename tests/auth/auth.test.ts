import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, type CaseWorld } from '../cases/helpers.js';
import { buildTestApp, inquiry } from '../helpers/app.js';

/** Authentication: how tokens are checked, and the answers for missing, bad, revoked and wrong-role keys. */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), requestId: expect.any(String) });
  return body;
}

describe('bearer tokens', () => {
  it('accepts a valid key of the right role', async () => {
    const res = await w.get('/v1/admin/api-keys', w.tokens.admin);
    expect(res.statusCode).toBe(200);
  });

  it('answers 401 with a Bearer challenge when no token is sent', async () => {
    const res = await w.get('/v1/admin/api-keys', null);
    const body = expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="en-dorr-in"');
    expect(body.detail).toMatch(/Authorization: Bearer/);
  });

  it('answers 401 invalid_token for another scheme, a malformed token, an unknown id and a wrong secret', async () => {
    const [, id, secret] = /^edi_([0-9a-f]{16})_(.+)$/.exec(w.tokens.admin)!;
    const otherSecret = secret!.slice(0, -1) + (secret!.endsWith('A') ? 'B' : 'A');
    for (const header of [
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      'Bearer not-a-token',
      `Bearer edi_0000000000000000_${secret}`,
      `Bearer edi_${id}_${otherSecret}`,
      'Bearer',
    ]) {
      const res = await w.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: { authorization: header } });
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="en-dorr-in", error="invalid_token"/);
    }
  });

  it('gives the same answer for an unknown key and a wrong secret, so ids cannot be probed', async () => {
    const [, id, secret] = /^edi_([0-9a-f]{16})_(.+)$/.exec(w.tokens.analyst)!;
    const unknown = await w.get('/v1/admin/api-keys', `edi_ffffffffffffffff_${secret}`);
    const wrong = await w.get('/v1/admin/api-keys', `edi_${id}_${'x'.repeat(43)}`);
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  it('answers 403 insufficient_scope for a valid key of another role', async () => {
    const res = await w.get('/v1/admin/api-keys', w.tokens.almi);
    const body = expectProblem(res, 403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(body.detail).toMatch(/admin/);
  });

  it('refuses a token put in the URL, even with a good header', async () => {
    const res = await w.get(`/v1/admin/api-keys?access_token=${w.tokens.admin}`, w.tokens.admin);
    const body = expectProblem(res, 401);
    expect(body.detail).toMatch(/never in the URL/);
  });

  it('authenticates before validating, so callers without a key learn nothing about the request shape', async () => {
    const res = await w.post('/v1/admin/api-keys', null, { role: 'nonsense' });
    expectProblem(res, 401);
  });

  it('stores only a hash of the secret, and records when a key was last used', async () => {
    const { key, token } = w.app.apiKeys.create({ role: 'analyst', label: 'hash check' }, 'test');
    const secret = token.split('_').slice(2).join('_');
    const row = w.db.$client.prepare('SELECT * FROM api_keys WHERE id = ?').get(key.id) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.last_used_at).toBeNull();
    await w.get('/v1/cases', token); // 403 for an analyst, but the key was valid
    const used = w.db.$client.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').get(key.id) as { last_used_at: number };
    expect(used.last_used_at).toBe(w.clock.now);
  });
});

describe('/v1/admin/api-keys', () => {
  it('creates a key whose token works at once and is shown only in the creation response', async () => {
    const res = await w.post('/v1/admin/api-keys', w.tokens.admin, { role: 'caseworker', label: 'Almi Skåne CRM', actorId: 'almi', counties: ['Skåne', '12'] });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.key).toMatchObject({ role: 'caseworker', label: 'Almi Skåne CRM', actorId: 'almi', counties: ['SE-M'], createdBy: w.keyIds.admin, revokedAt: null });
    expect(body.token).toMatch(/^edi_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(body.token).toContain(body.key.id);
    expect((await w.get('/v1/cases', body.token)).statusCode).toBe(200);

    const one = await w.get(`/v1/admin/api-keys/${body.key.id}`, w.tokens.admin);
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain(body.token.split('_').slice(2).join('_'));
    expect(one.json()).not.toHaveProperty('token');
  });

  it('checks the scope each role needs', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ role: 'caseworker', label: 'x' }, 'body.actorId'],
      [{ role: 'caseworker', label: 'x', actorId: 'no-such-actor' }, 'body.actorId'],
      [{ role: 'coordinator', label: 'x', actorId: 'almi', counties: ['SE-M'] }, 'body.actorId'],
      [{ role: 'coordinator', label: 'x' }, 'body.counties'],
      [{ role: 'coordinator', label: 'x', counties: ['SE-M'], allCounties: true }, 'body.allCounties'],
      [{ role: 'coordinator', label: 'x', counties: ['Atlantis'] }, 'body.counties.0'],
      [{ role: 'admin', label: 'x', counties: ['SE-M'] }, 'body.counties'],
      [{ role: 'analyst', label: 'x', allCounties: true }, 'body.allCounties'],
      [{ role: 'superuser', label: 'x' }, 'body.role'],
      [{ role: 'admin', label: '' }, 'body.label'],
      [{ role: 'admin', label: 'x', extra: 1 }, 'body.extra'],
    ];
    for (const [payload, field] of cases) {
      const res = await w.post('/v1/admin/api-keys', w.tokens.admin, payload);
      const body = expectProblem(res, 400);
      expect(body.invalidParams.map((p: { name: string }) => p.name), JSON.stringify(payload)).toContain(field);
    }
  });

  it('lists keys without tokens or hashes; revoked ones only on request', async () => {
    const { key } = w.app.apiKeys.create({ role: 'analyst', label: 'to revoke' }, 'test');
    expect((await w.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: { authorization: `Bearer ${w.tokens.admin}` } })).statusCode).toBe(200);
    const active = await w.get('/v1/admin/api-keys', w.tokens.admin);
    expect(active.statusCode).toBe(200);
    expect(active.body).not.toMatch(/"token(Hash)?"|"token_hash"/);
    expect(active.body).not.toContain(w.tokens.almi.split('_').slice(2).join('_'));
    expect(active.json().items.map((k: { id: string }) => k.id)).not.toContain(key.id);
    const all = await w.get('/v1/admin/api-keys?includeRevoked=true', w.tokens.admin);
    expect(all.json().items.find((k: { id: string }) => k.id === key.id)).toMatchObject({ revokedBy: w.keyIds.admin, revokedAt: expect.any(String) });
    expect((await w.get('/v1/admin/api-keys?includeRevoked=maybe', w.tokens.admin)).statusCode).toBe(400);
  });

  it('revokes at once and idempotently; the revoked key then gets 401', async () => {
    const { key, token } = w.app.apiKeys.create({ role: 'caseworker', label: 'leaving', actorId: 'almi' }, 'test');
    expect((await w.get('/v1/cases', token)).statusCode).toBe(200);
    const del = () => w.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: { authorization: `Bearer ${w.tokens.admin}` } });
    const first = await del();
    expect(first.statusCode).toBe(200);
    expect(first.json().revokedAt).toBe(new Date(w.clock.now).toISOString());
    expect((await del()).json().revokedAt).toBe(first.json().revokedAt);
    const after = await w.get('/v1/cases', token);
    const body = expectProblem(after, 401);
    expect(body.detail).toMatch(/revoked/);
    expect(after.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('answers 404 for an unknown key and 400 for a malformed id', async () => {
    const h = { authorization: `Bearer ${w.tokens.admin}` };
    expectProblem(await w.app.inject({ method: 'DELETE', url: '/v1/admin/api-keys/0123456789abcdef', headers: h }), 404);
    expectProblem(await w.get('/v1/admin/api-keys/0123456789abcdef', w.tokens.admin), 404);
    expectProblem(await w.get('/v1/admin/api-keys/nope', w.tokens.admin), 400);
  });

  it('will not revoke the last active admin key, so admins cannot lock themselves out', async () => {
    const t = await buildTestApp();
    try {
      const { key, token } = t.app.apiKeys.create({ role: 'admin', label: 'only admin' }, 'test');
      const res = await t.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: { authorization: `Bearer ${token}` } });
      expectProblem(res, 409);
      const second = t.app.apiKeys.create({ role: 'admin', label: 'second admin' }, 'test');
      const ok = await t.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: { authorization: `Bearer ${second.token}` } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('is for admins only', async () => {
    for (const token of [w.tokens.almi, w.tokens.coordSkane, w.tokens.analyst, w.tokens.intake]) {
      expectProblem(await w.get('/v1/admin/api-keys', token), 403);
      expectProblem(await w.post('/v1/admin/api-keys', token, { role: 'admin', label: 'escalate' }), 403);
    }
    expectProblem(await w.get('/v1/admin/api-keys', null), 401);
  });
});

describe('POST /v1/inquiries and ALLOW_ANONYMOUS_INTAKE', () => {
  it('accepts anonymous posts by default, but a token that is sent must be valid and of an intake role', async () => {
    expect((await w.post('/v1/inquiries', null, inquiry())).statusCode).toBe(201);
    expect((await w.post('/v1/inquiries', w.tokens.intake, inquiry())).statusCode).toBe(201);
    expectProblem(await w.post('/v1/inquiries', 'edi_0000000000000000_' + 'a'.repeat(43), inquiry()), 401);
    expectProblem(await w.post('/v1/inquiries', w.tokens.almi, inquiry()), 403);
  });

  it('needs an intake or admin key when anonymous intake is off', async () => {
    const t = await buildTestApp({ ALLOW_ANONYMOUS_INTAKE: false });
    try {
      const post = (token?: string) => t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry(), headers: token ? { authorization: `Bearer ${token}` } : {} });
      const anonymous = await post();
      expectProblem(anonymous, 401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="en-dorr-in"');
      expectProblem(await post(t.app.apiKeys.create({ role: 'caseworker', label: 'cw', actorId: 'almi' }, 'test').token), 403);
      expect((await post(t.app.apiKeys.create({ role: 'intake', label: 'form backend' }, 'test').token)).statusCode).toBe(201);
      expect((await post(t.app.apiKeys.create({ role: 'admin', label: 'admin' }, 'test').token)).statusCode).toBe(201);
      const revoked = t.app.apiKeys.create({ role: 'intake', label: 'old backend' }, 'test');
      t.app.apiKeys.revoke(revoked.key.id, 'test');
      expectProblem(await post(revoked.token), 401);
      const count = t.db.$client.prepare('SELECT count(*) AS n FROM inquiries').get() as { n: number };
      expect(count.n).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('the database', () => {
  it('keeps keys that acted: a key referenced by history cannot be deleted', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi2);
    expect(() => w.db.$client.prepare('DELETE FROM api_keys WHERE id = ?').run(w.keyIds.almi2)).toThrow(/FOREIGN KEY/);
  });
});
