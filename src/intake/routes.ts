import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses, unprocessable } from '../shared/problems.js';
import { caseRegistrationSchema, inquiryCreatedSchema, inquiryRequestSchema, registrationCreatedSchema, statusViewSchema } from './schemas.js';
import type { IntakeService } from './service.js';
import { acceptRole, BEARER, BEARER_OR_ANONYMOUS, principalOf, requireRole } from '../auth/plugin.js';
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
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('location', new URL(created.statusUrl).pathname).send(created);
    },
  });

  app.post('/v1/cases', {
    config: { responseHeaders: { 201: ['Location', 'Idempotent-Replayed'] } },
    onRequest: requireRole('caseworker', 'coordinator'),
    schema: {
      operationId: 'registerCase',
      tags: ['cases'],
      summary: 'Register an inquiry that came by phone, e-mail, a visit or an event',
      description:
        'Every door counts, not only the web form. A caseworker (for its own actor) or a coordinator (in its counties) registers an inquiry ' +
        'that reached them another way, with the instant the company really asked (`receivedAt`: not in the future, at most MAX_BACKDATED_DAYS old). ' +
        'It is located, classified and given alternatives like any inquiry, and its deadline runs from `receivedAt`, so one registered a week late ' +
        'is already past its deadline unless a contact is recorded for when the company was reached (`first-contact` with `at`; recorded more than ' +
        'BACKDATED_CONTACT_HOURS later it is flagged backdated). A caseworker\'s actor holds it, claimed by the caseworker, unless `assignTo` routes ' +
        'it on; a coordinator\'s goes where routing sends it unless `assignTo` names an actor. The answer carries the company\'s status link. ' +
        'Send an `Idempotency-Key` (per API key) so that a retry never registers it twice.',
      headers: z.object({
        'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).optional().describe('A unique key per registration, e.g. the id in your case system'),
      }),
      security: BEARER,
      body: caseRegistrationSchema,
      response: { 201: registrationCreatedSchema, ...problemResponses(400, 401, 403, 413, 415, 422, 429) },
    },
    handler: async (request, reply) => {
      const { created, replayed } = await intake.register(principalOf(request), request.body, { idempotencyKey: request.headers['idempotency-key'] });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('location', `/v1/cases/${created.id}`).send(created);
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
