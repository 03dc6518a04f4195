import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { Notifier } from '../notifications/outbox.js';
import { deadlineRoutes } from './routes.js';
import { createSweeper, scheduleSweeper } from './sweeper.js';

/**
 * A case's deadline explained, and the escalation sweeper (not in tests: they call sweep(now)), which queues the
 * at-risk and breached messages in its transaction (src/notifications).
 */
export const deadlinesCapability: FastifyPluginAsyncZod<{ db: Db; clock: Clock; config: Config; notify?: Pick<Notifier, 'caseChanged'> }> = async (app, { db, clock, config, notify }) => {
  await app.register(deadlineRoutes, { db, clock, atRiskMs: config.AT_RISK_HOURS * 3_600_000 });
  if (config.DEADLINE_SWEEP_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') {
    scheduleSweeper(app, createSweeper({ db, notify }), clock, config.DEADLINE_SWEEP_INTERVAL_MS);
  }
};
