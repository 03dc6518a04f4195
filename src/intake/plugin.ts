import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { ReferenceService } from '../reference/service.js';
import { Classifier } from '../classification/classifier.js';
import { Router } from '../routing/router.js';
import { routingRoutes } from '../routing/routes.js';
import { createIntakeService, type IntakeService } from './service.js';
import type { StatsProjection } from '../stats/projection.js';
import { intakeRoutes } from './routes.js';
import { StatusLinks } from './status-links.js';

export interface IntakeWiring {
  db: Db;
  clock: Clock;
  config: Config;
  reference: ReferenceService;
  /** The statistics' projection, called inside the transaction that stores a new inquiry. */
  projection: StatsProjection;
}

/**
 * The intake service with one classifier and router, built once in app.ts and shared: the API's routes (web forms,
 * and inquiries registered by caseworkers and coordinators), the routing preview and the pages (the reference form,
 * the status page) all use this one instance, so a preview shows what intake will do and every write path of intake
 * is the same.
 */
export function createIntake({ db, clock, config, reference, projection }: IntakeWiring): IntakeService {
  return createIntakeService({
    db, reference, clock, projection, maxBackdatedMs: config.MAX_BACKDATED_DAYS * 86_400_000,
    classifier: new Classifier(reference.knowledge),
    router: new Router(reference.knowledge, reference),
    statusLinks: new StatusLinks(StatusLinks.secretFrom(db, config.STATUS_LINK_SECRET)),
    deadlinePolicy: config.DEADLINE_POLICY,
    triageThreshold: config.TRIAGE_CONFIDENCE_THRESHOLD,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
}

export interface IntakeCapabilityOptions { intake: IntakeService; config: Config; reference: ReferenceService }

/** Intake and the routing preview. */
export const intakeCapability: FastifyPluginAsyncZod<IntakeCapabilityOptions> = async (app, { intake, config, reference }) => {
  await app.register(intakeRoutes, { intake, allowAnonymous: config.ALLOW_ANONYMOUS_INTAKE });
  await app.register(routingRoutes, { intake, reference });
};
