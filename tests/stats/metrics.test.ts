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
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
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
});
