import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import type { FastifyRequest } from 'fastify';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { actorIdParams, actorPatchSchema, adminActorSchema, newActorSchema, presenceSchema } from './schemas.js';
import type { ActorAdminService } from './service.js';

/** Admins manage the actor directory; routing sees every change at once. */
export const adminActorRoutes: FastifyPluginAsyncZod<{ actors: ActorAdminService }> = async (app, { actors }) => {
  const admin = requireRole('admin');
  const actorOf = (request: FastifyRequest) => ({ by: principalOf(request).keyId, byRole: principalOf(request).role });

  app.get('/v1/admin/actors', {
    onRequest: admin,
    schema: {
      operationId: 'adminListActors', tags: ['admin'], summary: 'All actors, including inactive ones, with their presence',
      description: 'Every actor, active or not, with the counties it takes inquiries in: what routing chooses from.',
      security: BEARER,
      response: { 200: z.object({ items: z.array(adminActorSchema) }), ...problemResponses(401, 403) },
    },
    handler: async () => ({ items: actors.list() }),
  });

  app.post('/v1/admin/actors', {
    onRequest: admin,
    schema: {
      operationId: 'adminCreateActor', tags: ['admin'], summary: 'Add an actor',
      description: 'Adds a public actor (private companies must not be presented). Give it presence per county to route inquiries to it.',
      security: BEARER,
      body: newActorSchema,
      response: { 201: adminActorSchema, ...problemResponses(400, 401, 403, 409, 415) },
    },
    handler: async (request, reply) => reply.code(201).send(actors.create(request.body, actorOf(request))),
  });

  app.get('/v1/admin/actors/:id', {
    onRequest: admin,
    schema: {
      operationId: 'adminGetActor', tags: ['admin'], summary: 'One actor with its presence', security: BEARER,
      description: 'The actor, whether it is active, and the counties it takes inquiries in.',
      params: actorIdParams,
      response: { 200: adminActorSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => actors.get(request.params.id),
  });

  app.patch('/v1/admin/actors/:id', {
    onRequest: admin,
    schema: {
      operationId: 'adminUpdateActor', tags: ['admin'], summary: 'Change an actor, or deactivate it',
      description: 'Actors are deactivated (`active: false`), never deleted: inquiries and history refer to them.',
      security: BEARER,
      params: actorIdParams,
      body: actorPatchSchema,
      response: { 200: adminActorSchema, ...problemResponses(400, 401, 403, 404, 415) },
    },
    handler: async (request) => actors.update(request.params.id, request.body, actorOf(request)),
  });

  app.put('/v1/admin/actors/:id/presence', {
    onRequest: admin,
    schema: {
      operationId: 'adminSetActorPresence', tags: ['admin'], summary: 'Set the counties an actor takes inquiries in',
      description: 'Replaces the whole list. New inquiries are routed by it at once; cases already assigned stay.',
      security: BEARER,
      params: actorIdParams,
      body: presenceSchema,
      response: { 200: adminActorSchema, ...problemResponses(400, 401, 403, 404, 415) },
    },
    handler: async (request) => actors.setPresence(request.params.id, request.body.counties, actorOf(request)),
  });
};
