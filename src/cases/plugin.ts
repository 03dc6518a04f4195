import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { ReferenceService } from '../reference/service.js';
import { createCaseRepository } from './repository.js';
import { createCaseService } from './service.js';
import { caseRoutes } from './routes.js';
import type { Notifier } from '../notifications/outbox.js';

/** The caseworkers' and coordinators' cases API. */
export const casesCapability: FastifyPluginAsyncZod<{ db: Db; clock: Clock; config: Config; reference: ReferenceService; notify?: Pick<Notifier, 'caseChanged'> }> = async (app, { db, clock, config, reference, notify }) => {
  const cases = createCaseService({ db, repository: createCaseRepository(db), reference, clock, atRiskMs: config.AT_RISK_HOURS * 3_600_000, notify });
  await app.register(caseRoutes, { cases });
};
