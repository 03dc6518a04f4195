import net from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';

/**
 * Errors are consistent problem+json everywhere: the HTTP parser's 431, 415 for content types a route does
 * not take, unknown query parameters refused like unknown body fields (with a hint for the usual mistakes),
 * an empty JSON body accepted where an action takes none, and every error in Swedish for Accept-Language: sv.
 */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

function expectProblem(res: LightMyRequestResponse | { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as { status: number; title: string; detail?: string; requestId: string; invalidParams?: { name: string; reason: string }[] };
  expect(body.status).toBe(status);
  expect(body.requestId).toBeTruthy();
  return body;
}

/** One raw HTTP exchange, for what app.inject cannot show (the HTTP parser's own errors). */
function rawRequest(port: number, request: string): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ statusCode: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('the HTTP parser\'s errors', () => {
  it('over-long headers are a 431 problem+json, not a bare JSON body', async () => {
    await w.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = w.app.server.address() as net.AddressInfo;
    const res = await rawRequest(port, `GET /v1/counties HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    const body = expectProblem(res, 431);
    expect(body.title).toBe('Request header fields too large');
    expect(res.headers['x-request-id']).toBe(body.requestId);
    // The server goes on serving.
    const ok = await rawRequest(port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(ok.statusCode).toBe(200);
  });
});

describe('content types', () => {
  it('text/plain on intake is a 415, not a 400', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/v1/inquiries', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(inquiry()) });
    expectProblem(res, 415);
  });

  it('application/json on the NDJSON import is a 415', async () => {
    const line = { externalId: 'X-1', receivedAt: '2025-03-27T15:00:00+01:00', county: 'SE-M', actor: 'almi' };
    const res = await w.app.inject({ method: 'POST', url: '/v1/admin/import', headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/json' }, payload: JSON.stringify(line) });
    expectProblem(res, 415);
    const plain = await w.app.inject({ method: 'POST', url: '/v1/admin/import', headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'text/plain' }, payload: JSON.stringify(line) });
    expectProblem(plain, 415);
    expect((w.db.$client.prepare("SELECT COUNT(*) AS n FROM imported_cases WHERE external_id = 'X-1'").get() as { n: number }).n).toBe(0);
  });

  it('a body without a content type is a 415', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/v1/inquiries', headers: { 'content-type': '' }, payload: Buffer.from(JSON.stringify(inquiry())) });
    expectProblem(res, 415);
  });
});

describe('actions without a body', () => {
  it('accept an empty body with Content-Type: application/json, as the README\'s curl example sends it', async () => {
    const id = await w.submit();
    const headers = { authorization: `Bearer ${w.tokens.almi}`, 'content-type': 'application/json' };
    const etag = (await w.get(`/v1/cases/${id}`, w.tokens.almi)).headers.etag as string;
    const claim = await w.app.inject({ method: 'POST', url: `/v1/cases/${id}/claim`, headers: { ...headers, 'if-match': etag } });
    expect(claim.statusCode, claim.body).toBe(200);
    expect(claim.json().status).toBe('claimed');
    const release = await w.app.inject({ method: 'POST', url: `/v1/cases/${id}/release`, headers, payload: '' });
    expect(release.statusCode, release.body).toBe(200);
    const erase = await w.app.inject({ method: 'POST', url: `/v1/cases/${id}/erase`, headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/json' } });
    expect(erase.statusCode, erase.body).toBe(200);
  });

  it('a route that needs a body still says so, and malformed JSON is still malformed', async () => {
    const id = await w.submit();
    const note = await w.app.inject({ method: 'POST', url: `/v1/cases/${id}/note`, headers: { authorization: `Bearer ${w.tokens.almi}`, 'content-type': 'application/json' } });
    expect(expectProblem(note, 400).invalidParams?.[0]?.name).toBe('body');
    const bad = await w.app.inject({ method: 'POST', url: `/v1/cases/${id}/note`, headers: { authorization: `Bearer ${w.tokens.almi}`, 'content-type': 'application/json' }, payload: '{"text":' });
    expectProblem(bad, 400);
    const poisoned = await w.app.inject({ method: 'POST', url: `/v1/cases/${id}/note`, headers: { authorization: `Bearer ${w.tokens.almi}`, 'content-type': 'application/json' }, payload: '{"text":"x","__proto__":{"admin":true}}' });
    expectProblem(poisoned, 400);
  });
});

describe('unknown query parameters', () => {
  it('format=csv on the statistics is refused with the way to ask for CSV', async () => {
    const res = await w.get('/v1/stats/compliance?from=2026-01-01&to=2026-12-31&format=csv', w.tokens.analyst);
    const body = expectProblem(res, 400);
    expect(body.invalidParams).toEqual([{ name: 'querystring.format', reason: expect.stringMatching(/^Unknown parameter: .*Accept: text\/csv/) }]);
  });

  it('a key in the URL and page= get their own hints', async () => {
    const key = expectProblem(await w.get('/v1/cases?api_key=x', w.tokens.almi), 400);
    expect(key.invalidParams?.[0]?.reason).toMatch(/Authorization: Bearer/);
    const page = expectProblem(await w.get('/v1/cases?page=2', w.tokens.almi), 400);
    expect(page.invalidParams?.[0]?.reason).toMatch(/cursor/);
  });

  it('are refused on every GET route, for a caller the route lets in', async () => {
    const id = await w.submit();
    const statusToken = new URL((await w.post('/v1/inquiries', null, inquiry({ county: 'Skåne', message: LOAN }))).json().statusUrl).pathname.split('/').pop()!;
    // A valid value for each path parameter, so that only the query string is wrong.
    const valueFor = (template: string, name: string): string => {
      if (name === 'code') return 'SE-M';
      if (name === 'token') return statusToken;
      if (template.startsWith('/v1/admin/api-keys/')) return w.keyIds.almi;
      if (template.startsWith('/v1/admin/actors/')) return 'almi';
      return id;
    };
    const document = w.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const researcher = w.app.apiKeys.create({ role: 'researcher', label: 'Research' }, 'test').token;
    const tokens = [null, w.tokens.almi, w.tokens.coordSkane, w.tokens.analyst, w.tokens.admin, researcher, w.tokens.metrics];
    // The query a route needs, so that only the unknown parameter is wrong.
    const required: Record<string, string> = {
      '/v1/stats/compliance': '&from=2026-01-01&to=2026-12-31', '/v1/stats/referrals': '&from=2026-01-01&to=2026-12-31',
      '/v1/stats/tests': '&from=2026-01-01&to=2026-12-31', '/v1/stats/indicators': '&year=2026',
      '/v1/stats/routing': '&from=2026-01-01&to=2026-12-31', '/v1/stats/effects': '&cohortFrom=2026-01&cohortTo=2026-12',
    };
    let checked = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      if (!operations.get) continue;
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(valueFor(template, name)));
      const url = `${path}?bogus=1${required[template] ?? ''}`;
      let res: LightMyRequestResponse | undefined;
      for (const token of tokens) {
        res = await w.get(url, token);
        if (res.statusCode !== 401 && res.statusCode !== 403) break;
      }
      const body = expectProblem(res!, 400);
      expect(body.invalidParams, url).toEqual([{ name: 'querystring.bogus', reason: 'Unknown parameter' }]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(14);
  });

  it('are refused on actions too, and known ones still work', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/claim?note=hej`, w.tokens.almi), 400);
    expectProblem(await w.post('/v1/inquiries?county=SE-M', null, inquiry()), 400);
    expect((await w.get('/v1/cases?limit=5&status=assigned', w.tokens.almi)).statusCode).toBe(200);
    expect((await w.get('/v1/admin/api-keys?includeRevoked=true', w.tokens.admin)).statusCode).toBe(200);
  });
});

describe('errors in Swedish', () => {
  const sv = { 'accept-language': 'sv-SE,sv;q=0.9,en;q=0.5' };

  it('for Accept-Language: sv, the title and every field\'s reason of an intake error are Swedish', async () => {
    const res = await w.post('/v1/inquiries', null, {
      company: { name: '', orgNumber: '556036-0794', employees: -1 },
      contact: { name: 'Anna', email: 'inte-en-adress', phone: 'ring mig' },
      county: 'Atlantis', message: 'Hej', consent: false, extra: 1,
    }, sv);
    const body = expectProblem(res, 400);
    expect(res.headers['content-language']).toBe('sv');
    expect(String(res.headers.vary)).toMatch(/accept-language/i);
    expect(body.title).toBe('Din begäran är inte giltig');
    const reasons = Object.fromEntries(body.invalidParams!.map((p) => [p.name, p.reason]));
    expect(reasons).toEqual({
      'body.company.name': 'Får inte vara tomt',
      'body.company.orgNumber': expect.stringMatching(/^Inte ett giltigt svenskt organisationsnummer/),
      'body.company.employees': 'Måste vara minst 0',
      'body.contact.email': 'Inte en giltig e-postadress',
      'body.contact.phone': expect.stringMatching(/^Inte ett giltigt telefonnummer/),
      'body.consent': expect.stringMatching(/^Samtycke krävs/),
      'body.extra': 'Okänt fält',
    });
    expect(body.detail).toContain('body.contact.email: Inte en giltig e-postadress');
    // The county is checked after the schema: its reason is Swedish too.
    const county = expectProblem(await w.post('/v1/inquiries', null, inquiry({ county: 'Atlantis' }), sv), 400);
    expect(county.invalidParams).toEqual([{ name: 'body.county', reason: expect.stringMatching(/^Okänt län "Atlantis"/) }]);
    const missing = expectProblem(await w.post('/v1/inquiries', null, { consent: true, message: 'Hej' }, sv), 400);
    expect(missing.invalidParams).toEqual(expect.arrayContaining([{ name: 'body.company', reason: 'Saknas: fältet måste anges' }]));
  });

  it('English stays the default, and wins when preferred', async () => {
    const body = expectProblem(await w.post('/v1/inquiries', null, inquiry({ contact: { name: 'A', email: 'x' } })), 400);
    expect(body.title).toBe('Your request is not valid');
    expect(body.invalidParams?.[0]?.reason).toBe('Not a valid e-mail address');
    const preferred = expectProblem(await w.post('/v1/inquiries', null, inquiry({ contact: { name: 'A', email: 'x' } }), { 'accept-language': 'sv;q=0.4, en;q=0.8' }), 400);
    expect(preferred.title).toBe('Your request is not valid');
  });

  it('other errors a form meets are Swedish too: 404, 405, 415, 422 honeypot, unknown query parameter, 409', async () => {
    const notFound = expectProblem(await w.get('/v1/status/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', null, sv), 404);
    expect(notFound).toMatchObject({ title: 'Hittades inte', detail: 'Ingen förfrågan har den här statuslänken.' });
    expect(expectProblem(await w.app.inject({ method: 'DELETE', url: '/v1/inquiries', headers: sv }), 405).title).toBe('Metoden är inte tillåten');
    expect(expectProblem(await w.app.inject({ method: 'POST', url: '/v1/inquiries', headers: { ...sv, 'content-type': 'text/plain' }, payload: 'hej' }), 415).title).toBe('Innehållstypen stöds inte');
    const bot = expectProblem(await w.post('/v1/inquiries', null, inquiry({ website: 'http://spam' }), sv), 422);
    expect(bot.title).toBe('Inte mottaget');
    expect(bot.detail).toMatch(/^Formuläret fylldes i/);
    const query = expectProblem(await w.get('/v1/stats/compliance?from=2026-01-01&to=2026-12-31&format=csv', w.tokens.analyst, sv), 400);
    expect(query.invalidParams?.[0]?.reason).toMatch(/^Okänd parameter: be om ett annat format med rubriken Accept/);
    const id = await w.submit();
    const conflict = expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' }, sv), 409);
    expect(conflict.title).toBe('Registrera första kontakten först');
    const unauthorized = expectProblem(await w.get('/v1/cases', null, sv), 401);
    expect(unauthorized.title).toBe('Inloggning krävs');
  });
});
