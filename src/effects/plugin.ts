import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { FollowUp } from './follow-up.js';
import type { AuditLog } from '../audit/service.js';
import type { ReferenceService } from '../reference/service.js';
import { createResearchExtract, extractColumns } from './extract.js';
import { effectsStatsRoutes, followUpRoutes, researchRoutes } from './routes.js';
import { startDateRoutes, type StartDates } from './start-dates.js';
import { createEffectsStatistics } from './statistics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The follow-up waves, decorated in app.ts (tests run the wave sweeper with run(now)). */
    followUp: FollowUp;
  }
}

/**
 * Effects for companies: consent-based follow-up over months. The wave sweeper runs on a timer like
 * the deadline sweeper (not in tests: they call app.followUp.run(now) with their clock).
 */
export interface EffectsOptions {
  db: Db; followUp: FollowUp; startDates: StartDates; reference: ReferenceService; audit: Pick<AuditLog, 'record'>; config: Config; clock: () => number;
}

export const effectsCapability: FastifyPluginAsyncZod<EffectsOptions> = async (app, { db, followUp, startDates, reference, audit, config, clock }) => {
  await app.register(followUpRoutes, { followUp });
  await app.register(effectsStatsRoutes, { statistics: createEffectsStatistics(db) });
  await app.register(startDateRoutes, { startDates, reference, audit });
  const secret = config.RESEARCH_PSEUDONYM_SECRET;
  await app.register(researchRoutes, {
    extract: secret ? createResearchExtract({ db, startDates, waves: config.FOLLOW_UP_WAVES_MONTHS, secret, now: clock }) : null,
    columns: extractColumns(config.FOLLOW_UP_WAVES_MONTHS), audit,
  });
  if (!secret) app.log.info('research extract off: RESEARCH_PSEUDONYM_SECRET is not set');
  if (config.FOLLOW_UP_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') scheduleWaves(app, followUp, clock, config.FOLLOW_UP_INTERVAL_MS);
};

function scheduleWaves(app: FastifyInstance, followUp: FollowUp, clock: () => number, intervalMs: number): void {
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    try {
      const r = followUp.run(clock());
      if (r.opened + r.reminded > 0) app.log.info(r, 'follow-up waves opened and reminded');
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, 'follow-up wave run failed');
    }
  };
  app.addHook('onReady', async () => {
    run();
    timer = setInterval(run, intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}
