import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStatsProjection } from '../../src/stats/open.js';
import { caseWorld, type CaseWorld } from '../cases/helpers.js';
import { createErasureService } from '../../src/privacy/service.js';
import { createAuditLog } from '../../src/audit/service.js';

/**
 * The audit log: every key creation (role and scope) and revocation, every erasure and every change to the
 * actor directory is recorded with who and when, readable by admins at GET /v1/admin/audit, never holding a
 * token or personal data, and nobody (admins included) can alter it.
 */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

interface AuditItem { id: number; at: string; by: string; byRole: string | null; byLabel: string | null; action: string; target: string | null; data: Record<string, unknown> }
const audit = async (query = '') => {
  const res = await w.get(`/v1/admin/audit${query}`, w.tokens.admin);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: AuditItem[]; nextCursor: string | null };
};
const json = (body: unknown) => ({ ...(body as object) });

describe('GET /v1/admin/audit', () => {
  it('records key creation with role and scope (a national coordinator too) and revocation, with who and when, never the token', async () => {
    const headers = { 'content-type': 'application/json' };
    const national = await w.post('/v1/admin/api-keys', w.tokens.admin, json({ role: 'coordinator', allCounties: true, label: 'Tillväxtverket nationellt' }), headers);
    expect(national.statusCode).toBe(201);
    const { key, token } = national.json() as { key: { id: string }; token: string };
    w.clock.advance(60_000);
    expect((await w.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: { authorization: `Bearer ${w.tokens.admin}` } })).statusCode).toBe(200);
    expect((await w.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${key.id}`, headers: { authorization: `Bearer ${w.tokens.admin}` } })).statusCode).toBe(200); // idempotent: no second record

    const log = await audit(`?target=${key.id}`);
    expect(log.items).toEqual([
      { id: expect.any(Number), at: new Date(w.clock.now).toISOString(), by: w.keyIds.admin, byRole: 'admin', byLabel: 'Ops admin', action: 'api-key-revoked', target: key.id, data: { role: 'coordinator', label: 'Tillväxtverket nationellt' } },
      {
        id: expect.any(Number), at: new Date(w.clock.now - 60_000).toISOString(), by: w.keyIds.admin, byRole: 'admin', byLabel: 'Ops admin', action: 'api-key-created', target: key.id,
        data: { role: 'coordinator', label: 'Tillväxtverket nationellt', actorId: null, counties: null, allCounties: true },
      },
    ]);
    const everything = JSON.stringify(await audit('?limit=200'));
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split('_').pop()!);
    // The keys the test world made from the command line's path are there too ("test" stands for "cli").
    expect((await audit(`?target=${w.keyIds.almi}`)).items[0]).toMatchObject({ by: 'test', action: 'api-key-created', data: { role: 'caseworker', actorId: 'almi' } });
  });

  it('records erasures on request (case and company, without the number) and by retention', async () => {
    const personnummer = '121212-1212';
    const id = await w.submit({ company: { name: 'Greta Personssons Snickeri', orgNumber: personnummer }, contact: { name: 'Greta Personsson', email: 'greta@example.se' } });
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.coordSkane, { requestReference: 'DNR-2026/1' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).json().alreadyErased).toBe(true);
    const other = await w.submit({ company: { name: 'Exportbolaget AB', orgNumber: '556036-0793' } });
    expect((await w.post('/v1/admin/erasure', w.tokens.coordNational, { orgNumber: '556036-0793', requestReference: 'DNR-2026/2' })).statusCode).toBe(200);
    await w.post(`/v1/cases/${other}/first-contact`, w.tokens.almi, { channel: 'phone' });
    const closed = await w.submit();
    await w.post(`/v1/cases/${closed}/first-contact`, w.tokens.almi, { channel: 'phone' });
    await w.post(`/v1/cases/${closed}/close`, w.tokens.almi, { outcome: 'helped' });
    w.clock.advance(400 * 86_400_000);
    createErasureService({ db: w.db, clock: w.clock.fn, audit: createAuditLog({ db: w.db, clock: w.clock.fn }), projection: openStatsProjection(w.db, w.config).projection }).eraseExpired(w.clock.now, 365);

    const cases = (await audit(`?target=${id}`)).items;
    expect(cases.map((i) => [i.action, i.by, i.byRole, i.data])).toEqual([
      ['case-erased', w.keyIds.admin, 'admin', { erased: false }],
      ['case-erased', w.keyIds.coordSkane, 'coordinator', { erased: true, requestReference: 'DNR-2026/1' }],
    ]);
    const company = (await audit('?action=company-erased')).items[0]!;
    expect(company).toMatchObject({ by: w.keyIds.coordNational, byRole: 'coordinator', target: null, data: { matched: expect.any(Number), erased: expect.any(Number), requestReference: 'DNR-2026/2' } });
    const retention = (await audit('?action=retention-erased')).items[0]!;
    expect(retention).toMatchObject({ by: 'system', byRole: null, data: { cases: expect.any(Number), caseIds: expect.arrayContaining([closed]) } });
    const everything = JSON.stringify(await audit('?limit=200'));
    for (const secret of [personnummer, '1212121212', '5560360793', '556036-0793', 'Greta']) expect(everything).not.toContain(secret);
  });

  it('records changes to the actor directory', async () => {
    const auth = { authorization: `Bearer ${w.tokens.admin}` };
    expect((await w.post('/v1/admin/actors', w.tokens.admin, { id: 'chamber-test', name: 'Testkammaren', kind: 'chamber', description: 'Prov' })).statusCode).toBe(201);
    expect((await w.app.inject({ method: 'PATCH', url: '/v1/admin/actors/chamber-test', headers: auth, payload: { active: false } })).statusCode).toBe(200);
    expect((await w.app.inject({ method: 'PUT', url: '/v1/admin/actors/chamber-test/presence', headers: auth, payload: { counties: [{ county: 'Skåne', office: 'Malmö' }] } })).statusCode).toBe(200);
    expect((await audit('?target=chamber-test')).items.map((i) => [i.action, i.data])).toEqual([
      ['actor-presence-set', { counties: ['SE-M'] }],
      ['actor-changed', { changed: { active: false } }],
      ['actor-created', { name: 'Testkammaren', kind: 'chamber', active: true }],
    ]);
  });

  it('pages newest first and filters by action', async () => {
    const first = await audit('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.items[0]!.id).toBeGreaterThan(first.items[1]!.id);
    const second = await audit(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.items[0]!.id).toBeLessThan(first.items[1]!.id);
    const created = await audit('?action=api-key-created&limit=200');
    expect(created.items.length).toBeGreaterThanOrEqual(11);
    expect(created.items.every((i) => i.action === 'api-key-created')).toBe(true);
    expect((await w.get('/v1/admin/audit?action=api-key-deleted', w.tokens.admin)).statusCode).toBe(400);
    expect((await w.get('/v1/admin/audit?cursor=abc', w.tokens.admin)).statusCode).toBe(400);
  });

  it('is for admin keys only', async () => {
    expect((await w.get('/v1/admin/audit', null)).statusCode).toBe(401);
    for (const token of [w.tokens.coordNational, w.tokens.almi, w.tokens.analyst, w.tokens.intake]) {
      expect((await w.get('/v1/admin/audit', token)).statusCode).toBe(403);
    }
  });
});

describe('the audit log cannot be altered', () => {
  it('has no way to change or remove a record through the API, and the database refuses UPDATE and DELETE', async () => {
    const auth = { authorization: `Bearer ${w.tokens.admin}` };
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST'] as const) {
      expect((await w.app.inject({ method, url: '/v1/admin/audit', headers: auth, payload: {} })).statusCode, method).toBe(405);
    }
    const count = () => (w.db.$client.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    const before = count();
    expect(() => w.db.$client.prepare("UPDATE audit_log SET by = 'nobody'").run()).toThrow(/append-only/);
    expect(() => w.db.$client.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(count()).toBe(before);
  });
});
