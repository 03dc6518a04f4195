import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/plugins/logging.js';
import { openDatabase } from '../../src/db/client.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_PATH: './data/en-dorr-in.db', DEADLINE_POLICY: 'working-day' });
  });

  it('refuses a wrong value with a message naming each variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DEADLINE_POLICY: 'whenever', TRUSTED_FORM_ORIGINS: 'not a url' });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DEADLINE_POLICY/);
    expect(message).toMatch(/TRUSTED_FORM_ORIGINS/);
  });

  it('parses the trusted form origins', () => {
    expect(loadConfig({ TRUSTED_FORM_ORIGINS: 'https://region.se/form, https://verksamt.se' }).TRUSTED_FORM_ORIGINS).toEqual(['https://region.se', 'https://verksamt.se']);
  });

  it('derives PUBLIC_BASE_URL from HOST and PORT outside production, and refuses to start in production without it', () => {
    expect(loadConfig({}).PUBLIC_BASE_URL).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '3100' }).PUBLIC_BASE_URL).toBe('http://localhost:3100');
    expect(loadConfig({ HOST: '::1', PORT: '3100' }).PUBLIC_BASE_URL).toBe('http://[::1]:3100');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://endorrin.region.se/' }).PUBLIC_BASE_URL).toBe('https://endorrin.region.se');
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: '8080', ORG_KEY_SECRET: 'k'.repeat(32) });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/PUBLIC_BASE_URL: required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', RESEARCH_PSEUDONYM_SECRET: 'k'.repeat(32), ORG_KEY_SECRET: 'k'.repeat(32), PUBLIC_BASE_URL: 'https://endorrin.region.se' }).PUBLIC_BASE_URL).toBe('https://endorrin.region.se');
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x.se' })).toThrow(ConfigError);
  });

  it('status links follow the derived base URL', async () => {
    const t = await buildTestApp({ PUBLIC_BASE_URL: loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL });
    const body = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry() })).json();
    expect(body.statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:8080\/v1\/status\//);
    await t.close();
  });

  it("bounds SQLite's memory as configured (SQLITE_CACHE_MB, SQLITE_MMAP_MB), 64 MB cache and a 256 MB map by default", () => {
    const sizes = (db: ReturnType<typeof openDatabase>) => ({
      cacheKiB: -(db.$client.pragma('cache_size', { simple: true }) as number),
      mmapBytes: db.$client.pragma('mmap_size', { simple: true }) as number,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-memory-'));
    const defaults = loadConfig({});
    expect([defaults.SQLITE_CACHE_MB, defaults.SQLITE_MMAP_MB]).toEqual([64, 256]);
    const byDefault = openDatabase(path.join(dir, 'default.db'));
    expect(sizes(byDefault)).toEqual({ cacheKiB: 64 * 1024, mmapBytes: 256 * 1024 * 1024 });
    byDefault.$client.close();
    const small = loadConfig({ SQLITE_CACHE_MB: '8', SQLITE_MMAP_MB: '0' });
    const db = openDatabase(path.join(dir, 'small.db'), { cacheMb: small.SQLITE_CACHE_MB, mmapMb: small.SQLITE_MMAP_MB });
    expect(sizes(db)).toEqual({ cacheKiB: 8 * 1024, mmapBytes: 0 });
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(() => loadConfig({ SQLITE_CACHE_MB: '0' })).toThrow(/SQLITE_CACHE_MB/);
    expect(() => loadConfig({ SQLITE_MMAP_MB: '-1' })).toThrow(/SQLITE_MMAP_MB/);
  });

  it('serves Swagger UI by default except in production (API_DOCS)', () => {
    expect(loadConfig({}).API_DOCS).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', RESEARCH_PSEUDONYM_SECRET: 'k'.repeat(32), ORG_KEY_SECRET: 'k'.repeat(32), PUBLIC_BASE_URL: 'https://x.se' }).API_DOCS).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', RESEARCH_PSEUDONYM_SECRET: 'k'.repeat(32), ORG_KEY_SECRET: 'k'.repeat(32), PUBLIC_BASE_URL: 'https://x.se', API_DOCS: 'true' }).API_DOCS).toBe(true);
  });

  it('the 24h policy from config is recorded with new inquiries', async () => {
    const t = await buildTestApp({ DEADLINE_POLICY: '24h' });
    t.clock.set('2026-11-27T14:00:00Z');
    const body = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry() })).json();
    expect(body).toMatchObject({ deadlinePolicy: '24h', deadlineAt: '2026-11-28T14:00:00.000Z' });
    await t.close();
  });
});

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp(); });
  afterAll(async () => { await t.close(); });

  it('is live and ready while the database answers', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('is not ready when the database is gone', async () => {
    const other = await buildTestApp();
    other.db.$client.close();
    const res = await other.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    await other.app.close();
  });

  it('echoes a sane incoming request id and makes one otherwise', async () => {
    const echoed = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'abc-12345678' } });
    expect(echoed.headers['x-request-id']).toBe('abc-12345678');
    const made = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('carry the request id and no personal data', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    const logger = createLogger('trace', sink);
    const t = await buildTestApp({}, { logger });
    const payload = inquiry({
      company: { name: 'Hemliga Bolaget AB', orgNumber: '121212-1212' },
      contact: { name: 'Greta Personsson', email: 'greta.personsson@example.se', phone: '+46 70 999 88 77' },
      message: 'Vi behöver ett lån. Ring Greta på 070-999 88 77, personnummer 121212-1212.',
    });
    const created = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload, headers: { 'x-request-id': 'trace-me-0001' } });
    await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: { ...payload, consent: false } });
    await t.app.inject({ method: 'GET', url: new URL(created.json().statusUrl).pathname });
    await t.close();
    const log = lines.join('');
    expect(log).toContain('trace-me-0001');
    for (const secret of ['Hemliga', 'Greta', 'Personsson', 'greta.personsson', '999 88 77', '121212', 'Vi behöver', created.json().statusUrl.split('/').pop()]) {
      expect(log, secret).not.toContain(secret);
    }
  });
});
