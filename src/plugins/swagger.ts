import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { completeContract, REQUEST_ITEM_SCHEMA_KEY, RESPONSE_HEADERS_KEY } from './openapi-contract.js';

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas and completed in one place
 * (./openapi-contract.ts: problem+json errors, rate-limit, auth and per-route response headers); Swagger UI at /docs.
 */
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
            'timed against the one-working-day first-contact goal, and counted. Errors are RFC 9457 problem details (application/problem+json), ' +
            'in Swedish for `Accept-Language: sv`. Calls with an API key send `Authorization: Bearer <token>`; every answer outside /health ' +
            'carries the caller\'s rate limit (`X-RateLimit-*`), and a 429 says when to retry (`Retry-After`).',
          contact: { name: 'En dörr in', url: 'https://en-dorr-in.se' },
          // The description is public domain, so that anyone may copy it, generate clients from it and publish them (README, API).
          license: { name: 'CC0-1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
        },
        servers: [{ url: 'http://localhost:3000', description: 'A local instance (`npm start`); a deployment answers at its PUBLIC_BASE_URL' }],
        tags: [
          { name: 'intake', description: 'Inquiries from companies, and their private status link' },
          { name: 'reference', description: 'Counties, actors, topics and who serves what where' },
          { name: 'health', description: 'Liveness and readiness' },
          { name: 'routing', description: 'Where an inquiry would go, before it is sent (nothing stored)' },
          { name: 'cases', description: "Caseworkers' and coordinators' work on inquiries: poll, claim, contact, refer, close" },
          { name: 'admin', description: 'API keys, actors and their presence per county (admin keys)' },
          { name: 'statistics', description: 'Compliance with the first-contact deadline and company follow-up, for analysts (no personal data)' },
          { name: 'notifications', description: 'Where e-mail about new and urgent cases goes, per actor office and export centre, and the outbox behind e-mail and webhooks' },
          { name: 'webhooks', description: 'Signed webhooks (Standard Webhooks) to caseworkers\' systems, their deliveries, and the outbox behind e-mail and webhooks (admin keys)' },
          { name: 'privacy', description: 'Erasure of personal data on request (admin and coordinator keys); retention erases closed cases automatically' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer edi_<id>_<secret>`' },
          },
        },
      },
      // Hands what a route declares in its config (response headers, the schema of NDJSON lines) to the document transform.
      transform: (input) => {
        const transformed = jsonSchemaTransform(input);
        const { responseHeaders, requestItemSchema } = input.route.config ?? {};
        const extra = { ...(responseHeaders ? { [RESPONSE_HEADERS_KEY]: responseHeaders } : {}), ...(requestItemSchema ? { [REQUEST_ITEM_SCHEMA_KEY]: requestItemSchema } : {}) };
        return { ...transformed, schema: Object.assign({}, transformed.schema, extra) };
      },
      transformObject: (document) => completeContract(jsonSchemaTransformObject(document) as Record<string, unknown>),
    });
    if (opts.ui) await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'swagger' },
);
