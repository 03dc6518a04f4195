import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { BEARER, requireRole } from '../auth/plugin.js';
import { AUDIT_ACTIONS, type AuditLog } from './service.js';

const auditRecordSchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  by: z.string().describe('The API key that acted (its id), `cli` (the command line on the server) or `system` (retention)'),
  byRole: z.string().nullable(),
  byLabel: z.string().nullable().describe("The acting key's label"),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string().nullable().describe('The key, case or actor acted on; null for a company-wide erasure or a retention batch'),
  data: z.record(z.string(), z.unknown()).describe('What: the role and scope of a key, the counts of an erasure, the fields of an actor that changed. Never a token or personal data'),
}).meta({ id: 'AuditRecord' });

const auditQuerySchema = z.strictObject({
  action: z.union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(AUDIT_ACTIONS)).max(10))
    .optional().describe(`Only these actions (comma-separated): ${AUDIT_ACTIONS.join(', ')}`),
  by: z.string().min(1).max(40).optional().describe('Only what this key (id), `cli` or `system` did'),
  target: z.string().min(1).max(100).optional().describe('Only what was done to this key, case or actor'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(20).optional().describe('nextCursor from the previous page'),
});

/** The audit log for admins: read only. Nothing in the API can change or remove a record. */
export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditLog }> = async (app, { audit }) => {
  app.get('/v1/admin/audit', {
    onRequest: requireRole('admin'),
    schema: {
      operationId: 'listAuditRecords', tags: ['admin'], summary: 'The audit log: who created or revoked keys, who erased, who changed actors',
      description: 'Every API key creation (with its role and scope) and revocation, every erasure (on request and by retention) and every ' +
        'change to the actor directory, newest first. Keys cannot change role or scope: a change is a revocation and a new key, both recorded. ' +
        'Append-only: no API key, admin or not, can change or remove a record. Never a token, never personal data.',
      security: BEARER,
      querystring: auditQuerySchema,
      response: {
        200: z.object({ items: z.array(auditRecordSchema), nextCursor: z.string().nullable() }).meta({ id: 'AuditLog' }),
        ...problemResponses(400, 401, 403, 429),
      },
    },
    handler: async (request) => audit.list(request.query),
  });
};
