import fs from 'node:fs';
import { createConfig, lint } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_FILE } from '../../src/cli/openapi.js';

describe('the OpenAPI document', () => {
  it('committed openapi/openapi.json matches the routes (run `npm run openapi:generate` when this fails)', async () => {
    expect(fs.readFileSync(OPENAPI_FILE, 'utf8')).toBe(await generateOpenApi());
  });

  it('is OpenAPI 3.1 and every operation has an operationId, tags and documented error responses', async () => {
    const doc = JSON.parse(await generateOpenApi());
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string; tags?: string[]; responses: Record<string, unknown> }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(ids.has(op.operationId!), `duplicate operationId ${op.operationId}`).toBe(false);
        ids.add(op.operationId!);
        expect(op.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0);
        const codes = Object.keys(op.responses);
        expect(codes.some((c) => c.startsWith('2')), `${method} ${path} success`).toBe(true);
        if (!path.startsWith('/health') && path !== '/metrics') expect(codes.some((c) => /^[45]/.test(c)), `${method} ${path} errors`).toBe(true);
      }
    }
    expect(ids).toContain('createInquiry');
  });
});

interface Media { schema: unknown; examples?: Record<string, { summary?: string; value: unknown }> }
interface Op {
  operationId: string;
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { required?: boolean; content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media>; headers?: Record<string, unknown> }>;
}

/** What the server actually sends, declared in the document (issue 15, item 12). */
describe('the OpenAPI document tells the truth', async () => {
  const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));
  const ops: (Op & { path: string; method: string })[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Op>>)) {
    for (const [method, op] of Object.entries(methods)) ops.push({ ...op, path, method });
  }
  const op = (id: string) => ops.find((o) => o.operationId === id)!;
  const headersOf = (id: string, status: string) => Object.keys(op(id).responses[status]?.headers ?? {});

  it('has servers, a contact, a licence and a description', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.contact?.name).toBeTruthy();
    expect(doc.info.license).toEqual({ name: 'CC0-1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' });
    expect(JSON.stringify(doc.paths)).not.toContain('"Default Response"');
  });

  it('declares every error as application/problem+json with the one shared Problem schema', () => {
    for (const o of ops) {
      for (const [status, response] of Object.entries(o.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${o.operationId} ${status}`).toEqual(['application/problem+json']);
        expect(response.content!['application/problem+json']!.schema, `${o.operationId} ${status}`).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
  });

  it('declares 429 with Retry-After and the X-RateLimit headers on every rate-limited operation (all outside /health)', () => {
    for (const o of ops.filter((x) => !x.path.startsWith('/health/'))) {
      expect(headersOf(o.operationId, '429'), o.operationId).toContain('Retry-After');
      for (const status of Object.keys(o.responses)) expect(headersOf(o.operationId, status), `${o.operationId} ${status}`).toContain('X-RateLimit-Remaining');
    }
  });

  it('declares 401 and 403 with WWW-Authenticate wherever a key is taken, and security: [] on public operations', () => {
    for (const o of ops) {
      if (o.security?.length) {
        expect(headersOf(o.operationId, '401'), o.operationId).toContain('WWW-Authenticate');
        expect(headersOf(o.operationId, '403'), o.operationId).toContain('WWW-Authenticate');
      } else {
        expect(o.security, o.operationId).toEqual([]);
      }
    }
    expect(op('getInquiryStatus').security).toEqual([]);
  });

  it('declares the ETag, Location and Idempotent-Replayed headers, and If-None-Match / If-Match where they are honoured', () => {
    expect(headersOf('getCase', '200')).toContain('ETag');
    for (const id of ['listCases', 'listTriage']) {
      expect(headersOf(id, '200')).toContain('ETag');
      expect(headersOf(id, '304')).toContain('ETag');
      expect(op(id).responses['304']!.content).toBeUndefined();
      expect(op(id).parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toContain('if-none-match');
    }
    for (const id of ['claimCase', 'firstContactCase', 'referCase', 'closeCase']) {
      expect(headersOf(id, '200')).toContain('ETag');
      expect(headersOf(id, '412')).toContain('ETag');
      expect(op(id).parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toContain('if-match');
    }
    expect(headersOf('createInquiry', '201')).toEqual(expect.arrayContaining(['Location', 'Idempotent-Replayed']));
  });

  it('does not require a body where the server takes none (eraseCase)', () => {
    expect(op('eraseCase').requestBody?.required).toBe(false);
    expect(JSON.stringify(op('eraseCase').requestBody)).not.toContain('"null"');
    expect(op('claimCase').requestBody).toBeUndefined();
  });

  it('has a recorded example for every operation: a response, and the request body where it takes one', () => {
    const examplesOf = (content: Record<string, Media> | undefined) => Object.values(content ?? {}).flatMap((m) => Object.values(m.examples ?? {}));
    const withoutResponse = ops.filter((o) => Object.values(o.responses).every((r) => examplesOf(r.content).length === 0)).map((o) => o.operationId);
    const withoutRequest = ops.filter((o) => o.requestBody && examplesOf(o.requestBody.content).length === 0).map((o) => o.operationId);
    expect(withoutResponse, 'run `npm run openapi:examples` (scripts/record-openapi-examples.ts)').toEqual([]);
    expect(withoutRequest, 'run `npm run openapi:examples` (scripts/record-openapi-examples.ts)').toEqual([]);
    // Every operation whose success answer has a body shows one, and the error examples are problem details.
    for (const o of ops) {
      const success = Object.entries(o.responses).filter(([s, r]) => Number(s) < 400 && r.content);
      if (success.length > 0) expect(success.some(([, r]) => examplesOf(r.content).length > 0), o.operationId).toBe(true);
      for (const [status, r] of Object.entries(o.responses)) {
        if (Number(status) < 400) continue;
        for (const example of examplesOf(r.content)) expect(example.value, `${o.operationId} ${status}`).toMatchObject({ status: Number(status) });
      }
    }
    // Secrets in examples are fake: no real API key secret, webhook secret or status token.
    const text = JSON.stringify(doc.paths);
    const all = (pattern: RegExp) => text.match(pattern) ?? [];
    expect(all(/edi_[0-9a-f]{16}_[A-Za-z0-9_-]+/g).length).toBeGreaterThan(0);
    expect(all(/edi_[0-9a-f]{16}_[A-Za-z0-9_-]+/g).filter((t) => !/^edi_[0-9a-f]{16}_EXAMPLE-not-a-real-secret-0+$/.test(t))).toEqual([]);
    expect(all(/whsec_[A-Za-z0-9+/=]+/g).length).toBeGreaterThan(0);
    expect(all(/whsec_[A-Za-z0-9+/=]+/g).filter((t) => !Buffer.from(t.slice(6), 'base64').toString().startsWith('EXAMPLE-'))).toEqual([]);
    expect(all(/"statusToken":"[^"]*"/g).length).toBeGreaterThan(0);
    expect(all(/"statusToken":"[^"]*"/g).filter((t) => !t.includes('EXAMPLE-status-token'))).toEqual([]);
  });

  it('has one schema per shape: no Input duplicates and nothing unused', () => {
    const names = Object.keys(doc.components.schemas);
    expect(names.filter((n) => n.endsWith('Input'))).toEqual([]);
    const text = JSON.stringify({ ...doc, components: { ...doc.components, schemas: undefined } });
    for (const name of names) {
      const ref = `"#/components/schemas/${name}"`;
      const usedByOther = Object.entries(doc.components.schemas).some(([other, s]) => other !== name && JSON.stringify(s).includes(ref));
      expect(text.includes(ref) || usedByOther, name).toBe(true);
    }
  });
});

/**
 * Spectral (spectral:oas) lints the document in `npm test` (npm run openapi:lint); Redocly's `recommended` rules here,
 * through its library (the engine of @redocly/cli, offline). One rule is off, for a reason:
 * - no-server-example.com: the one server is deliberately a local instance (`npm start`); a deployment answers at its
 *   own PUBLIC_BASE_URL, which the committed document cannot know, and a made-up public host would be worse.
 * `no-invalid-media-type-examples` (in recommended) checks every recorded example (openapi/examples.json) against its schema.
 */
describe("the OpenAPI document passes Redocly's recommended rules", () => {
  it('with no errors and no warnings', async () => {
    const config = await createConfig({ extends: ['recommended'], rules: { 'no-server-example.com': 'off', 'no-invalid-media-type-examples': { severity: 'error', allowAdditionalProperties: false } } });
    const problems = await lint({ ref: OPENAPI_FILE, config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} ${p.location[0]?.pointer ?? ''}`)).toEqual([]);
  });
});
