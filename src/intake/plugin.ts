import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { ReferenceService } from '../reference/service.js';
import type { RoutingDecider } from '../routing/decide.js';
import { createIntakeService, type IntakeDeps, type IntakeService } from './service.js';
import type { StatsProjection } from '../stats/projection.js';
import { intakeRoutes } from './routes.js';
import { StatusLinks } from './status-links.js';

export interface IntakeWiring {
  db: Db;
  clock: Clock;
  config: Config;
  reference: ReferenceService;
  /** The routing decision, shared with the routing preview. */
  routing: RoutingDecider;
  /** The statistics' projection, called inside the transaction that stores a new inquiry. */
  projection: StatsProjection;
  /** Queues the messages a new inquiry causes, in the same savepoint (src/notifications). */
  notify?: IntakeDeps['notify'];
  /** Records the consent to follow-up over months (src/effects). */
  followUpConsent?: IntakeDeps['followUpConsent'];
  exportCentreStarted?: IntakeDeps['exportCentreStarted'];
  /** Draws pilots' experiment arms (src/experiments). */
  experiments?: IntakeDeps['experiments'];
}

/**
 * The intake service, built once in app.ts and shared: the API's routes (web forms, and inquiries registered by
 * caseworkers and coordinators) and the pages (the reference form, the status page) use this one instance, and it routes with the one routing decider the
 * preview uses too, so a preview shows what intake will do and every write path of intake is the same.
 */
export function createIntake({ db, clock, config, reference, routing, projection, notify, followUpConsent, exportCentreStarted, experiments }: IntakeWiring): IntakeService {
  return createIntakeService({
    db, reference, clock, projection, notify, routing, followUpConsent, exportCentreStarted, experiments,
    maxBackdatedMs: config.MAX_BACKDATED_DAYS * 86_400_000,
    statusLinks: new StatusLinks(StatusLinks.secretFrom(db, config.STATUS_LINK_SECRET)),
    deadlinePolicy: config.DEADLINE_POLICY,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
}

export interface IntakeCapabilityOptions { intake: IntakeService; config: Config }

/** Intake: receives, routes and stores inquiries; the company's status link. */
export const intakeCapability: FastifyPluginAsyncZod<IntakeCapabilityOptions> = async (app, { intake, config }) => {
  await app.register(intakeRoutes, { intake, allowAnonymous: config.ALLOW_ANONYMOUS_INTAKE });
};
