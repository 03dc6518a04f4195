import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, testConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { addressKey } from '../../src/plugins/security.js';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

/**
 * Abuse protection and error paths: rate limits (per address anonymous, per key id authenticated),
 * CORS allow-list, security headers, the honeypot, and problem+json on every error path.
 */
function expectProblem(res: LightMyRequestResponse, status: number, type?: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(body.requestId).toBeTruthy();
  if (type) expect(body.type).toBe(`https://en-dorr-in.se/problems/${type}`);
  expect(res.body).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
  expect(body).not.toHaveProperty('stack');
  return body;
}

const post = (app: FastifyInstance, payload: unknown, headers: Record<string, string> = {}, remoteAddress?: string) =>
  app.inject({ method: 'POST', url: '/v1/inquiries', payload: payload as object, headers, ...(remoteAddress ? { remoteAddress } : {}) });

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: 3, RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE: 5, RATE_LIMIT_PER_KEY_PER_MINUTE: 4 });
  });
  afterAll(async () => { await t.close(); });

  it('anonymous intake: per client address, then 429 problem+json with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await post(t.app, inquiry(), {}, '203.0.113.7')).statusCode).toBe(201);
    const limited = await post(t.app, inquiry(), {}, '203.0.113.7');
    const body = expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    expect(body.detail).toMatch(/retry in \d+ s/);
    // Nothing was stored for the refused post.
    expect((t.db.$client.prepare('SELECT COUNT(*) AS n FROM inquiries').get() as { n: number }).n).toBe(3);
    // Another address has its own budget.
    expect((await post(t.app, inquiry(), {}, '203.0.113.8')).statusCode).toBe(201);
  });

  it('IPv6 clients count per /64', async () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    for (let i = 0; i < 3; i++) expect((await post(t.app, inquiry(), {}, `2001:db8:5:6::${i + 1}`)).statusCode).toBe(201);
    expectProblem(await post(t.app, inquiry(), {}, '2001:db8:5:6:ffff::9'), 429, 'rate-limited');
  });

  it('anonymous reads have their own, larger budget; health checks are never limited', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.1' });
    for (let i = 0; i < 5; i++) expect((await get('/v1/counties')).statusCode).toBe(200);
    expectProblem(await get('/v1/counties'), 429, 'rate-limited');
    for (let i = 0; i < 10; i++) expect((await get('/health/live')).statusCode).toBe(200);
  });

  it('authenticated calls count per key id, not per address, and never by the raw token', async () => {
    const a = t.app.apiKeys.create({ role: 'analyst', label: 'A' }, 'test');
    const b = t.app.apiKeys.create({ role: 'analyst', label: 'B' }, 'test');
    const get = (token: string, address: string) =>
      t.app.inject({ method: 'GET', url: '/v1/stats/compliance', headers: { authorization: `Bearer ${token}` }, remoteAddress: address });
    // One key from four addresses: one budget of 4.
    for (let i = 0; i < 4; i++) expect((await get(a.token, `192.0.2.${i + 10}`)).statusCode).not.toBe(429);
    const limited = await get(a.token, '192.0.2.99');
    expectProblem(limited, 429, 'rate-limited');
    expect(limited.headers['retry-after']).toBeDefined();
    // Another key from the same address is not affected.
    expect((await get(b.token, '192.0.2.10')).statusCode).not.toBe(429);
    // A wrong secret with a's key id counts against the address, not against a's key.
    const forged = a.token.replace(/_[^_]+$/, '_' + 'f'.repeat(a.token.split('_').pop()!.length));
    const res = await get(forged, '192.0.2.200');
    expectProblem(res, 401);
  });

  it('failed logins are limited per address too', async () => {
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 6; i++) {
      last = await t.app.inject({ method: 'POST', url: '/v1/cases/00000000-0000-4000-8000-000000000000/claim', headers: { authorization: 'Bearer edi_0123456789abcdef_nope' }, remoteAddress: '192.0.2.250' });
    }
    expectProblem(last!, 429, 'rate-limited');
  });

  it('the defaults are 30 anonymous writes, 300 reads and 600 keyed calls a minute; off in tests', () => {
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: 30, RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE: 300, RATE_LIMIT_PER_KEY_PER_MINUTE: 600, TRUST_PROXY: false });
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(testConfig().RATE_LIMIT_ANONYMOUS_PER_MINUTE).toBe(0);
  });
});

describe('CORS and security headers', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp({ TRUSTED_FORM_ORIGINS: ['https://form.region.example'] }); });
  afterAll(async () => { await t.close(); });

  it('a trusted form origin gets CORS headers, with a working preflight', async () => {
    const pre = await t.app.inject({
      method: 'OPTIONS', url: '/v1/inquiries',
      headers: { origin: 'https://form.region.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://form.region.example');
    expect(String(pre.headers['access-control-allow-methods'])).toMatch(/POST/);
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/idempotency-key/);
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();

    const res = await post(t.app, inquiry(), { origin: 'https://form.region.example' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe('https://form.region.example');
    expect(String(res.headers['access-control-expose-headers'])).toMatch(/location/);
  });

  it('other origins get no CORS headers at all', async () => {
    const pre = await t.app.inject({
      method: 'OPTIONS', url: '/v1/inquiries', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
    expectProblem(pre, 405); // no preflight handling: a plain OPTIONS, which the path does not take
    const res = await post(t.app, inquiry(), { origin: 'https://evil.example' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const nearMiss = await post(t.app, inquiry(), { origin: 'https://form.region.example.evil.example' });
    expect(nearMiss.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('every answer carries the security headers of a JSON API', async () => {
    for (const res of [
      await t.app.inject({ method: 'GET', url: '/v1/counties' }),
      await t.app.inject({ method: 'GET', url: '/nowhere' }),
      await post(t.app, { nope: true }),
    ]) {
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('Swagger UI under /docs keeps working with its own CSP', async () => {
    // The UI is off in tests (NODE_ENV=test); build the app as development would.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-docs-'));
    const db = openDatabase(path.join(dir, 'docs.db'));
    migrateDatabase(db);
    const app = await buildApp({ config: testConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', DEADLINE_SWEEP_INTERVAL_MS: 0, RETENTION_SWEEP_INTERVAL_MS: 0 }), db });
    try {
      await app.ready();
      const page = await app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
      expect(csp).not.toMatch(/default-src 'none'/);
      const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) {
        const url = src.startsWith('/') ? src : `/docs/${src.replace(/^\.\//, '')}`;
        expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
      }
      expect((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    } finally {
      await app.close();
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('honeypot', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp(); });
  afterAll(async () => { await t.close(); });

  it('an empty honeypot passes', async () => {
    expect((await post(t.app, inquiry({ website: '' }))).statusCode).toBe(201);
  });

  it('a filled honeypot is refused with 422 suspected-bot and nothing is stored', async () => {
    const before = (t.db.$client.prepare('SELECT COUNT(*) AS n FROM inquiries').get() as { n: number }).n;
    expectProblem(await post(t.app, inquiry({ website: 'https://cheap-pills.example' })), 422, 'suspected-bot');
    expect((t.db.$client.prepare('SELECT COUNT(*) AS n FROM inquiries').get() as { n: number }).n).toBe(before);
  });
});

describe('every error path answers problem+json with the request id and no stack', () => {
  let app: FastifyInstance;
  let dir: string;
  let close: () => void;
  beforeAll(async () => {
    // The real app plus one route that fails unexpectedly, registered before ready.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-errors-'));
    const db = openDatabase(path.join(dir, 'errors.db'));
    migrateDatabase(db);
    app = await buildApp({ config: testConfig({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: 1 }), db });
    app.get('/test-only/boom', async () => { throw new Error('secret internals at /srv/app/src/x.ts:12'); });
    await app.ready();
    close = () => { db.$client.close(); fs.rmSync(dir, { recursive: true, force: true }); };
  });
  afterAll(async () => { await app.close(); close(); });

  it('404', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'not-found');
  });

  it('405 for a known path with a method it does not take, with Allow', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/v1/inquiries', remoteAddress: '192.0.2.4' });
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.allow).toBe('POST');
    const withParam = await app.inject({ method: 'PUT', url: '/v1/cases/00000000-0000-4000-8000-000000000000', remoteAddress: '192.0.2.5' });
    expectProblem(withParam, 405, 'method-not-allowed');
    expect(String(withParam.headers.allow)).toMatch(/GET/);
    // An unknown path stays a 404 whatever the method.
    expectProblem(await app.inject({ method: 'DELETE', url: '/v1/nothing-here', remoteAddress: '192.0.2.6' }), 404);
  });

  it('413', async () => {
    expectProblem(await post(app, { blob: 'x'.repeat(200_000) }, {}, '192.0.2.1'), 413, 'payload-too-large');
  });

  it('415', async () => {
    expectProblem(await app.inject({ method: 'POST', url: '/v1/inquiries', payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '192.0.2.2' }), 415, 'unsupported-media-type');
  });

  it('429', async () => {
    await post(app, inquiry(), {}, '192.0.2.3');
    const res = await post(app, inquiry(), {}, '192.0.2.3');
    expectProblem(res, 429, 'rate-limited');
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('an unexpected error is a 500 without internals', async () => {
    const res = await app.inject({ method: 'GET', url: '/test-only/boom', headers: { 'x-request-id': 'boom-request-1' } });
    const body = expectProblem(res, 500, 'internal-error');
    expect(body.requestId).toBe('boom-request-1');
    expect(res.body).not.toMatch(/secret internals|\/srv\/app/);
  });
});
