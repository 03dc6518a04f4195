import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { problemResponses } from '../shared/problems.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { experimentIdParams, experimentListSchema, experimentPatchSchema, experimentSchema, newExperimentSchema } from './schemas.js';
import type { ExperimentService } from './service.js';

const PRE_REGISTRATION = 'Pre-registration: once the experiment has started (startsAt passed, an inquiry drawn, or stopped) its definition ' +
  'cannot change (409); it can only be stopped.';

/** Admins pre-register experiments (randomised encouragement for pilots), read them and stop them. */
export const experimentRoutes: FastifyPluginAsyncZod<{ experiments: ExperimentService }> = async (app, { experiments }) => {
  const admin = requireRole('admin');
  const actorOf = (request: FastifyRequest) => ({ by: principalOf(request).keyId, byRole: principalOf(request).role });

  app.get('/v1/admin/experiments', {
    onRequest: admin,
    schema: {
      operationId: 'adminListExperiments', tags: ['admin'], summary: 'All experiments, with their state and assignments per arm',
      description: 'Every experiment ever registered (none is deleted), earliest start first, with how many inquiries each arm has drawn so far.',
      security: BEARER,
      response: { 200: experimentListSchema, ...problemResponses(401, 403) },
    },
    handler: async () => ({ items: experiments.list() }),
  });

  app.post('/v1/admin/experiments', {
    config: { responseHeaders: { 201: ['Location'] } },
    onRequest: admin,
    schema: {
      operationId: 'adminCreateExperiment', tags: ['admin'], summary: 'Pre-register an experiment (randomised encouragement)',
      description: 'Defines who is eligible (counties, topics, size bands, first-time inquirers; empty lists mean all), the arms with their ' +
        'shares (summing to 1) and the instruction caseworkers see, and the window (`startsAt` in the future, `endsAt` after it). From `startsAt` ' +
        'each eligible inquiry gets its arm at intake by a seeded, reproducible draw: HMAC-SHA256 keyed with `seed` over the inquiry id. ' +
        `${PRE_REGISTRATION} Audited.`,
      security: BEARER,
      body: newExperimentSchema,
      response: { 201: experimentSchema, ...problemResponses(400, 401, 403, 409, 415) },
    },
    handler: async (request, reply) => {
      const created = experiments.create(request.body, actorOf(request));
      return reply.code(201).header('location', `/v1/admin/experiments/${created.id}`).send(created);
    },
  });

  app.get('/v1/admin/experiments/:id', {
    onRequest: admin,
    schema: {
      operationId: 'adminGetExperiment', tags: ['admin'], summary: 'One experiment: its definition, state and assignments per arm',
      description: 'The pre-registered definition (with the seed, so every assignment can be recomputed), the state and the count drawn into each arm.',
      security: BEARER,
      params: experimentIdParams,
      response: { 200: experimentSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => experiments.get(request.params.id),
  });

  app.patch('/v1/admin/experiments/:id', {
    onRequest: admin,
    schema: {
      operationId: 'adminUpdateExperiment', tags: ['admin'], summary: 'Change an experiment before it starts',
      description: `Changes any part of the definition while the experiment is scheduled; the whole is checked again. ${PRE_REGISTRATION} Audited.`,
      security: BEARER,
      params: experimentIdParams,
      body: experimentPatchSchema,
      response: { 200: experimentSchema, ...problemResponses(400, 401, 403, 404, 409, 415) },
    },
    handler: async (request) => experiments.update(request.params.id, request.body, actorOf(request)),
  });

  app.post('/v1/admin/experiments/:id/stop', {
    onRequest: admin,
    schema: {
      operationId: 'adminStopExperiment', tags: ['admin'], summary: 'Stop an experiment for good',
      description: 'No inquiry is drawn into it from now on; inquiries already drawn keep their arm (analyse them as assigned). ' +
        'Irreversible; stopping again answers with the first stop. Audited. No body.',
      security: BEARER,
      params: experimentIdParams,
      response: { 200: experimentSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => experiments.stop(request.params.id, actorOf(request)),
  });
};
