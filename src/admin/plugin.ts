import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { ApiKeyService } from '../auth/service.js';
import { apiKeyRoutes } from '../auth/routes.js';
import { createActorAdminRepository } from './repository.js';
import { createActorAdminService } from './service.js';
import { adminActorRoutes } from './routes.js';
import type { AuditLog } from '../audit/service.js';
import { auditRoutes } from '../audit/routes.js';

/** Admins' management of API keys, actors and their presence per county, and the audit log of it all. */
export const adminCapability: FastifyPluginAsyncZod<{ db: Db; reference: ReferenceService; apiKeys: ApiKeyService; audit: AuditLog }> = async (app, { db, reference, apiKeys, audit }) => {
  await app.register(apiKeyRoutes, { apiKeys });
  await app.register(adminActorRoutes, { actors: createActorAdminService({ repository: createActorAdminRepository(db), reference, audit }) });
  await app.register(auditRoutes, { audit });
};
