import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { systemClock, type Clock } from './shared/clock.js';
import errors, { clientErrorHandler, sendProblem } from './plugins/errors.js';
import bodies from './plugins/bodies.js';
import security from './plugins/security.js';
import { problemType } from './shared/problems.js';
import swagger from './plugins/swagger.js';
import { createLogger, genReqId } from './plugins/logging.js';
import { healthRoutes } from './health/routes.js';
import { loadKnowledge } from './classification/knowledge.js';
import { Places } from './reference/places.js';
import { createReferenceRepository } from './reference/repository.js';
import { ReferenceService } from './reference/service.js';
import { referenceRoutes } from './reference/routes.js';
import { seedReferenceData } from './reference/seed.js';
import { createIntake, intakeCapability } from './intake/plugin.js';
import { createRouting, routingCapability } from './routing/plugin.js';
import { adminCapability } from './admin/plugin.js';
import { casesCapability, createCases } from './cases/plugin.js';
import { openStatsProjection } from './stats/open.js';
import { statsCapability } from './stats/plugin.js';
import { createStatsService } from './stats/service.js';
import { createFeedbackService } from './stats/feedback.js';
import { deadlinesCapability } from './deadlines/plugin.js';
import { importCapability } from './import/plugin.js';
import metrics from './metrics/plugin.js';
import auth from './auth/plugin.js';
import { createApiKeyRepository } from './auth/repository.js';
import { createApiKeyService } from './auth/service.js';
import { privacyCapability } from './privacy/plugin.js';
import { pagesCapability } from './pages/plugin.js';
import { createAuditLog } from './audit/service.js';
import { createNotifications, notificationsCapability, type NotificationsOverrides } from './notifications/plugin.js';
import type { Notifier } from './notifications/outbox.js';
import { createFollowUp } from './effects/follow-up.js';
import { effectsCapability } from './effects/plugin.js';
import { createStartDates } from './effects/start-dates.js';
import { createExperiments, experimentsCapability } from './experiments/plugin.js';

export interface AppDeps {
  config: Config;
  db: Db;
  clock?: Clock;
  /** Overrides the logger (tests capture log lines through createLogger with a stream). */
  logger?: Logger;
  /** Test hooks of the notifications (DNS, jitter, the SMTP sender). */
  notifications?: Partial<NotificationsOverrides>;
}

/** Builds the application: plugins and one registration per capability. Never listens, never reads process.env. */
export async function buildApp({ config, db, clock = systemClock, logger, notifications: notificationOverrides }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (logger ?? createLogger(config.LOG_LEVEL)) as FastifyBaseLogger,
    genReqId,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
    // Errors of the HTTP parser (431 over-long headers, 408) as problem+json, like every other error.
    clientErrorHandler,
    // Fastify takes a hop count too; its overloads only type the other forms.
    trustProxy: config.TRUST_PROXY as boolean | string[],
    // Errors the router raises before any handler (over-long path parameter, malformed URL) get the same problem+json.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode ?? 400;
      void sendProblem(request, reply, { type: problemType(status === 414 ? 'uri-too-long' : 'malformed-request'), title: status === 414 ? 'URI too long' : 'Malformed request', status, detail: error.message });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Shared by several capabilities: reference data (in memory), the statistics' projection that every write path
  // calls in its transaction, the audit log, the API keys behind authentication, the routing decider (shared by intake
  // and the preview), the outbox, and intake, cases, statistics and the company's follow-up (each one instance for its
  // API and the pages).
  // Everything else is wired inside its capability.
  const knowledge = loadKnowledge();
  seedReferenceData(db, knowledge);
  const reference = new ReferenceService(createReferenceRepository(db), new Places(), knowledge);
  const { projection, orgKey } = openStatsProjection(db, config, (message) => app.log.info(message));
  app.log.info({ source: orgKey.source, ...(orgKey.file ? { file: orgKey.file } : {}) }, 'statistics: company keys under the ORG key from %s', orgKey.source);
  const audit = createAuditLog({ db, clock });
  const apiKeys = createApiKeyService({ repository: createApiKeyRepository(db), reference, clock, audit });
  // The outbox is written by the write paths below, inside their transactions.
  const notifications = createNotifications({ db, config, clock, reference, log: app.log, overrides: notificationOverrides });
  const routing = createRouting({ reference, config });
  // Follow-up over months (src/effects): closing a consenting company's case plans its waves, in the same transaction.
  const followUp = createFollowUp({
    db, clock, waves: config.FOLLOW_UP_WAVES_MONTHS, reminderDays: config.FOLLOW_UP_REMINDER_DAYS, notifier: notifications.notifier,
  });
  // The export centres' start dates (reference data for evaluation), seeded with the known pilot waves.
  const startDates = createStartDates(db, clock);
  startDates.seed();
  const notify: Notifier = {
    ...notifications.notifier,
    caseChanged(change) {
      notifications.notifier.caseChanged(change);
      followUp.caseChanged(change);
    },
  };

  await app.register(errors);
  await app.register(bodies);
  await app.register(security, { config, apiKeys });
  // Before every capability that adds routes (metrics included), so that the document describes all of them.
  await app.register(swagger, { ui: config.API_DOCS && config.NODE_ENV !== 'test' });
  await app.register(metrics, { db, clock });
  await app.register(auth, { apiKeys });
  await app.register(notificationsCapability, { notifications, config, clock });
  await app.register(healthRoutes, { db });
  await app.register(referenceRoutes, { reference });
  // Pilots' experiments (src/experiments): intake draws the arm in its transaction, cases show the arm's instruction.
  const experiments = createExperiments({ db, clock, reference, audit });
  const intake = createIntake({ db, clock, config, reference, routing, projection, notify,
    followUpConsent: followUp.consentGiven, exportCentreStarted: startDates.startedAt, experiments });
  await app.register(intakeCapability, { intake, config });
  await app.register(routingCapability, { db, routing, reference });
  await app.register(adminCapability, { db, reference, apiKeys, audit });
  await app.register(experimentsCapability, { experiments });
  const cases = createCases({ db, clock, config, reference, projection, notify, experimentOf: experiments.ofCase });
  await app.register(casesCapability, { cases });
  await app.register(deadlinesCapability, { db, clock, config, notify });
  const stats = createStatsService({ db, clock, reference, target: config.COMPLIANCE_TARGET });
  const feedback = createFeedbackService({ db, clock, projection });
  await app.register(statsCapability, { db, clock, config, reference, projection, stats, feedback });
  await app.register(importCapability, { db, clock, config, reference, projection });
  await app.register(privacyCapability, { db, clock, config, audit, projection, notify });
  app.decorate('followUp', followUp);
  await app.register(effectsCapability, { db, followUp, startDates, reference, audit, config, clock });
  await app.register(pagesCapability, { db, clock, config, reference, apiKeys, intake, cases, stats, feedback });
  return app;
}
