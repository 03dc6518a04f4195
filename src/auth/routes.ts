import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { BEARER, principalOf, requireRole } from './plugin.js';
import { apiKeySchema, createdApiKeySchema, keyIdParams, newApiKeySchema } from './schemas.js';
import type { ApiKeyService } from './service.js';

/** Key management for admins. The same operations exist on the command line (npm run cli -- api-keys). */
export const apiKeyRoutes: FastifyPluginAsyncZod<{ apiKeys: ApiKeyService }> = async (app, { apiKeys }) => {
  const admin = requireRole('admin');

  app.post('/v1/admin/api-keys', {
    onRequest: admin,
    schema: {
      operationId: 'createApiKey', tags: ['admin'], summary: 'Create an API key',
      description: 'Creates a key with a role and scope. The token is in this response only; the service keeps just its hash.',
      security: BEARER,
      body: newApiKeySchema,
      response: { 201: createdApiKeySchema, ...problemResponses(400, 401, 403, 415) },
    },
    handler: async (request, reply) => {
      const me = principalOf(request);
      const created = apiKeys.create(request.body, me.keyId, me.role);
      request.log.info({ createdKeyId: created.key.id, createdRole: created.key.role }, 'api key created');
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  });

  app.get('/v1/admin/api-keys', {
    onRequest: admin,
    schema: {
      operationId: 'listApiKeys', tags: ['admin'], summary: 'List API keys (never their tokens)',
      description: 'Every key with its role, label, scope, creation, last use and revocation; a token is shown only once, when its key is created.',
      security: BEARER,
      querystring: z.strictObject({ includeRevoked: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }),
      response: { 200: z.object({ items: z.array(apiKeySchema) }), ...problemResponses(400, 401, 403) },
    },
    handler: async (request) => ({ items: apiKeys.list({ includeRevoked: request.query.includeRevoked }) }),
  });

  app.get('/v1/admin/api-keys/:id', {
    onRequest: admin,
    schema: {
      operationId: 'getApiKey', tags: ['admin'], summary: 'One API key', security: BEARER,
      description: 'The key\'s role, label, scope, creation, last use and revocation; never its token.',
      params: keyIdParams,
      response: { 200: apiKeySchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => apiKeys.get(request.params.id),
  });

  app.delete('/v1/admin/api-keys/:id', {
    onRequest: admin,
    schema: {
      operationId: 'revokeApiKey', tags: ['admin'], summary: 'Revoke an API key',
      description: 'Revokes at once and for good (idempotent). Keys are never deleted: the history names the key that acted. ' +
        'The last active admin key cannot be revoked here (409): create another first.',
      security: BEARER,
      params: keyIdParams,
      response: { 200: apiKeySchema, ...problemResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => {
      const revoked = apiKeys.revoke(request.params.id, principalOf(request).keyId, { byRole: principalOf(request).role });
      request.log.info({ revokedKeyId: revoked.id }, 'api key revoked');
      return revoked;
    },
  });
};
