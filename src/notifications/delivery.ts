import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { StatusLinks } from '../intake/status-links.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { createDirectory } from './directory.js';
import { createDispatcher, type ChannelDelivery, type DeliveryResult, type Outcome } from './dispatcher.js';
import { emailChannel } from './email/mailer.js';
import { createEmailSender, type EmailSender } from './email/sender.js';
import { createOutboxRepository, type Channel, type MessageRow } from './outbox-repository.js';
import { createWebhookSender } from './webhooks/sender.js';
import { systemLookup, type Lookup } from './webhooks/ssrf.js';
import { createSubscriptions, webhookChannel, type DisableReason } from './webhooks/subscriptions.js';

/** Test hooks of the notifications; any of them keeps delivery on the request thread (see delivery-thread.ts). */
export interface NotificationsOverrides {
  /** DNS for webhook URLs (tests answer for names that do not exist). */
  lookup: Lookup;
  /** Jitter of the retry backoff. */
  random: () => number;
  /** The clock of webhook-timestamp (receivers compare it with theirs). */
  wallClock: () => number;
  /** SMTP sender (tests may wrap the real one). */
  emailSender: EmailSender;
  /** The webhook timeout (10 s; tests shorten it). */
  webhookTimeoutMs: number;
}

/** What the notifications are built from, on the request thread and in the delivery thread alike. */
export interface NotificationsDeps {
  db: Db;
  config: Config;
  clock: Clock;
  reference: ReferenceService;
  log: FastifyBaseLogger;
  overrides?: Partial<NotificationsOverrides> | undefined;
}

export interface DeliveryDeps extends NotificationsDeps {
  /** True while the service is answering requests (the dispatcher then sends at a trickle). */
  busy: () => boolean;
  onResult: (channel: Channel, result: DeliveryResult) => void;
  onDisabled: (subscriptionId: string, reason: DisableReason) => void;
}

/**
 * Everything that sends: the SMTP and webhook senders, the channels and the dispatcher over the outbox. Built on
 * the request thread (admin routes use the subscriptions; tests call the dispatcher) and, in production, once more
 * in the delivery thread on its own connection (delivery-worker.ts), which is the one that runs.
 */
export function createDelivery({ db, config, clock, reference, log, overrides = {}, busy, onResult, onDisabled }: DeliveryDeps) {
  const maxAgeMs = config.DELIVERY_MAX_AGE_HOURS * 3_600_000;
  const repository = createOutboxRepository(db);
  const directory = createDirectory(db);
  const lookup = overrides.lookup ?? systemLookup;
  const emailSender = overrides.emailSender ?? (config.SMTP_URL ? createEmailSender({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM! }) : undefined);
  const webhookSender = createWebhookSender({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, lookup,
    ...(overrides.wallClock ? { wallClock: overrides.wallClock } : {}), ...(overrides.webhookTimeoutMs ? { timeoutMs: overrides.webhookTimeoutMs } : {}) });

  const subscriptions = createSubscriptions({
    db, directory, repository, reference, clock, lookup, maxAgeMs,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    graceMs: config.WEBHOOK_SECRET_GRACE_HOURS * 3_600_000,
    onDisabled(subscriptionId: string, reason: DisableReason) {
      onDisabled(subscriptionId, reason);
      if (reason !== 'admin') log.warn({ subscriptionId, reason }, 'webhook subscription disabled: admins, see GET /v1/admin/webhooks');
    },
  });

  const channels: Partial<Record<Channel, ChannelDelivery>> = { webhook: webhookChannel(directory, webhookSender, subscriptions) };
  if (emailSender) {
    channels.email = emailChannel({
      db, reference, directory, sender: emailSender,
      statusLinks: new StatusLinks(StatusLinks.secretFrom(db, config.STATUS_LINK_SECRET)),
      publicBaseUrl: config.PUBLIC_BASE_URL, caseLinkTemplate: config.CASE_LINK_TEMPLATE,
    });
  }

  const dispatcher = createDispatcher({
    db, repository, channels, clock, maxAgeMs, busy,
    leaseMs: config.DELIVERY_LEASE_SECONDS * 1000,
    ...(overrides.random ? { random: overrides.random } : {}),
    onResult(channel, result: DeliveryResult, message: MessageRow, outcome: Outcome) {
      onResult(channel, result);
      // Ids, kinds and results only: never an address or a payload.
      const error = 'error' in outcome ? outcome.error : undefined;
      if (result === 'dead') log.warn({ messageId: message.id, channel, kind: message.kind, attempts: message.attempts + 1, error }, 'message dead-lettered');
      else if (result === 'failed') log.info({ messageId: message.id, channel, kind: message.kind, attempts: message.attempts + 1, error }, 'delivery failed, will retry');
    },
    onError(error) {
      log.error({ err: { message: error.message } }, 'dispatcher run failed');
    },
  });

  return { repository, directory, subscriptions, dispatcher, emailSender, webhookSender, maxAgeMs };
}

export type Delivery = ReturnType<typeof createDelivery>;

/** Closes the senders' connections (after the dispatcher stopped). */
export function closeSenders(delivery: Pick<Delivery, 'emailSender' | 'webhookSender'>): void {
  delivery.emailSender?.close();
  delivery.webhookSender.close();
}
