import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses, unprocessable } from '../shared/problems.js';
import { inquiryCreatedSchema, inquiryRequestSchema, statusViewSchema } from './schemas.js';
import type { IntakeService } from './service.js';
import { acceptRole, BEARER, BEARER_OR_ANONYMOUS, requireRole } from '../auth/plugin.js';
import { both } from '../shared/i18n.js';

export const intakeRoutes: FastifyPluginAsyncZod<{ intake: IntakeService; allowAnonymous?: boolean }> = async (app, { intake, allowAnonymous = true }) => {
  app.post('/v1/inquiries', {
    config: { responseHeaders: { 201: ['Location', 'Idempotent-Replayed'] } },
    // ALLOW_ANONYMOUS_INTAKE=false: only form backends with an `intake` (or admin) key may post.
    onRequest: allowAnonymous ? acceptRole('intake', 'admin') : requireRole('intake', 'admin'),
    schema: {
      operationId: 'createInquiry',
      tags: ['intake'],
      summary: 'Submit an inquiry from a company',
      description:
        'Validates the inquiry, finds its county, classifies it by topic, routes it to the right actor (listing the alternatives), ' +
        'sets its first-contact deadline under the policy in force and stores it with its history. ' +
        'Send an `Idempotency-Key` header (a new random value per inquiry, e.g. a UUID made when the form is shown) so that a double ' +
        'submit never creates two inquiries: the same key with the same body returns the same inquiry (`Idempotent-Replayed: true`). ' +
        "Keys are per caller, so nobody can block or detect another's submission: with an API key they live in that key's own " +
        'namespace, and the same key with a different body is a 422; without one (browser forms) a key is bound to the body it came ' +
        'with, and the same key with a different body is simply another inquiry.',
      headers: z.object({
        'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).optional().describe('A unique key per inquiry, e.g. a UUID made by the form'),
      }),
      security: allowAnonymous ? BEARER_OR_ANONYMOUS : BEARER,
      body: inquiryRequestSchema,
      response: { 201: inquiryCreatedSchema, ...problemResponses(400, 401, 403, 413, 415, 422, 429, 500) },
    },
    handler: async (request, reply) => {
      // Honeypot: a filled `website` is a bot. Refused openly (422) rather than faked as a 201: a person whose
      // browser autofilled the hidden field must learn that nothing was sent, never wait for an answer that cannot come.
      if (request.body.website) {
        request.log.info({ honeypot: true }, 'inquiry refused: honeypot field filled');
        throw unprocessable('suspected-bot', 'Not accepted', both(
          'The form was filled in a way only automated clients do. If you are a person, reload the form and send it again, or call your regional export centre.',
          'Formuläret fylldes i på ett sätt som bara automatiska program gör. Är du en människa: ladda om formuläret och skicka igen, eller ring ditt regionala exportcenter.'));
      }
      const { created, replayed } = await intake.submit(request.body, {
        idempotencyKey: request.headers['idempotency-key'],
        callerKeyId: request.principal?.keyId,
        channel: 'api',
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('location', new URL(created.statusUrl).pathname).send(created);
    },
  });

  app.get('/v1/status/:token', {
    schema: {
      operationId: 'getInquiryStatus',
      tags: ['intake'],
      summary: "The company's view of its inquiry",
      description: 'Reached through the private link returned at submission. Shows status, assigned actor and milestones, never anything written by caseworkers. ' +
        'A browser (an `Accept` preferring `text/html`) gets the company\'s status page at the same URL instead; every other client gets this JSON.',
      params: z.object({ token: z.string().min(20).max(100) }),
      response: { 200: statusViewSchema, ...problemResponses(400, 404) },
    },
    // Browsers get the status page at this same URL (src/pages), so caches must key on Accept.
    handler: async (request, reply) => reply.header('vary', 'accept').send(intake.statusFor(request.params.token)),
  });
};
