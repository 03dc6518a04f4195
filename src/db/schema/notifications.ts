import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import { inquiries } from './inquiries.js';
import { actors, counties } from './reference.js';

/**
 * Webhook subscriptions of actors' own case systems (Standard Webhooks). The secret signs every
 * delivery; after a rotation the previous secret signs too until `previousSecretExpiresAt`, so a
 * receiver can switch without losing a message. Deleted subscriptions are kept (secrets wiped) so
 * that their deliveries stay explainable.
 */
export const webhookSubscriptions = sqliteTable('webhook_subscriptions', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  /** Event types, as a JSON array, e.g. ["case.assigned","case.referred"]. */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  /** Only cases assigned to this actor (null: any actor). */
  actorId: text('actor_id').references(() => actors.id, { onDelete: 'restrict' }),
  /** Only cases in these counties, as a JSON array of ISO codes (null: every county). */
  counties: text('counties', { mode: 'json' }).$type<string[] | null>(),
  description: text('description'),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** When deliveries stopped: a 410 from the receiver, failures for too long, or an admin. */
  disabledAt: integer('disabled_at'),
  disabledReason: text('disabled_reason'),
  /** Since when every delivery has failed; cleared by the next success. */
  failingSince: integer('failing_since'),
  deletedAt: integer('deleted_at'),
});

/** What happened to a subscription (created, rotated, disabled, enabled, deleted): admins read it with the subscription. */
export const webhookSubscriptionEvents = sqliteTable(
  'webhook_subscription_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: text('subscription_id').notNull().references(() => webhookSubscriptions.id, { onDelete: 'restrict' }),
    type: text('type').notNull(),
    at: integer('at').notNull(),
    /** An API key's id, or `system`. */
    by: text('by').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('webhook_subscription_events_idx').on(t.subscriptionId, t.id)],
);

/**
 * Where e-mail about new and urgent cases goes: one row per actor office (an actor's presence in a
 * county, `office` = the actor id) and per county export centre (`office` = 'export-centre', for
 * triage and breaches). Shared mailboxes: the mails sent here never carry personal data. The export
 * centre may also have a public contact that companies are told to use if nobody calls.
 */
export const notificationAddresses = sqliteTable(
  'notification_addresses',
  {
    countyCode: text('county_code').notNull().references(() => counties.code, { onDelete: 'restrict' }),
    office: text('office').notNull(),
    emails: text('emails', { mode: 'json' }).$type<string[]>().notNull(),
    publicContact: text('public_contact'),
    updatedAt: integer('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.countyCode, t.office] })],
);

/**
 * The outbox: every message (an e-mail to one mailbox, or a webhook to one subscription) written in the
 * same transaction as the change that causes it, then delivered by the dispatcher after commit, at least
 * once. `id` is the stable message id (webhook-id, the e-mail's Message-ID) that receivers deduplicate by.
 * - `payload`: what the message says, as JSON, never personal data (a webhook's exact body; for an e-mail
 *   the facts it is rendered from at delivery);
 * - `recipient`: e-mail addresses; personal (`personal` = 1) only for mail to the company, and blanked once
 *   delivered or when the case's personal data is erased;
 * - `nextAttemptAt` doubles as the lease: an instance claims a message by moving it to the end of its
 *   lease, so a second instance never takes it while it is being sent, and takes it over if the first died.
 */
export const OUTBOX_STATUSES = ['pending', 'delivered', 'dead', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    /** E-mail kind (company-receipt, office-new-case, …) or webhook event type (case.assigned, …). */
    kind: text('kind').notNull(),
    inquiryId: text('inquiry_id').references(() => inquiries.id, { onDelete: 'restrict' }),
    subscriptionId: text('subscription_id').references(() => webhookSubscriptions.id, { onDelete: 'restrict' }),
    recipient: text('recipient'),
    personal: integer('personal').notNull().default(0),
    payload: text('payload').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    /** When it should first go out (the follow-up waits days after closing). */
    dueAt: integer('due_at').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** After this instant a failing message is dead-lettered (due + DELIVERY_MAX_AGE_HOURS; reset by a replay). */
    expiresAt: integer('expires_at').notNull(),
    leaseOwner: text('lease_owner'),
    lastAttemptAt: integer('last_attempt_at'),
    /** HTTP status or SMTP reply code of the last attempt. */
    lastStatus: integer('last_status'),
    /** Why the last attempt failed; never an e-mail address. */
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    // The dispatcher's work lists: pending messages by channel and, for webhooks, by subscription, each by when it is
    // due. A claim reads only its own list, however long the others are (a backlog of one channel, or a subscription
    // whose deliveries are all in flight, is never walked through by the claims of the others).
    index('outbox_due_idx').on(t.channel, t.subscriptionId, t.nextAttemptAt).where(sql`status = 'pending'`),
    index('outbox_inquiry_idx').on(t.inquiryId),
    index('outbox_subscription_idx').on(t.subscriptionId, t.id).where(sql`subscription_id IS NOT NULL`),
    index('outbox_dead_idx').on(t.id).where(sql`status = 'dead'`),
    // The follow-up goes out once per case, whatever happens.
    uniqueIndex('outbox_follow_up_once').on(t.inquiryId).where(sql`kind = 'company-follow-up'`),
  ],
);
