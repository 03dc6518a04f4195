import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { createFeedbackService } from './feedback.js';
import { createMysteryTestService } from './mystery-tests.js';
import type { StatsProjection } from './projection.js';
import { feedbackRoutes, mysteryTestRoutes, statsRoutes } from './routes.js';
import { createStatsService } from './service.js';
import { createCompactor, scheduleCompaction } from './compaction.js';

export interface StatsCapabilityOptions { db: Db; clock: Clock; config: Config; reference: ReferenceService; projection: StatsProjection }

/**
 * The statistics (compliance, referrals, indicators), the mystery-shopping tests, the company's follow-up answers, and the
 * compaction of the roll-ups (not in tests: they call compact()).
 */
export const statsCapability: FastifyPluginAsyncZod<StatsCapabilityOptions> = async (app, { db, clock, config, reference, projection }) => {
  await app.register(statsRoutes, { stats: createStatsService({ db, clock, reference, target: config.COMPLIANCE_TARGET }) });
  await app.register(mysteryTestRoutes, { tests: createMysteryTestService({ db, clock, reference, projection }) });
  await app.register(feedbackRoutes, { feedback: createFeedbackService({ db, clock, projection }) });
  if (config.STATS_COMPACT_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') {
    scheduleCompaction(app, createCompactor(projection), config.STATS_COMPACT_INTERVAL_MS);
  }
};
