import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { privacyRoutes } from './routes.js';
import { createErasureService, scheduleRetention } from './service.js';
import type { AuditLog } from '../audit/service.js';
import type { Notifier } from '../notifications/outbox.js';
import type { StatsProjection } from '../stats/projection.js';

/** Erasure on request and the retention job (not in tests: they call eraseExpired(now, days) directly). */
export const privacyCapability: FastifyPluginAsyncZod<{ db: Db; clock: Clock; config: Config; audit: AuditLog; projection: StatsProjection; notify?: Pick<Notifier, 'caseChanged'> }> = async (app, { db, clock, config, audit, projection, notify }) => {
  const erasure = createErasureService({ db, clock, audit, projection, notify });
  await app.register(privacyRoutes, { erasure });
  if (config.RETENTION_SWEEP_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') {
    scheduleRetention(app, erasure, clock, config.RETENTION_SWEEP_INTERVAL_MS, config.RETENTION_DAYS);
  }
};
