import { z } from 'zod';
import { OUTBOX_STATUSES } from '../db/schema/index.js';
import { countyRefSchema } from '../intake/schemas.js';
import { EMAIL_KINDS, WEBHOOK_EVENTS } from './outbox.js';

export const webhookEventSchema = z.enum(WEBHOOK_EVENTS);
const instant = z.iso.datetime();

const countyList = z.array(z.string().trim().min(1).max(60)).max(21);

export const newWebhookSchema = z.strictObject({
  url: z.string().trim().min(1).max(2000).describe('https URL of the receiver; must resolve to public addresses (unless WEBHOOK_ALLOW_PRIVATE)'),
  events: z.array(webhookEventSchema).min(1).describe('The event types to receive'),
  actorId: z.string().min(1).max(60).optional().describe("Only events about cases assigned to this actor (also when a case leaves it)"),
  counties: countyList.optional().describe('Only events about cases in these counties (SE-M, 12 or Skåne)'),
  description: z.string().trim().max(200).optional().describe('Whose receiver this is, for admins'),
}).meta({ id: 'NewWebhookSubscription' });

export const webhookPatchSchema = z.strictObject({
  url: newWebhookSchema.shape.url.optional(),
  events: newWebhookSchema.shape.events.optional(),
  description: z.string().trim().max(200).nullable().optional(),
  enabled: z.boolean().optional().describe('true enables a disabled subscription again (then replay its dead letters); false disables it'),
}).meta({ id: 'WebhookSubscriptionPatch' });

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(webhookEventSchema),
  actorId: z.string().nullable(),
  counties: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabledAt: instant.nullable(),
  disabledReason: z.enum(['gone', 'failing', 'admin']).nullable().describe('gone: the receiver answered 410; failing: deliveries failed for WEBHOOK_DISABLE_AFTER_HOURS; admin'),
  failingSince: instant.nullable().describe('Every delivery since then has failed; null when the last one succeeded'),
  createdAt: instant,
  createdBy: z.string(),
  updatedAt: instant,
  previousSecretExpiresAt: instant.nullable().describe('Until then the previous secret signs too (after rotate-secret)'),
  history: z.array(z.object({ type: z.string(), at: instant, by: z.string(), data: z.record(z.string(), z.unknown()) })),
}).meta({ id: 'WebhookSubscription' });

export const webhookCreatedSchema = webhookSchema.extend({
  secret: z.string().describe('whsec_… signing secret: shown only now. Verify deliveries with it (Standard Webhooks)'),
}).meta({ id: 'WebhookSubscriptionCreated' });

export const rotateSecretSchema = z.strictObject({
  gracePeriodHours: z.number().min(0).max(720).optional().describe('How long the old secret keeps signing beside the new one (default WEBHOOK_SECRET_GRACE_HOURS); 0 ends it at once'),
}).meta({ id: 'RotateWebhookSecret' });

export const rotatedSecretSchema = z.object({
  id: z.string(),
  secret: z.string().describe('The new whsec_… secret: shown only now'),
  previousSecretExpiresAt: instant.nullable(),
}).meta({ id: 'RotatedWebhookSecret' });

export const deliverySchema = z.object({
  id: z.string().describe('The message id, sent as webhook-id: the same on every attempt'),
  event: z.string(),
  caseId: z.string().nullable(),
  status: z.enum(OUTBOX_STATUSES).describe('pending (waiting or retrying), delivered, dead (gave up; replayable), cancelled'),
  attempts: z.number().int(),
  createdAt: instant,
  nextAttemptAt: instant.nullable(),
  lastAttemptAt: instant.nullable(),
  lastStatus: z.number().int().nullable().describe("The receiver's HTTP status on the last attempt"),
  lastError: z.string().nullable(),
  deliveredAt: instant.nullable(),
}).meta({ id: 'WebhookDelivery' });

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(100).optional().describe('nextCursor from the previous page'),
};

export const deliveriesQuerySchema = z.object({ status: z.enum(OUTBOX_STATUSES).optional(), ...pageQuery });
export const deliveryListSchema = z.object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() }).meta({ id: 'WebhookDeliveryList' });

export const webhookIdParams = z.object({ id: z.uuid() });
export const deliveryParams = z.object({ id: z.uuid(), deliveryId: z.uuid() });

export const outboxQuerySchema = z.object({
  status: z.enum(OUTBOX_STATUSES).optional().describe('dead: the dead letters'),
  channel: z.enum(['email', 'webhook']).optional(),
  ...pageQuery,
});

export const outboxMessageSchema = z.object({
  id: z.string().describe('Stable message id: the e-mail Message-ID or the webhook-id'),
  channel: z.enum(['email', 'webhook']),
  kind: z.string().describe(`E-mail: ${EMAIL_KINDS.join(', ')}; webhook: the event type`),
  caseId: z.string().nullable(),
  audience: z.enum(['company', 'office', 'subscriber']),
  recipient: z.string().nullable().describe("The office's addresses; never the company's address (personal data), null for the company and webhooks"),
  subscriptionId: z.string().nullable(),
  status: z.enum(OUTBOX_STATUSES),
  attempts: z.number().int(),
  createdAt: instant,
  dueAt: instant,
  nextAttemptAt: instant.nullable(),
  expiresAt: instant.describe('A failing message is dead-lettered after this'),
  lastAttemptAt: instant.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: instant.nullable(),
}).meta({ id: 'OutboxMessage' });

export const outboxListSchema = z.object({ items: z.array(outboxMessageSchema), nextCursor: z.string().nullable() }).meta({ id: 'OutboxMessageList' });
export const messageIdParams = z.object({ id: z.uuid() });

export const addressSchema = z.object({
  county: countyRefSchema,
  office: z.string().describe('An actor id, or export-centre'),
  officeName: z.string(),
  emails: z.array(z.string()),
  publicContact: z.string().nullable(),
  updatedAt: instant,
  updatedBy: z.string(),
}).meta({ id: 'NotificationAddress' });

export const addressListSchema = z.object({ items: z.array(addressSchema) }).meta({ id: 'NotificationAddressList' });

export const addressParams = z.object({
  county: z.string().min(1).max(60).describe('SE-M, 12 or Skåne'),
  office: z.string().min(1).max(60).describe('An actor id present in the county, or export-centre'),
});

export const setAddressSchema = z.strictObject({
  emails: z.array(z.email({ message: 'Not a valid e-mail address' }).max(254)).min(1).max(10).describe('Shared mailboxes: the mails never carry personal data'),
  publicContact: z.string().trim().min(1).max(300).nullable().optional()
    .describe('export-centre only: what the company is told to use if nobody calls, e.g. "exportcentrum@region.se, 010-123 45 67"'),
}).meta({ id: 'SetNotificationAddress' });
