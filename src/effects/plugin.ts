import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { FollowUp } from './follow-up.js';
import { effectsStatsRoutes, followUpRoutes } from './routes.js';
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
export const effectsCapability: FastifyPluginAsyncZod<{ db: Db; followUp: FollowUp; config: Config; clock: () => number }> = async (app, { db, followUp, config, clock }) => {
  await app.register(followUpRoutes, { followUp });
  await app.register(effectsStatsRoutes, { statistics: createEffectsStatistics(db) });
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
