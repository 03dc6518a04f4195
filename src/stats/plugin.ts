import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import type { FeedbackService } from './feedback.js';
import { createMysteryTestService } from './mystery-tests.js';
import type { StatsProjection } from './projection.js';
import { feedbackRoutes, mysteryTestRoutes, statsRoutes } from './routes.js';
import type { StatsService } from './service.js';
import { createCompactor, scheduleCompaction } from './compaction.js';

export interface StatsCapabilityOptions {
  db: Db; clock: Clock; config: Config; reference: ReferenceService; projection: StatsProjection;
  /** Built once in app.ts: the dashboard reads the same statistics, the status page posts to the same feedback. */
  stats: StatsService; feedback: FeedbackService;
}

/**
 * The statistics (compliance, referrals, indicators), the mystery-shopping tests, the company's follow-up answers, and the
 * compaction of the roll-ups (not in tests: they call compact()).
 */
export const statsCapability: FastifyPluginAsyncZod<StatsCapabilityOptions> = async (app, { db, clock, config, reference, projection, stats, feedback }) => {
  await app.register(statsRoutes, { stats });
  await app.register(mysteryTestRoutes, { tests: createMysteryTestService({ db, clock, reference, projection }) });
  await app.register(feedbackRoutes, { feedback });
  if (config.STATS_COMPACT_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') {
    scheduleCompaction(app, createCompactor(projection), config.STATS_COMPACT_INTERVAL_MS);
  }
};
