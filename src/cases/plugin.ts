import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { ReferenceService } from '../reference/service.js';
import { createCaseRepository } from './repository.js';
import { createCaseService, type CaseService, type CaseServiceDeps } from './service.js';
import { caseRoutes } from './routes.js';
import type { Notifier } from '../notifications/outbox.js';
import type { StatsProjection } from '../stats/projection.js';

export interface CasesWiring {
  db: Db; clock: Clock; config: Config; reference: ReferenceService; projection: StatsProjection;
  /** Queues the e-mails and webhooks an action causes, in the action's transaction (src/notifications). */
  notify?: Pick<Notifier, 'caseChanged'>;
  /** The experiment arm of a case and its instruction (src/experiments). */
  experimentOf?: CaseServiceDeps['experimentOf'];
}

/** The case service, built once in app.ts and shared by the cases API and the dashboard's list of breached cases. */
export function createCases({ db, clock, config, reference, projection, notify, experimentOf }: CasesWiring): CaseService {
  return createCaseService({
    db, repository: createCaseRepository(db), reference, clock, projection, notify, experimentOf,
    atRiskMs: config.AT_RISK_HOURS * 3_600_000, backdatedMs: config.BACKDATED_CONTACT_HOURS * 3_600_000,
  });
}

/** The caseworkers' and coordinators' cases API. */
export const casesCapability: FastifyPluginAsyncZod<{ cases: CaseService }> = async (app, { cases }) => {
  await app.register(caseRoutes, { cases });
};
