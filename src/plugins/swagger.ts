import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** The OpenAPI 3.1 document, generated from the routes' zod schemas; Swagger UI at /docs. */
export default fp(
  async (app, opts: { ui: boolean }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'En dörr in',
          version: '1.0.0',
          description:
            "One door in for export questions: companies' inquiries are classified, routed to the right public actor in their county, " +
            'timed against the one-working-day first-contact goal, and counted. Errors are RFC 9457 problem details (application/problem+json).',
        },
        tags: [
          { name: 'intake', description: 'Inquiries from companies, and their private status link' },
          { name: 'reference', description: 'Counties, actors, topics and who serves what where' },
          { name: 'health', description: 'Liveness and readiness' },
          { name: 'routing', description: 'Where an inquiry would go, before it is sent (nothing stored)' },
          { name: 'cases', description: "Caseworkers' and coordinators' work on inquiries: poll, claim, contact, refer, close" },
          { name: 'admin', description: 'API keys, actors and their presence per county (admin keys)' },
          { name: 'statistics', description: 'Compliance with the first-contact deadline and company follow-up, for analysts (no personal data)' },
          { name: 'privacy', description: 'Erasure of personal data on request (admin and coordinator keys); retention erases closed cases automatically' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer edi_<id>_<secret>`' },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    if (opts.ui) await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'swagger' },
);
