import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import type { RoutingDecider } from './decide.js';
import type { ReferenceService } from '../reference/service.js';
import { routingPreviewRequestSchema, routingPreviewSchema, type RoutingPreview } from './schemas.js';

/** Where an inquiry would go, before it is sent: the same decision intake stores, nothing stored here. */
export const routingRoutes: FastifyPluginAsyncZod<{ routing: Pick<RoutingDecider, 'decide'>; reference: ReferenceService }> = async (app, { routing, reference }) => {
  app.post('/v1/routing/preview', {
    schema: {
      operationId: 'previewRouting',
      tags: ['routing'],
      summary: 'Preview where an inquiry would be routed, without sending it',
      description:
        'Takes the intake body without contact details and consent (of the company at most `name` and `employees`) and returns ' +
        'what POST /v1/inquiries would decide with the same classifier and router: the topics with the words that decided, ' +
        'the probability of every actor (rules and learned layer combined) with the learned layer\'s strongest words, the actor, ' +
        'the alternatives, the probability that the decision is right, the county and how it was found, whether it would go to ' +
        'triage and why, and the actors ruled out. Nothing is stored and no deadline starts. A form can show the company where ' +
        'its question will go.',
      body: routingPreviewRequestSchema,
      response: { 200: routingPreviewSchema, ...problemResponses(400, 413, 415, 429, 500) },
    },
    handler: async (request): Promise<RoutingPreview> => {
      const body = request.body;
      const { location, classification, decision } = routing.decide({
        county: body.county, municipality: body.municipality, subject: body.subject, message: body.message,
        employees: body.company?.employees,
      });
      const actorRef = (id: string) => {
        const a = reference.actor(id);
        return a ? { id: a.id, name: a.name, kind: a.kind } : { id, name: id, kind: 'public' as const };
      };
      return {
        status: decision.status,
        triage: decision.status === 'triage',
        triageReason: decision.triageReason,
        assignedActor: decision.assignedActorId ? actorRef(decision.assignedActorId) : null,
        alternatives: decision.alternatives.map(actorRef),
        topicId: decision.topicId,
        topics: classification.topics.map((t) => ({ id: t.id, name: t.name, score: t.score, rawScore: t.rawScore, matchedWords: t.matchedWords })),
        confidence: classification.confidence,
        probabilities: (classification.actors ?? []).map((a) => ({ id: a.id, probability: a.probability, ...(a.learnedWords ? { learnedWords: a.learnedWords } : {}) })),
        addressedTo: classification.addressedTo ?? null,
        outOfScope: classification.outOfScope
          ? { id: classification.outOfScope.id, name: classification.outOfScope.name, matchedWords: classification.outOfScope.matchedWords }
          : null,
        county: reference.countyRef(location.countyCode),
        countySource: location.source,
        municipalityCode: location.municipalityCode,
        placeEvidence: location.detection?.evidence ?? [],
        ambiguousPlaces: location.detection?.ambiguous ?? [],
        explanation: decision.explanation,
        excluded: decision.excluded,
      };
    },
  });
};
