import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import { createApiKeyRepository } from '../../src/auth/repository.js';
import { createApiKeyService } from '../../src/auth/service.js';
import { createReferenceRepository } from '../../src/reference/repository.js';
import { ReferenceService } from '../../src/reference/service.js';
import { Places } from '../../src/reference/places.js';
import { loadKnowledge } from '../../src/classification/knowledge.js';
import { consistencyProblems, integrityCheck } from './consistency.js';
import { createAuditLog } from '../../src/audit/service.js';

/**
 * Fuzzing every endpoint in openapi/openapi.json with fast-check: random JSON, wrong types, nulls,
 * huge strings, deep nesting, odd Unicode, malformed dates, invalid org numbers, SQL- and script-like
 * text, and mutations of a valid intake body; anonymous, with a random Bearer token and with a real
 * admin token. The service must never answer 5xx, every error must be problem+json, and the database
 * must afterwards pass PRAGMA integrity_check and the consistency check.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(fs.readFileSync(path.resolve(HERE, '../../openapi/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const endpoints = Object.entries(spec.paths).flatMap(([p, ops]) =>
  Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => ({ path: p, method: m.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' })),
);

const RUNS_ENDPOINTS = 600;
const RUNS_INTAKE = 300;

// ---- nasty values -------------------------------------------------------------------------------
const sqlAndScript = fc.constantFrom(
  "' OR '1'='1", "'; DROP TABLE inquiries; --", '1; DELETE FROM actors', "\" OR 1=1 --", 'UNION SELECT * FROM api_keys',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{7*7}}', '${process.exit(1)}',
  '../../../../etc/passwd', '%00', '\\x00', 'constructor', '__proto__', 'prototype',
);
const oddUnicode = fc.oneof(
  fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u202E\u0041\u0042', '\uFEFF', '\u200B\u200D', 'Å'.repeat(300), '🇸🇪👩‍👩‍👧‍👦', 'e\u0301\u0301\u0301', '\r\n\t\v\f', 'İıſK', '\u{10FFFF}'),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
);
const malformedDate = fc.constantFrom(
  '2026-13-45', '2026-02-30T25:61:61Z', 'not-a-date', '0000-00-00', '9999-99-99T99:99:99.999Z', '2026-11-25T08:00:00+25:00',
  '', '1e308', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:01Z', 'Invalid Date', '2026-W48-3',
);
const invalidOrgNumber = fc.oneof(
  fc.constantFrom('556036-0794', '000000-0000', '5560360793999', '55603607', 'ABCDEF-GHIJ', '556036+0793', '19121212-1212', '-', '   '),
  fc.stringMatching(/^[0-9]{6}-?[0-9]{4}$/),
);
const hugeString = fc.tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom('a', 'Å', '😀', '<', "'", '\u0000')).map(([n, c]) => c.repeat(Math.ceil(n / c.length)));
const nastyString = fc.oneof(sqlAndScript, oddUnicode, malformedDate, invalidOrgNumber, fc.string({ maxLength: 30 }), hugeString);
const wrongType = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.constant(-0), fc.constant(Number.MAX_SAFE_INTEGER * 4),
  fc.constant([]), fc.constant({}), fc.array(fc.string(), { maxLength: 3 }), fc.constantFrom('true', '1', '0', 'null'),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(nastyString, wrongType, fc.jsonValue({ maxDepth: 3 }));

/** Deep nesting, built as text so JSON.stringify's own recursion is not what gets tested. */
const deepJson = fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.constantFrom('array', 'object')).map(([depth, kind]) =>
  kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
);

/** A body: a JSON value, or raw text (malformed JSON, deep nesting), or nothing. */
type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({ kind: 'none' }),
  fc.jsonValue().map((value): Body => ({ kind: 'json', value })),
  nastyValue.map((value): Body => ({ kind: 'json', value })),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('label', 'role', 'actorId', 'counties', 'allCounties', 'name', 'kind', 'active', 'countyCode', 'office', '__proto__')), nastyValue, { maxKeys: 6 })
    .map((value): Body => ({ kind: 'json', value })),
  deepJson.map((text): Body => ({ kind: 'raw', text })),
  fc.oneof(fc.constantFrom('{', '{"a":', 'nul', '[1,]', '{"a":1}{"b":2}', '\uFEFF{}', "{'a':1}"), fc.string({ maxLength: 40 })).map((text): Body => ({ kind: 'raw', text })),
);
const contentType = fc.constantFrom<string | undefined>(
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded',
  'application/problem+json', 'multipart/form-data; boundary=x', '', undefined, 'application/JSON', 'application/x-ndjson',
);
/** encodeURIComponent, with lone surrogates (which it refuses) replaced as a browser would. */
function encode(s: string): string {
  return encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

// Path parameters stay within Fastify's maxParamLength (100) here; longer ones are answered by the
// router before any handler, through the `frameworkErrors` option in src/app.ts (tested below).
const pathParam = fc.oneof(
  fc.string({ maxLength: 40 }), nastyString, fc.uuid().map(String),
  fc.constantFrom('SE-M', '12', 'almi', 'skane', 'chamber', '0', '-1', 'null', 'undefined', '.', '..'),
).filter((s) => encode(s).length <= 100);
const queryString = fc.option(
  fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('limit', 'cursor', 'from', 'to', 'county', 'status', 'includeRevoked', 'active')), fc.oneof(nastyString.filter((s) => s.length < 2_000), fc.constant('')), { maxKeys: 4 }),
  { nil: undefined },
);
type Auth = 'none' | 'random' | 'admin' | 'garbage';
const auth = fc.constantFrom<Auth>('none', 'random', 'admin', 'garbage');
const randomToken = fc.oneof(fc.string({ maxLength: 80 }), fc.base64String({ maxLength: 80 }), fc.constant('edi_' + 'x'.repeat(60)));

describe('fuzzing every endpoint', () => {
  let t: TestApp;
  let adminToken = '';
  const statuses = new Map<number, number>();
  let requests = 0;

  beforeAll(async () => {
    // A body limit above the largest generated string, so huge strings reach the validators too.
    t = await buildTestApp({ BODY_LIMIT_BYTES: 256 * 1024 });
    const knowledge = loadKnowledge();
    const reference = new ReferenceService(createReferenceRepository(t.db), new Places(), knowledge);
    const apiKeys = createApiKeyService({ repository: createApiKeyRepository(t.db), reference, clock: t.clock.fn, audit: createAuditLog({ db: t.db, clock: t.clock.fn }) });
    adminToken = apiKeys.create({ label: 'fuzz admin', role: 'admin' } as Parameters<typeof apiKeys.create>[0], 'test').token;
  });
  afterAll(async () => {
    console.log(`fuzz: ${requests} requests over ${endpoints.length} endpoints; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    await t?.close();
  });

  async function send(method: string, url: string, b: Body, type: string | undefined, who: Auth, token: string) {
    const headers: Record<string, string> = {};
    if (who === 'admin') headers.authorization = `Bearer ${adminToken}`;
    if (who === 'random') headers.authorization = `Bearer ${token}`;
    if (who === 'garbage') headers.authorization = token;
    let payload: string | undefined;
    if (b.kind === 'json') payload = JSON.stringify(b.value) ?? 'null';
    if (b.kind === 'raw') payload = b.text;
    if (payload !== undefined && type !== undefined) headers['content-type'] = type;
    const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
    requests += 1;
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const where = `${method} ${url.slice(0, 200)} (${who}, ${type ?? 'no type'}, body ${payload?.slice(0, 200)}) → ${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(res.statusCode, where).toBeLessThan(500);
    if (res.statusCode >= 400) expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
    return res;
  }

  it(`never answers 5xx to ${RUNS_ENDPOINTS} generated requests against every listed endpoint`, async () => {
    expect(endpoints.length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints), fc.array(pathParam, { minLength: 3, maxLength: 3 }), queryString, body, contentType, auth, randomToken,
        async (endpoint, params, query, b, type, who, token) => {
          let i = 0;
          let url = endpoint.path.replace(/\{[^}]+\}/g, () => encode(params[i++] ?? ''));
          if (query) url += `?${new URLSearchParams(query).toString()}`;
          await send(endpoint.method, url, b, type, who, token);
        },
      ),
      { numRuns: RUNS_ENDPOINTS },
    );
  }, 60_000);

  it(`never answers 5xx to ${RUNS_INTAKE} mutations of a valid intake body`, async () => {
    const fields = [
      'company', 'company.name', 'company.orgNumber', 'company.employees', 'contact', 'contact.name', 'contact.email', 'contact.phone',
      'county', 'municipality', 'subject', 'message', 'language', 'consent', 'extra', 'company.extra', '__proto__',
    ];
    const mutation = fc.record({
      field: fc.constantFrom(...fields),
      op: fc.constantFrom('set', 'set', 'set', 'delete'),
      value: fc.oneof(nastyValue, fc.constantFrom('SE-M', 'Skåne', 'Lund', '1281', 'sv', 'en', '19121212-1212', '556036-0793')),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 0, maxLength: 4 }), fc.constantFrom<Auth>('none', 'none', 'random', 'admin'), randomToken, async (mutations, who, token) => {
        const value = structuredClone(inquiry()) as Record<string, unknown>;
        for (const m of mutations) {
          const keys = m.field.split('.');
          let target = value as Record<string, unknown>;
          for (const k of keys.slice(0, -1)) {
            if (typeof target[k] !== 'object' || target[k] === null || Array.isArray(target[k])) target[k] = {};
            target = target[k] as Record<string, unknown>;
          }
          const last = keys[keys.length - 1]!;
          if (m.op === 'delete') delete target[last];
          else Object.defineProperty(target, last, { value: m.value, enumerable: true, writable: true, configurable: true });
        }
        const res = await send('POST', '/v1/inquiries', { kind: 'json', value }, 'application/json', who, token);
        if (mutations.length === 0 && who === 'none') expect(res.statusCode).toBe(201);
      }),
      { numRuns: RUNS_INTAKE },
    );
  }, 60_000);

  // The router answers over-long path parameters and malformed URLs itself; frameworkErrors makes them problem+json.
  it('answers an over-long path parameter and a malformed URL with problem+json', async () => {
    for (const url of [`/v1/counties/${'a'.repeat(101)}`, '/v1/counties/%E0%A4%A']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('leaves a database that passes integrity_check and the consistency check', () => {
    expect(integrityCheck(t.db.$client)).toEqual(['ok']);
    expect(consistencyProblems(t.db.$client)).toEqual([]);
    const count = t.db.$client.prepare('SELECT count(*) AS n FROM inquiries').get() as { n: number };
    console.log(`fuzz: ${count.n} inquiries created and consistent`);
    expect(count.n).toBeGreaterThan(0);
  });
});
