import type { AddressInfo } from 'node:net';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import type { components, paths } from './api.js';

/**
 * The whole workflow through a client generated from openapi/openapi.json (openapi-typescript types, driven with
 * openapi-fetch) against the real listening server, as an integrator would write it: no casts, no hand-written
 * types, no parsing of URLs. `npm run typecheck` checks this file strictly, so a document that stops describing
 * what the server does (an untyped header, a missing parameter, a union where one shape comes back) fails here.
 *
 * The one choice made on the client side is openapi-fetch's documented media type parameter: the client reads
 * JSON (and problem+json) answers, so an operation that also offers CSV (statistics, by `Accept`) is typed as
 * JSON; the CSV call asks for text with `parseAs: 'text'`.
 */
type Json = `${string}/${string}json`;
type ImportLine = components['schemas']['ImportLine'];

describe('a generated client (openapi-typescript + openapi-fetch) drives the whole workflow', () => {
  let t: TestApp;
  let baseUrl: string;
  const clientFor = (token?: string) =>
    createClient<paths, Json>({ baseUrl, ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}) });

  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => t.close());

  it('inquiry, status, caseworker list with ETag, claim, first contact, refer, close, statistics, import', async () => {
    // The first admin key comes from the command line on the server; everything after it goes through the API.
    const admin = clientFor(t.app.apiKeys.create({ role: 'admin', label: 'Ops' }, 'test').token);
    const newKey = async (body: components['schemas']['NewApiKey']) => {
      const { data, error } = await admin.POST('/v1/admin/api-keys', { body });
      if (error) throw new Error(`${error.status} ${error.title}`);
      return data.token;
    };
    const almi = clientFor(await newKey({ role: 'caseworker', actorId: 'almi', label: 'Almi CRM' }));
    const businessSweden = clientFor(await newKey({ role: 'caseworker', actorId: 'business-sweden', label: 'Business Sweden CRM' }));
    const analyst = clientFor(await newKey({ role: 'analyst', label: 'Analys' }));

    // A company asks (anonymously, as a form does).
    const company = clientFor();
    const created = await company.POST('/v1/inquiries', {
      params: { header: { 'idempotency-key': 'walkthrough-0001-a3f9' } },
      body: {
        company: { name: 'Snickeri i Växjö AB', orgNumber: '556036-0793', employees: 12 },
        contact: { name: 'Anna Andersson', email: 'anna@example.se', phone: '070-123 45 67' },
        county: 'Skåne',
        message: 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.',
        consent: true,
      },
    });
    if (!created.data) throw new Error(`intake failed: ${created.response.status}`);
    expect(created.response.status).toBe(201);
    expect(created.data.assignedActor?.id).toBe('almi');
    expect(created.response.headers.get('Location')).toBe(`/v1/status/${created.data.statusToken}`);
    const caseId = created.data.id;

    // The same submission again is the same inquiry, and says so.
    const replay = await company.POST('/v1/inquiries', {
      params: { header: { 'idempotency-key': 'walkthrough-0001-a3f9' } },
      body: {
        company: { name: 'Snickeri i Växjö AB', orgNumber: '556036-0793', employees: 12 },
        contact: { name: 'Anna Andersson', email: 'anna@example.se', phone: '070-123 45 67' },
        county: 'Skåne',
        message: 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.',
        consent: true,
      },
    });
    expect(replay.data?.id).toBe(caseId);
    expect(replay.response.headers.get('Idempotent-Replayed')).toBe('true');

    // Its status link, by the token the answer carries.
    const status = await company.GET('/v1/status/{token}', { params: { path: { token: created.data.statusToken } } });
    expect(status.data?.reference).toBe(created.data.reference);
    expect(status.data?.assignedActor?.name).toBeTruthy();

    // The caseworker polls: a list with an ETag, then the same poll with If-None-Match is a 304.
    const list = await almi.GET('/v1/cases', { params: { query: { status: 'assigned', limit: 10 } } });
    expect(list.data?.items.map((c) => c.id)).toContain(caseId);
    const listTag = list.response.headers.get('ETag');
    expect(listTag).toMatch(/^W\/"/);
    const unchanged = await almi.GET('/v1/cases', { params: { query: { status: 'assigned', limit: 10 }, header: { 'if-none-match': listTag ?? '' } } });
    expect(unchanged.response.status).toBe(304);
    expect(unchanged.data).toBeUndefined();

    // Read the case, claim it with If-Match, record first contact, refer it on.
    const read = await almi.GET('/v1/cases/{id}', { params: { path: { id: caseId } } });
    if (!read.data) throw new Error(`read failed: ${read.response.status}`);
    expect(read.data.contact.email).toBe('anna@example.se');
    const readTag = read.response.headers.get('ETag') ?? '';
    expect(readTag).toBe(`"${read.data.version}"`);

    const claimed = await almi.POST('/v1/cases/{id}/claim', { params: { path: { id: caseId }, header: { 'if-match': readTag } } });
    if (!claimed.data) throw new Error(`claim failed: ${claimed.response.status}`);
    expect(claimed.data.status).toBe('claimed');
    expect(claimed.data.actions).toContain('first-contact'); // a Case, not a summary: the type says so too

    const stale = await almi.POST('/v1/cases/{id}/claim', { params: { path: { id: caseId }, header: { 'if-match': readTag } } });
    expect(stale.error?.status).toBe(412);
    expect(stale.response.headers.get('ETag')).toBe(claimed.response.headers.get('ETag'));

    t.clock.advance(2 * 3_600_000); // two hours later the caseworker reached the company, a minute ago
    const contacted = await almi.POST('/v1/cases/{id}/first-contact', {
      params: { path: { id: caseId }, header: { 'if-match': claimed.response.headers.get('ETag') ?? '' } },
      body: { channel: 'phone', at: new Date(t.clock.now - 60_000).toISOString(), note: 'Booked a meeting' },
    });
    if (!contacted.data) throw new Error(`first contact failed: ${contacted.response.status} ${JSON.stringify(contacted.error)}`);
    expect(contacted.data.status).toBe('contacted');
    expect(contacted.data.deadline.state).toBe('met');

    const referred = await almi.POST('/v1/cases/{id}/refer', {
      params: { path: { id: caseId } },
      body: { toActor: 'business-sweden', kind: 'additional-need', reason: 'Helped with the loan; also wants distributors in Germany' },
    });
    if (!referred.data) throw new Error(`referral failed: ${referred.response.status} ${JSON.stringify(referred.error)}`);
    expect(referred.data.assignedActor?.id).toBe('business-sweden');
    expect('contact' in referred.data).toBe(false); // the summary only: Almi no longer has the case

    const gone = await almi.GET('/v1/cases/{id}', { params: { path: { id: caseId } } });
    expect(gone.error?.status).toBe(404);
    expect(gone.response.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);

    const closed = await businessSweden.POST('/v1/cases/{id}/close', { params: { path: { id: caseId } }, body: { outcome: 'helped' } });
    if (!closed.data) throw new Error(`close failed: ${closed.response.status}`);
    expect(closed.data.status).toBe('closed');
    expect(closed.data.outcome).toBe('helped');

    const history = await businessSweden.GET('/v1/cases/{id}/events', { params: { path: { id: caseId } } });
    expect(history.data?.items.map((e) => e.type)).toEqual(expect.arrayContaining(['received', 'claimed', 'first-contact', 'referred', 'closed']));

    // Statistics as JSON (typed as the report) and as CSV (text).
    const query = { from: '2026-11-01', to: '2026-11-30', groupBy: 'county' };
    const stats = await analyst.GET('/v1/stats/compliance', { params: { query } });
    if (!stats.data) throw new Error(`statistics failed: ${stats.response.status}`);
    expect(stats.data.total.received).toBe(1);
    expect(stats.data.total.contactedInTime).toBe(1);
    expect(stats.data.groups[0]?.county).toBe('SE-M');
    const csv = await analyst.GET('/v1/stats/compliance', { params: { query }, headers: { Accept: 'text/csv' }, parseAs: 'text' });
    expect(csv.response.headers.get('Content-Type')).toMatch(/^text\/csv/);
    expect(csv.response.headers.get('Content-Disposition')).toContain('compliance-2026-11-01-2026-11-30.csv');
    expect(csv.data).toMatch(/total/);

    // History from an earlier system, as NDJSON: one typed line per case.
    const lines: ImportLine[] = [
      { externalId: 'M-2025-0042', receivedAt: '2025-03-27T15:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', firstContactAt: '2025-03-31T09:10:00+02:00' },
      { externalId: 'M-2025-0043', receivedAt: '2025-03-28T10:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance' },
    ];
    const imported = await admin.POST('/v1/admin/import', {
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
      bodySerializer: (body) => body,
      headers: { 'Content-Type': 'application/x-ndjson' },
    });
    if (!imported.data) throw new Error(`import failed: ${imported.response.status} ${JSON.stringify(imported.error)}`);
    expect(imported.data).toMatchObject({ lines: 2, imported: 2, failed: 0 });
  });

  it('types every error as the one Problem shape, with the request id', async () => {
    const anonymous = clientFor();
    const denied = await anonymous.GET('/v1/cases', { params: { query: {} } });
    expect(denied.error?.status).toBe(401);
    expect(denied.error?.requestId).toBe(denied.response.headers.get('X-Request-Id'));
    expect(denied.response.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });
});
