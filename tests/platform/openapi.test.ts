import fs from 'node:fs';
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
