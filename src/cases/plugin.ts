import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { ReferenceService } from '../reference/service.js';
import { createCaseRepository } from './repository.js';
import { createCaseService } from './service.js';
import { caseRoutes } from './routes.js';
import type { StatsProjection } from '../stats/projection.js';

/** The caseworkers' and coordinators' cases API. */
export const casesCapability: FastifyPluginAsyncZod<{ db: Db; clock: Clock; config: Config; reference: ReferenceService; projection: StatsProjection }> = async (app, { db, clock, config, reference, projection }) => {
  const cases = createCaseService({
    db, repository: createCaseRepository(db), reference, clock, projection,
    atRiskMs: config.AT_RISK_HOURS * 3_600_000, backdatedMs: config.BACKDATED_CONTACT_HOURS * 3_600_000,
  });
  await app.register(caseRoutes, { cases });
};
