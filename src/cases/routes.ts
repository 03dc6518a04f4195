import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import {
  assignSchema, caseEventsSchema, caseIdParams, caseListSchema, caseSchema, caseSummarySchema, closeSchema,
  firstContactSchema, ifMatchHeaders, ifNoneMatchHeaders, listCasesQuerySchema, noteSchema, referSchema, triageQuerySchema,
} from './schemas.js';
import { bodyTag, noneMatchHit, versionTag } from './preconditions.js';
import { rolesFor, type CaseAction } from './state-machine.js';
import type { ActionInput, CaseService } from './service.js';

/**
 * The cases API for caseworkers' and coordinators' systems. Lists carry a weak ETag (an unchanged
 * poll with If-None-Match costs a 304); a single case carries its version as a strong ETag, which
 * actions check against If-Match (412 when stale). Case data is personal: responses are private and
 * never stored by any cache (no-store); pollers keep the ETag themselves.
 */
export const caseRoutes: FastifyPluginAsyncZod<{ cases: CaseService }> = async (app, { cases }) => {
  const readers = requireRole('caseworker', 'coordinator');
  const notModified = z.null().describe('Not modified: the If-None-Match ETag is still current');

  /** Sends a list with its ETag, or 304 when the client has it already. */
  function sendList(request: FastifyRequest, reply: FastifyReply, body: unknown) {
    const etag = bodyTag(body);
    reply.header('etag', etag).header('cache-control', 'no-store').header('vary', 'authorization');
    if (noneMatchHit(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.send(body);
  }

  const listHeaders = { 200: ['ETag'], 304: ['ETag'] } as const;

  app.get('/v1/cases', {
    onRequest: readers,
    config: { responseHeaders: listHeaders },
    schema: {
      operationId: 'listCases', tags: ['cases'], summary: "The caller's cases",
      description:
        'Caseworker keys see the cases currently assigned to their actor (in their counties, if the key is limited); coordinator keys ' +
        "see their counties' cases. Newest deadline first by default. Pollers pass `updatedSince` (the largest `updatedAt` seen) and get " +
        'what changed, oldest change first; follow `nextCursor` to the end, and send the ETag back in `If-None-Match` for a 304 when nothing changed. ' +
        'The cursor is a keyset position: pages stay correct while cases change.',
      security: BEARER,
      querystring: listCasesQuerySchema,
      headers: ifNoneMatchHeaders,
      response: { 200: caseListSchema, 304: notModified, ...problemResponses(400, 401, 403) },
    },
    handler: async (request, reply) => sendList(request, reply, cases.list(principalOf(request), request.query)),
  });

  app.get('/v1/triage', {
    onRequest: requireRole('coordinator'),
    config: { responseHeaders: listHeaders },
    schema: {
      operationId: 'listTriage', tags: ['cases'], summary: "A coordinator's queue: unrouted and breached cases",
      description: "The coordinator's counties' open cases that have no actor (routing could not decide) or are past their deadline without first contact; most urgent first.",
      security: BEARER,
      querystring: triageQuerySchema,
      headers: ifNoneMatchHeaders,
      response: { 200: caseListSchema, 304: notModified, ...problemResponses(400, 401, 403) },
    },
    handler: async (request, reply) => sendList(request, reply, cases.triage(principalOf(request), request.query)),
  });

  app.get('/v1/cases/:id', {
    onRequest: readers,
    config: { responseHeaders: { 200: ['ETag'] } },
    schema: {
      operationId: 'getCase', tags: ['cases'], summary: 'One case in full',
      description: "The company's contact details, the question, the classification with its deciding words, alternatives, deadline and its state, " +
        'assignment, and the actions the caller may take now. The ETag is the version: send it in If-Match with an action.',
      security: BEARER,
      params: caseIdParams,
      response: { 200: caseSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const body = cases.get(principalOf(request), request.params.id);
      return reply.header('etag', versionTag(body.version)).header('cache-control', 'no-store').send(body);
    },
  });

  app.get('/v1/cases/:id/events', {
    onRequest: readers,
    schema: {
      operationId: 'listCaseEvents', tags: ['cases'], summary: "The case's history",
      description: 'Every step, oldest first, naming the key and role that took it; notes are shown with the action they belong to.',
      security: BEARER,
      params: caseIdParams,
      response: { 200: caseEventsSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => reply.header('cache-control', 'no-store').send(cases.events(principalOf(request), request.params.id)),
  });

  const caseAfter = caseSchema.describe('The case after the action, with its new version as ETag');
  // After a referral the caller's access has ended: the summary only (no contact details).
  const summaryAfterReferral = caseSummarySchema.describe('The case after the referral, as a summary only: the caller no longer has the case');

  /** One POST per action; the roles come from the state machine's table. */
  function action<B extends z.ZodType>(name: CaseAction, summary: string, description: string, body: B | null, toInput: (body: z.infer<B>) => ActionInput) {
    const roles = rolesFor(name);
    app.post(`/v1/cases/:id/${name}`, {
      onRequest: requireRole(...roles),
      config: { responseHeaders: { 200: ['ETag'], 412: ['ETag'] } },
      schema: {
        operationId: `${name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Case`, tags: ['cases'], summary,
        description: `${description} For ${roles.join(' and ')} keys. Send If-Match with the case's ETag so that you never overwrite a change you have not seen.`,
        security: BEARER,
        params: caseIdParams,
        headers: ifMatchHeaders,
        ...(body ? { body } : {}),
        response: { 200: name === 'refer' ? summaryAfterReferral : caseAfter, ...problemResponses(400, 401, 403, 404, 409, 412, ...(body ? [415, 422] as const : [])) },
      },
      handler: async (request, reply) => {
        const result = await cases.act(principalOf(request), request.params.id, toInput(request.body as z.infer<B>), request.headers['if-match']);
        return reply.header('etag', versionTag(result.body.version)).header('cache-control', 'no-store').send(result.body);
      },
    });
  }

  action('claim', 'Claim a case', 'Takes an assigned case for the calling caseworker.', null, () => ({ action: 'claim' }));
  action('release', 'Release a claimed case', 'Gives the case back to the actor\'s queue; only the caseworker holding it can.', null, () => ({ action: 'release' }));
  action('first-contact', 'Record first contact with the company',
    'Stops the clock: the first recorded contact is what the one-working-day goal measures (later ones, after a referral, are recorded but not counted). ' +
    '`at` defaults to now. On an unclaimed case it also claims it for the caller.',
    firstContactSchema, (b) => ({ action: 'first-contact', channel: b.channel, at: b.at, note: b.note, withActors: b.withActors }));
  action('refer', 'Refer the case to another actor',
    'Hands the case to another actor present in the county, as `misrouted` (we are the wrong actor: any contact we recorded does not count as ' +
    'reaching the right actor, and the clock runs on until the receiving actor reaches the company) or `additional-need` (we helped; the company ' +
    'also needs the other actor: our recorded contact counts). The deadline stays (it runs from when the company asked), ' +
    "the referring actor's access ends, and the referral is counted with its kind. Example: Almi calls the company in time, finds it wants buyers " +
    'abroad and refers it to Business Sweden as misrouted; Business Sweden calls after the deadline: the case is contacted late, not in time.',
    referSchema, (b) => ({ action: 'refer', toActor: b.toActor, kind: b.kind, reason: b.reason }));
  action('note', 'Add a note', 'Notes are for caseworkers and coordinators, never shown to the company. `withActors` names other actors who took part in a joint visit or meeting.',
    noteSchema, (b) => ({ action: 'note', text: b.text, withActors: b.withActors }));
  action('close', 'Close the case', 'With an outcome; helped and referred-outside need first contact recorded.', closeSchema,
    (b) => ({ action: 'close', outcome: b.outcome, note: b.note }));
  action('assign', 'Assign the case to an actor', "Routes a triage case, or reassigns any open case in the coordinator's counties (clearing any claim).",
    assignSchema, (b) => ({ action: 'assign', actor: b.actor, note: b.note }));
};
