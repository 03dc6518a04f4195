import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { createSweeper, scheduleSweeper } from '../deadlines/sweeper.js';
import { deadlineRoutes } from '../deadlines/routes.js';
import type { CaseFacts } from './facts.js';
import { createFeedbackService } from './feedback.js';
import { feedbackRoutes, statsRoutes } from './routes.js';
import { createStatsService } from './service.js';
import { createImportService } from '../import/service.js';
import { importRoutes } from '../import/routes.js';
import type { Notifier } from '../notifications/outbox.js';

export interface StatsCapabilityOptions { db: Db; clock: Clock; config: Config; reference: ReferenceService; caseFacts: CaseFacts; notify?: Pick<Notifier, 'caseChanged'> }

/**
 * Issue 4 in one registration: compliance statistics, the company's follow-up answer, the deadline
 * explanation, historical import and the escalation sweeper (not in tests: they call sweep(now)).
 */
export const statsCapability: FastifyPluginAsyncZod<StatsCapabilityOptions> = async (app, { db, clock, config, reference, caseFacts, notify }) => {
  caseFacts.backfill();
  const atRiskMs = config.AT_RISK_HOURS * 3_600_000;
  await app.register(statsRoutes, { stats: createStatsService({ db, clock, reference, target: config.COMPLIANCE_TARGET }) });
  await app.register(feedbackRoutes, { feedback: createFeedbackService({ db, clock }) });
  await app.register(deadlineRoutes, { db, clock, atRiskMs });
  await app.register(importRoutes, {
    importer: createImportService({ db, reference, clock, caseFacts, deadlinePolicy: config.DEADLINE_POLICY }),
    bodyLimit: config.IMPORT_BODY_LIMIT_BYTES,
  });
  if (config.DEADLINE_SWEEP_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') {
    scheduleSweeper(app, createSweeper({ db, notify }), clock, config.DEADLINE_SWEEP_INTERVAL_MS);
  }
};
