import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { actorSchema, countyDetailSchema, countySchema, countyServicesSchema, topicSchema } from './schemas.js';
import type { ReferenceService } from './service.js';

/** Read-only reference data for forms and regional pages. */
export const referenceRoutes: FastifyPluginAsyncZod<{ reference: ReferenceService }> = async (app, { reference }) => {
  // Public, the same for everybody and rarely changed (an admin editing actors): forms and pages may cache it briefly.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
  });

  const countyParams = z.object({ code: z.string().min(1).max(40).describe('SE-M, 12 or Skåne') });

  app.get('/v1/counties', {
    schema: {
      operationId: 'listCounties', tags: ['reference'], summary: 'The 21 counties',
      description: 'Each county with its ISO 3166-2 code (SE-M) and SCB code (12). Public reference data, cacheable for five minutes.',
      response: { 200: z.object({ items: z.array(countySchema) }), ...problemResponses(500) },
    },
    handler: async () => ({ items: reference.places.counties.map(({ code, scbCode, name }) => ({ code, scbCode, name })) }),
  });

  app.get('/v1/counties/:code', {
    schema: {
      operationId: 'getCounty', tags: ['reference'], summary: 'One county, its municipalities and the actors present',
      description: 'The county by ISO code (SE-G), SCB code (07) or name (Kronoberg): its municipalities and the actors that take inquiries there, with the office serving it.',
      params: countyParams,
      response: { 200: countyDetailSchema, ...problemResponses(400, 404) },
    },
    handler: async (request) => {
      const county = reference.requireCounty(request.params.code);
      const actors = reference.actors()
        .filter((a) => a.active)
        .flatMap((a) => reference.presenceOf(a.id).filter((p) => p.countyCode === county.code).map((p) => ({ id: a.id, name: a.name, kind: a.kind, office: p.office })));
      return {
        code: county.code, scbCode: county.scbCode, name: county.name,
        municipalities: reference.places.municipalities.filter((m) => m.countyCode === county.code).map(({ code, name }) => ({ code, name })),
        actors,
      };
    },
  });

  app.get('/v1/counties/:code/services', {
    schema: {
      operationId: 'getCountyServices', tags: ['reference'],
      summary: 'Which actors serve which topics in a county',
      description: 'For a regional page: every topic with all the actors in the county offering it, so the company can be told about all of them.',
      params: countyParams,
      response: { 200: countyServicesSchema, ...problemResponses(400, 404) },
    },
    handler: async (request) => {
      const county = reference.requireCounty(request.params.code);
      return {
        county: { code: county.code, scbCode: county.scbCode, name: county.name },
        services: reference.servicesIn(county.code).map(({ topic, actors }) => ({
          topic: { id: topic.id, name: topic.name, nameSv: topic.nameSv },
          actors: actors.map((a) => ({ id: a.id, name: a.name, kind: a.kind })),
        })),
      };
    },
  });

  app.get('/v1/actors', {
    schema: {
      operationId: 'listActors', tags: ['reference'], summary: 'Actors and where they are present',
      description: 'The active public actors (Almi, Business Sweden, EEN, EKN, Tillväxtverket and others that joined), their kind and the office serving each county.',
      response: { 200: z.object({ items: z.array(actorSchema) }), ...problemResponses(500) },
    },
    handler: async () => ({
      items: reference.actors().filter((a) => a.active).map((a) => ({
        id: a.id, name: a.name, kind: a.kind, description: a.description, website: a.website,
        counties: reference.presenceOf(a.id).map((p) => ({ code: p.countyCode, office: p.office })),
      })),
    }),
  });

  app.get('/v1/topics', {
    schema: {
      operationId: 'listTopics', tags: ['reference'], summary: 'The topic taxonomy and its routing knowledge',
      description: 'Every topic the classifier knows, with the words that signal it and the actors that offer it: what decides where an inquiry goes.',
      response: { 200: z.object({ items: z.array(topicSchema) }), ...problemResponses(500) },
    },
    handler: async () => ({
      items: reference.topics().map((t) => ({ id: t.id, name: t.name, nameSv: t.nameSv, description: t.description, actors: t.actors, terms: t.terms })),
    }),
  });
};
