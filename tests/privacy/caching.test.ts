import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, type CaseWorld } from '../cases/helpers.js';

/** No cache keeps personal data or a status token: every such answer is Cache-Control: no-store. */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

describe('Cache-Control', () => {
  it('is no-store on every answer that carries personal data or a status token, errors included', async () => {
    const created = await w.post('/v1/inquiries', null, { company: { name: 'Cachebolaget AB' }, contact: { name: 'Carl Cache', email: 'carl@cache.se' }, county: 'Skåne', message: 'Vi behöver ett lån för att köpa en ny maskin.', consent: true });
    expect(created.statusCode).toBe(201);
    const { id, statusUrl } = created.json();
    const statusPath = new URL(statusUrl).pathname;
    const answers = {
      'intake 201': created,
      'status view': await w.get(statusPath, null),
      'case': await w.get(`/v1/cases/${id}`, w.tokens.almi),
      'case list': await w.get('/v1/cases', w.tokens.almi),
      'case events': await w.get(`/v1/cases/${id}/events`, w.tokens.almi),
      'deadline view': await w.get(`/v1/cases/${id}/deadline`, w.tokens.almi),
      'triage': await w.get('/v1/triage', w.tokens.coordSkane),
      'claim': await w.post(`/v1/cases/${id}/claim`, w.tokens.almi),
      'key list': await w.get('/v1/admin/api-keys', w.tokens.admin),
      'one key': await w.get(`/v1/admin/api-keys/${w.keyIds.almi}`, w.tokens.admin),
      'statistics': await w.get('/v1/stats/compliance?from=2026-11-01&to=2026-11-30', w.tokens.analyst),
      'erasure': await w.post(`/v1/cases/${id}/erase`, w.tokens.admin),
      'validation error': await w.post('/v1/inquiries', null, { contact: { email: 'carl@cache.se' } }),
      'unknown status link': await w.get('/v1/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', null),
      'health': await w.get('/health/live', null),
    };
    for (const [what, res] of Object.entries(answers)) {
      expect(res.statusCode, what).toBeLessThan(500);
      expect(res.headers['cache-control'], what).toBe('no-store');
    }
  });

  it('public reference data may be cached briefly', async () => {
    for (const url of ['/v1/counties', '/v1/counties/SE-M', '/v1/actors', '/v1/topics']) {
      expect((await w.get(url, null)).headers['cache-control'], url).toBe('public, max-age=300');
    }
  });
});
