import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import { Classifier } from '../classification/classifier.js';
import type { ReferenceService } from '../reference/service.js';
import { createRoutingDecider, type RoutingDecider } from './decide.js';
import { Router } from './router.js';
import { routingRoutes } from './routes.js';

/** The one routing decider of a running service: intake stores its decisions, the preview shows them. */
export function createRouting({ reference, config }: { reference: ReferenceService; config: Pick<Config, 'TRIAGE_CONFIDENCE_THRESHOLD'> }): RoutingDecider {
  return createRoutingDecider({
    reference,
    classifier: new Classifier(reference.knowledge),
    router: new Router(reference.knowledge, reference),
    triageThreshold: config.TRIAGE_CONFIDENCE_THRESHOLD,
  });
}

/** Routing's own routes: the preview (what intake would decide, nothing stored). */
export const routingCapability: FastifyPluginAsyncZod<{ routing: RoutingDecider; reference: ReferenceService }> = async (app, { routing, reference }) => {
  await app.register(routingRoutes, { routing, reference });
};
