import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await buildTestApp({ BODY_LIMIT_BYTES: 16 * 1024 }); });
afterAll(async () => { await t.close(); });

const count = () => (t.db.$client.prepare('SELECT count(*) AS n FROM inquiries').get() as { n: number }).n;

async function expectInvalid(payload: unknown, field: string) {
  const before = count();
  const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: payload as object });
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json();
  expect(problem).toMatchObject({ status: 400, title: expect.any(String), instance: '/v1/inquiries', requestId: res.headers['x-request-id'] });
  expect(problem.invalidParams.map((p: { name: string }) => p.name)).toContain(field);
  expect(count()).toBe(before);
  return problem;
}

describe('every validation error names its field', () => {
  it.each([
    ['an invalid organisation number (Luhn)', { company: { name: 'AB', orgNumber: '556036-0794' } }, 'body.company.orgNumber'],
    ['an organisation number of the wrong length', { company: { name: 'AB', orgNumber: '55603607' } }, 'body.company.orgNumber'],
    ['letters in an organisation number', { company: { name: 'AB', orgNumber: '55603A-0793' } }, 'body.company.orgNumber'],
    ['a missing company name', { company: { orgNumber: '556036-0793' } }, 'body.company.name'],
    ['a blank company name', { company: { name: '   ' } }, 'body.company.name'],
    ['negative employees', { company: { name: 'AB', employees: -1 } }, 'body.company.employees'],
    ['fractional employees', { company: { name: 'AB', employees: 2.5 } }, 'body.company.employees'],
    ['an invalid e-mail', { contact: { name: 'A', email: 'not-an-email' } }, 'body.contact.email'],
    ['a missing e-mail', { contact: { name: 'A' } }, 'body.contact.email'],
    ['an invalid phone', { contact: { name: 'A', email: 'a@b.se', phone: 'call me maybe' } }, 'body.contact.phone'],
    ['a message that is too long', { message: 'x'.repeat(5001) }, 'body.message'],
    ['an empty message', { message: '' }, 'body.message'],
    ['a subject that is too long', { subject: 's'.repeat(201) }, 'body.subject'],
    ['an unsupported language', { language: 'de' }, 'body.language'],
    ['consent false', { consent: false }, 'body.consent'],
    ['consent missing', { consent: undefined }, 'body.consent'],
    ['an unknown county', { county: 'Atlantis' }, 'body.county'],
    ['an unknown municipality', { municipality: 'Springfield' }, 'body.municipality'],
    ['a municipality outside the given county', { county: 'SE-AB', municipality: 'Lund' }, 'body.municipality'],
    ['a wrong type', { message: 42 }, 'body.message'],
  ])('%s', async (_label, override, field) => {
    await expectInvalid(inquiry(override), field);
  });

  it('rejects unknown fields, naming them', async () => {
    await expectInvalid({ ...inquiry(), emial: 'x@y.se' }, 'body.emial');
    await expectInvalid(inquiry({ contact: { name: 'A', email: 'a@b.se', fax: '123' } }), 'body.contact.fax');
  });

  it('reports every invalid field at once', async () => {
    const problem = await expectInvalid(inquiry({ consent: false, contact: { name: 'A', email: 'nope' } }), 'body.consent');
    expect(problem.invalidParams.map((p: { name: string }) => p.name)).toContain('body.contact.email');
  });
});

describe('malformed requests never reach a 500', () => {
  it('wrong content type is 415', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: 'company=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('malformed JSON is 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: '{"company": ', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toMatch(/malformed-json/);
  });

  it('an oversized body is 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ message: 'x'.repeat(20_000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('a JSON array or null body is 400', async () => {
    for (const payload of ['[]', 'null', '"text"']) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
    }
  });

  it('an unknown route is a problem+json 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, instance: '/v1/nothing-here' });
  });

  it('a bad idempotency key is 400 naming the header', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry(), headers: { 'idempotency-key': 'short' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().invalidParams[0].name).toBe('headers.idempotency-key');
  });
});
