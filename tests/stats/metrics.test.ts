import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    t.clock.set('2026-11-25T08:00:00Z'); // Wednesday 09:00 Stockholm: due Thursday 09:00
    await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) });
    t.clock.set('2026-11-25T09:00:00Z');
    await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-AB' }) });
  });
  afterAll(async () => t.close());

  it('reports inquiries by county and status, open cases by deadline state and request latency', async () => {
    t.clock.set('2026-11-26T08:30:00Z'); // first past its deadline, second at risk
    const scraper = t.app.apiKeys.create({ role: 'metrics', label: 'Prometheus' }, 'test');
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${scraper.token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('en_dorr_in_inquiries{county="SE-M",status="assigned"} 1');
    expect(res.body).toContain('en_dorr_in_open_cases{deadline_state="breached"} 1');
    expect(res.body).toContain('en_dorr_in_open_cases{deadline_state="at-risk"} 1');
    expect(res.body).toContain('en_dorr_in_open_cases{deadline_state="on-track"} 0');
    expect(res.body).toContain('en_dorr_in_deadline_breaches 0');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{route="\/v1\/inquiries",method="POST",status="201"\} 2/);
    expect(res.body).not.toContain('Testbolaget');
    expect(res.body).not.toContain('anna@');
  });

  it('is only for metrics keys: 401 without a key, 403 for every other role', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/problem\+json/);
    expect(anonymous.body).not.toContain('en_dorr_in_inquiries');
    for (const role of ['admin', 'analyst', 'intake'] as const) {
      const key = t.app.apiKeys.create({ role, label: role }, 'test');
      expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${key.token}` } })).statusCode, role).toBe(403);
    }
    // A metrics key is nothing else: no cases, no statistics, not limited by county.
    const scraper = t.app.apiKeys.create({ role: 'metrics', label: 'Prometheus' }, 'test');
    expect((await t.app.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${scraper.token}` } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-01-01&to=2026-12-31', headers: { authorization: `Bearer ${scraper.token}` } })).statusCode).toBe(403);
    expect(() => t.app.apiKeys.create({ role: 'metrics', label: 'x', counties: ['SE-M'] }, 'test')).toThrow();
  });
});
