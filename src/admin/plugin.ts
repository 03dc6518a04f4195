import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { ApiKeyService } from '../auth/service.js';
import { apiKeyRoutes } from '../auth/routes.js';
import { createActorAdminRepository } from './repository.js';
import { createActorAdminService } from './service.js';
import { adminActorRoutes } from './routes.js';

/** Admins' management of API keys, actors and their presence per county. */
export const adminCapability: FastifyPluginAsyncZod<{ db: Db; reference: ReferenceService; apiKeys: ApiKeyService }> = async (app, { db, reference, apiKeys }) => {
  await app.register(apiKeyRoutes, { apiKeys });
  await app.register(adminActorRoutes, { actors: createActorAdminService({ repository: createActorAdminRepository(db), reference }) });
};
