import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import { Classifier } from '../classification/classifier.js';
import { LearnedModel } from '../classification/model.js';
import type { ReferenceService } from '../reference/service.js';
import { createRoutingDecider, type RoutingDecider } from './decide.js';
import { Router } from './router.js';
import { routingRoutes } from './routes.js';
import { createRoutingRepository } from './repository.js';
import { routingStatsRoutes } from './stats-routes.js';
import type { Db } from '../db/client.js';

let loaded: LearnedModel | null = null;

/** The committed routing model, read once per process (the file is data, not state). */
export function routingModel(): LearnedModel {
  loaded ??= LearnedModel.load();
  return loaded;
}

/**
 * The one routing decider of a running service: intake stores its decisions, the preview shows them.
 * The rules and the learned layer together; the triage threshold is the configured one, else the one
 * training chose by cost.
 */
export function createRouting({ reference, config, model = routingModel() }: { reference: ReferenceService; config: Pick<Config, 'TRIAGE_CONFIDENCE_THRESHOLD'>; model?: LearnedModel }): RoutingDecider {
  return createRoutingDecider({
    reference,
    classifier: new Classifier(reference.knowledge, model),
    router: new Router(reference.knowledge, reference, (p1, p2) => model.calibrated(p1, p2), model.calibration.addressed),
    triageThreshold: config.TRIAGE_CONFIDENCE_THRESHOLD ?? model.triageThreshold,
  });
}

/**
 * Routing's own routes: the preview (what intake would decide, nothing stored) and routing quality in
 * production (from the inquiries' history).
 */
export const routingCapability: FastifyPluginAsyncZod<{ db: Db; routing: RoutingDecider; reference: ReferenceService }> = async (app, { db, routing, reference }) => {
  await app.register(routingRoutes, { routing, reference });
  await app.register(routingStatsRoutes, { repository: createRoutingRepository(db), reference });
};
