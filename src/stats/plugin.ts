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

export interface StatsCapabilityOptions { db: Db; clock: Clock; config: Config; reference: ReferenceService; projection: StatsProjection }

/** The statistics (compliance, referrals, indicators), the mystery-shopping tests and the company's follow-up answers. */
export const statsCapability: FastifyPluginAsyncZod<StatsCapabilityOptions> = async (app, { db, clock, config, reference, projection }) => {
  await app.register(statsRoutes, { stats: createStatsService({ db, clock, reference, target: config.COMPLIANCE_TARGET }) });
  await app.register(mysteryTestRoutes, { tests: createMysteryTestService({ db, clock, reference, projection }) });
  await app.register(feedbackRoutes, { feedback: createFeedbackService({ db, clock, projection }) });
};
