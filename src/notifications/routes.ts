import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { conflict, notFound, problemResponses } from '../shared/problems.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import type { Clock } from '../shared/clock.js';
import type { AddressService } from './addresses.js';
import type { MessageRow, OutboxRepository } from './outbox-repository.js';
import {
  addressListSchema, addressParams, addressSchema, deliveriesQuerySchema, deliveryListSchema, deliveryParams, deliverySchema,
  messageIdParams, newWebhookSchema, outboxListSchema, outboxMessageSchema, outboxQuerySchema, rotatedSecretSchema, rotateSecretSchema,
  setAddressSchema, webhookCreatedSchema, webhookIdParams, webhookPatchSchema, webhookSchema,
} from './schemas.js';
import type { Subscriptions } from './webhooks/subscriptions.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An outbox message as admins see it: never the company's address. */
function messageView(m: MessageRow) {
  return {
    id: m.id, channel: m.channel, kind: m.kind, caseId: m.inquiryId,
    audience: m.channel === 'webhook' ? 'subscriber' as const : m.personal ? 'company' as const : 'office' as const,
    recipient: m.personal ? null : m.recipient, subscriptionId: m.subscriptionId, status: m.status, attempts: m.attempts,
    createdAt: iso(m.createdAt)!, dueAt: iso(m.dueAt)!, nextAttemptAt: m.status === 'pending' ? iso(m.nextAttemptAt) : null,
    expiresAt: iso(m.expiresAt)!, lastAttemptAt: iso(m.lastAttemptAt), lastStatus: m.lastStatus, lastError: m.lastError, deliveredAt: iso(m.deliveredAt),
  };
}

export const webhookRoutes: FastifyPluginAsyncZod<{ subscriptions: Subscriptions }> = async (app, { subscriptions }) => {
  const admin = requireRole('admin');
  const tags = ['webhooks'];

  app.post('/v1/admin/webhooks', {
    onRequest: admin,
    schema: {
      operationId: 'createWebhookSubscription', tags, security: BEARER, summary: 'Subscribe a receiver to case events',
      description:
        'Events are signed per the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The answer holds the ' +
        'signing `secret`, shown only here. Scope: `actorId` limits to cases assigned to that actor, `counties` to cases in those counties; neither: every case. ' +
        'The URL must be https and resolve to public addresses only (checked again at every delivery).',
      body: newWebhookSchema,
      response: { 201: webhookCreatedSchema, ...problemResponses(400, 401, 403, 415) },
    },
    handler: async (request, reply) => reply.code(201).send(await subscriptions.create(request.body, principalOf(request).keyId)),
  });

  app.get('/v1/admin/webhooks', {
    onRequest: admin,
    schema: {
      operationId: 'listWebhookSubscriptions', tags, security: BEARER, summary: 'Webhook subscriptions (never their secrets)',
      description: 'Every subscription with its URL, events, scope and whether it is enabled; a signing secret is shown only when created or rotated.',
      response: { 200: z.object({ items: z.array(webhookSchema) }), ...problemResponses(401, 403) },
    },
    handler: async () => ({ items: subscriptions.list() }),
  });

  app.get('/v1/admin/webhooks/:id', {
    onRequest: admin,
    schema: {
      operationId: 'getWebhookSubscription', tags, security: BEARER, summary: 'One subscription, with its history (created, rotated, disabled and why)',
      description: 'The subscription and what happened to it: created, secret rotated, disabled after failures (and why), enabled again; never its secret.',
      params: webhookIdParams,
      response: { 200: webhookSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => subscriptions.get(request.params.id),
  });

  app.patch('/v1/admin/webhooks/:id', {
    onRequest: admin,
    schema: {
      operationId: 'updateWebhookSubscription', tags, security: BEARER, summary: 'Change the URL or events, or enable/disable',
      description: 'Disabling turns queued deliveries into dead letters; after enabling again, replay them with the retry endpoint.',
      params: webhookIdParams,
      body: webhookPatchSchema,
      response: { 200: webhookSchema, ...problemResponses(400, 401, 403, 404, 415) },
    },
    handler: async (request) => subscriptions.update(request.params.id, request.body, principalOf(request).keyId),
  });

  app.delete('/v1/admin/webhooks/:id', {
    onRequest: admin,
    schema: {
      operationId: 'deleteWebhookSubscription', tags, security: BEARER, summary: 'Delete a subscription',
      description: 'No more deliveries; queued ones are cancelled. The secret is wiped.',
      params: webhookIdParams,
      response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      subscriptions.remove(request.params.id, principalOf(request).keyId);
      return reply.code(204).send(null);
    },
  });

  app.post('/v1/admin/webhooks/:id/rotate-secret', {
    onRequest: admin,
    schema: {
      operationId: 'rotateWebhookSecret', tags, security: BEARER, summary: 'A new signing secret, shown once',
      description: 'During the grace period every delivery carries two signatures (old and new secret), so the receiver can switch without losing any.',
      params: webhookIdParams,
      body: rotateSecretSchema.nullish(),
      response: { 200: rotatedSecretSchema, ...problemResponses(400, 401, 403, 404, 415) },
    },
    handler: async (request) => subscriptions.rotateSecret(request.params.id, principalOf(request).keyId, request.body?.gracePeriodHours),
  });

  app.get('/v1/admin/webhooks/:id/deliveries', {
    onRequest: admin,
    schema: {
      operationId: 'listWebhookDeliveries', tags, security: BEARER, summary: "A subscription's deliveries, newest first",
      description: 'Status, attempts, the last HTTP status and error, and when the next attempt is due. `status=dead` lists the dead letters.',
      params: webhookIdParams,
      querystring: deliveriesQuerySchema,
      response: { 200: deliveryListSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => subscriptions.deliveries(request.params.id, request.query),
  });

  app.post('/v1/admin/webhooks/:id/deliveries/:deliveryId/retry', {
    onRequest: admin,
    schema: {
      operationId: 'retryWebhookDelivery', tags, security: BEARER, summary: 'Send a delivery again now (replay a dead letter)',
      description: 'Same webhook-id as before, so receivers can drop it if they had it. Another DELIVERY_MAX_AGE_HOURS of retries follow if it fails.',
      params: deliveryParams,
      response: { 202: deliverySchema, ...problemResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.code(202).send(subscriptions.retryDelivery(request.params.id, request.params.deliveryId)),
  });
};

export const outboxRoutes: FastifyPluginAsyncZod<{ repository: OutboxRepository; clock: Clock; maxAgeMs: number }> = async (app, { repository, clock, maxAgeMs }) => {
  const admin = requireRole('admin');
  const tags = ['notifications'];

  app.get('/v1/admin/outbox', {
    onRequest: admin,
    schema: {
      operationId: 'listOutboxMessages', tags, security: BEARER, summary: 'Messages (e-mail and webhooks), newest first; status=dead for the dead letters',
      description: "Never the company's e-mail address: messages to the company show audience `company` only.",
      querystring: outboxQuerySchema,
      response: { 200: outboxListSchema, ...problemResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const q = request.query;
      const rows = repository.list({ status: q.status, channel: q.channel, before: q.cursor, limit: q.limit + 1 });
      const items = rows.slice(0, q.limit).map(messageView);
      return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
    },
  });

  app.post('/v1/admin/outbox/:id/retry', {
    onRequest: admin,
    schema: {
      operationId: 'retryOutboxMessage', tags, security: BEARER, summary: 'Send a message again now (replay a dead letter)',
      description: 'Same message id as before. Cancelled messages (erased personal data, deleted subscription) cannot be sent again.',
      params: messageIdParams,
      response: { 202: outboxMessageSchema, ...problemResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => {
      const message = repository.get(request.params.id);
      if (!message) throw notFound(`No message "${request.params.id}".`);
      if (message.status === 'cancelled') throw conflict('This message was cancelled and cannot be sent again.');
      if (message.personal && !message.recipient) throw conflict("The company's address is no longer stored: the message cannot be sent again.");
      const now = clock();
      return reply.code(202).send(messageView(repository.replay(message.id, now, now + maxAgeMs)!));
    },
  });
};

export const addressRoutes: FastifyPluginAsyncZod<{ addresses: AddressService }> = async (app, { addresses }) => {
  const managers = requireRole('admin', 'coordinator');
  const tags = ['notifications'];

  app.get('/v1/notification-addresses', {
    onRequest: managers,
    schema: {
      operationId: 'listNotificationAddresses', tags, security: BEARER, summary: "Where mail about new and urgent cases goes, per actor office and export centre",
      description: "Admins see every county, coordinators their own.",
      querystring: z.object({ county: z.string().min(1).max(60).optional() }),
      response: { 200: addressListSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => ({ items: addresses.list(principalOf(request), request.query.county) }),
  });

  app.put('/v1/notification-addresses/:county/:office', {
    onRequest: managers,
    schema: {
      operationId: 'setNotificationAddress', tags, security: BEARER, summary: "Set an actor office's or an export centre's notification addresses",
      description:
        '`office` is an actor id present in the county (new cases, referrals, at-risk and breached cases assigned to it), or `export-centre` ' +
        "(new triage cases, breaches in the county, at-risk cases without an actor). Coordinators set their own counties'. The mails carry no personal data.",
      params: addressParams,
      body: setAddressSchema,
      response: { 200: addressSchema, ...problemResponses(400, 401, 403, 404, 415) },
    },
    handler: async (request) => addresses.set(principalOf(request), request.params.county, request.params.office, request.body),
  });

  app.delete('/v1/notification-addresses/:county/:office', {
    onRequest: managers,
    schema: {
      operationId: 'deleteNotificationAddress', tags, security: BEARER, summary: 'Stop mail to an office',
      description: 'Removes the notification addresses of one actor office or export centre in a county; new and urgent cases are no longer mailed there.',
      params: addressParams,
      response: { 204: z.null().describe('Removed'), ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      addresses.remove(principalOf(request), request.params.county, request.params.office);
      return reply.code(204).send(null);
    },
  });
};
