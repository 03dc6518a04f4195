import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AuditLog } from '../audit/service.js';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { createExperimentRepository } from './repository.js';
import { experimentRoutes } from './routes.js';
import { createExperimentService, type ExperimentService } from './service.js';

/** The experiment service, built once in app.ts: intake draws with it, cases show the arm, the admin API manages it. */
export function createExperiments({ db, clock, reference, audit }: { db: Db; clock: Clock; reference: ReferenceService; audit: AuditLog }): ExperimentService {
  return createExperimentService({ repository: createExperimentRepository(db), reference, clock, audit });
}

/** Randomised encouragement for pilots: the admins' API. */
export const experimentsCapability: FastifyPluginAsyncZod<{ experiments: ExperimentService }> = async (app, { experiments }) => {
  await app.register(experimentRoutes, { experiments });
};
