import fp from 'fastify-plugin';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { StatusLinks } from '../intake/status-links.js';
import { createAddressService } from './addresses.js';
import { createDirectory } from './directory.js';
import { createDispatcher, type ChannelDelivery, type DeliveryResult } from './dispatcher.js';
import { emailChannel } from './email/mailer.js';
import { createEmailSender, type EmailSender } from './email/sender.js';
import { createNotifier } from './outbox.js';
import { createOutboxRepository, type Channel } from './outbox-repository.js';
import { addressRoutes, outboxRoutes, webhookRoutes } from './routes.js';
import { createWebhookSender } from './webhooks/sender.js';
import { systemLookup, type Lookup } from './webhooks/ssrf.js';
import { createSubscriptions, webhookChannel, type DisableReason } from './webhooks/subscriptions.js';

/**
 * Push, not poll: e-mail and signed webhooks through a transactional outbox (see outbox.ts for what is
 * sent when, dispatcher.ts for how). E-mail is off unless SMTP_URL is set; webhooks send nothing until
 * an admin subscribes a receiver. Write paths get `notifier` and call it inside their transactions;
 * the dispatcher runs on a timer and right after those commits (not in tests, which call dispatch()).
 */
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

export interface NotificationsDeps {
  db: Db;
  config: Config;
  clock: Clock;
  reference: ReferenceService;
  log: FastifyBaseLogger;
  overrides?: Partial<NotificationsOverrides> | undefined;
}

export function createNotifications({ db, config, clock, reference, log, overrides = {} }: NotificationsDeps) {
  const maxAgeMs = config.DELIVERY_MAX_AGE_HOURS * 3_600_000;
  const repository = createOutboxRepository(db);
  const directory = createDirectory(db);
  const lookup = overrides.lookup ?? systemLookup;
  const emailSender = overrides.emailSender ?? (config.SMTP_URL ? createEmailSender({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM! }) : undefined);
  const webhookSender = createWebhookSender({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, lookup,
    ...(overrides.wallClock ? { wallClock: overrides.wallClock } : {}), ...(overrides.webhookTimeoutMs ? { timeoutMs: overrides.webhookTimeoutMs } : {}) });

  const counters = {
    deliveries: new Counter({ name: 'en_dorr_in_deliveries_total', help: 'Delivery attempts by this instance, by channel and result (delivered, failed: will retry, dead, cancelled)', labelNames: ['channel', 'result'] as const, registers: [] }),
    disabled: new Counter({ name: 'en_dorr_in_webhook_subscriptions_disabled_total', help: 'Webhook subscriptions this instance disabled, by reason (gone: 410; failing: WEBHOOK_DISABLE_AFTER_HOURS)', labelNames: ['reason'] as const, registers: [] }),
  };

  const subscriptions = createSubscriptions({
    db, directory, repository, reference, clock, lookup, maxAgeMs,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    graceMs: config.WEBHOOK_SECRET_GRACE_HOURS * 3_600_000,
    onDisabled(subscriptionId: string, reason: DisableReason) {
      counters.disabled.inc({ reason });
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

  // When the last request arrived: while requests keep coming the dispatcher sends at a trickle (see dispatcher.ts).
  let lastRequestAt = 0;
  const dispatcher = createDispatcher({
    db, repository, channels, clock, maxAgeMs,
    busy: () => Date.now() - lastRequestAt < 100,
    leaseMs: config.DELIVERY_LEASE_SECONDS * 1000,
    ...(overrides.random ? { random: overrides.random } : {}),
    onResult(channel, result: DeliveryResult, message, outcome) {
      counters.deliveries.inc({ channel, result });
      // Ids, kinds and results only: never an address or a payload.
      if (result === 'dead') log.warn({ messageId: message.id, channel, kind: message.kind, attempts: message.attempts + 1, error: 'error' in outcome ? outcome.error : undefined }, 'message dead-lettered');
      else if (result === 'failed') log.info({ messageId: message.id, channel, kind: message.kind, attempts: message.attempts + 1, error: 'error' in outcome ? outcome.error : undefined }, 'delivery failed, will retry');
    },
    onError(error) {
      log.error({ err: { message: error.message } }, 'dispatcher run failed');
    },
  });

  const notifier = createNotifier({
    db, repository, directory, maxAgeMs,
    email: emailSender !== undefined,
    followUpDelayDays: config.FOLLOW_UP_DELAY_DAYS,
    queued: () => dispatcher.nudge(),
  });

  return {
    notifier, repository, directory, subscriptions, dispatcher, counters,
    /** Called on every request (an onRequest hook): the service is busy answering. */
    requestArrived: () => { lastRequestAt = Date.now(); },
    addresses: createAddressService({ directory, reference, clock }),
    emailSender, webhookSender, maxAgeMs,
  };
}

export type Notifications = ReturnType<typeof createNotifications>;

declare module 'fastify' {
  interface FastifyInstance {
    notifications: Notifications;
  }
}

function registerMetrics(app: FastifyInstance, n: Notifications, clock: Clock) {
  const registry = app.metricsRegistry;
  registry.registerMetric(n.counters.deliveries);
  registry.registerMetric(n.counters.disabled);
  const snapshot = () => n.repository.gauges(clock());
  new Gauge({
    name: 'en_dorr_in_outbox_depth', help: 'Messages due and not yet delivered (including those waiting to retry), by channel',
    labelNames: ['channel'] as const, registers: [registry],
    collect() {
      const g = snapshot();
      for (const channel of ['email', 'webhook']) this.set({ channel }, g.due.find((r) => r.channel === channel)?.n ?? 0);
    },
  });
  new Gauge({
    name: 'en_dorr_in_outbox_oldest_undelivered_seconds', help: 'Age of the oldest message due and not yet delivered, by channel (0 when none)',
    labelNames: ['channel'] as const, registers: [registry],
    collect() {
      const now = clock();
      const g = snapshot();
      for (const channel of ['email', 'webhook']) {
        const oldest = g.due.find((r) => r.channel === channel)?.oldest;
        this.set({ channel }, oldest ? Math.max(0, (now - oldest) / 1000) : 0);
      }
    },
  });
  new Gauge({
    name: 'en_dorr_in_outbox_scheduled', help: 'Messages waiting for a later time (the follow-up after closing), by channel',
    labelNames: ['channel'] as const, registers: [registry],
    collect() {
      const g = snapshot();
      for (const channel of ['email', 'webhook']) this.set({ channel }, g.scheduled.find((r) => r.channel === channel)?.n ?? 0);
    },
  });
  new Gauge({
    name: 'en_dorr_in_outbox_dead_letters', help: 'Dead letters (replayable through the API), by channel',
    labelNames: ['channel'] as const, registers: [registry],
    collect() {
      const g = snapshot();
      for (const channel of ['email', 'webhook']) this.set({ channel }, g.dead.find((r) => r.channel === channel)?.n ?? 0);
    },
  });
  new Gauge({
    name: 'en_dorr_in_webhook_subscriptions', help: 'Webhook subscriptions by state (active, disabled)',
    labelNames: ['state'] as const, registers: [registry],
    collect() {
      const all = n.directory.allSubscriptions();
      this.set({ state: 'active' }, all.filter((s) => s.disabledAt === null).length);
      this.set({ state: 'disabled' }, all.filter((s) => s.disabledAt !== null).length);
    },
  });
}

export const notificationsCapability = fp<{ notifications: Notifications; config: Config; clock: Clock }>(async (app, { notifications, config, clock }) => {
  app.decorate('notifications', notifications);
  app.addHook('onRequest', (_request, _reply, done) => {
    notifications.requestArrived();
    done();
  });
  registerMetrics(app, notifications, clock);
  await app.register(webhookRoutes, { subscriptions: notifications.subscriptions });
  await app.register(outboxRoutes, { repository: notifications.repository, clock, maxAgeMs: notifications.maxAgeMs });
  await app.register(addressRoutes, { addresses: notifications.addresses });

  // Said once at start, so an operator knows which parts are on.
  if (notifications.emailSender) app.log.info({ from: config.MAIL_FROM }, 'e-mail notifications on');
  else app.log.info('e-mail notifications off: SMTP_URL is not set');

  app.addHook('onReady', async () => {
    if (notifications.emailSender && config.NODE_ENV !== 'test') {
      notifications.emailSender.verify().catch((error: Error) => app.log.warn({ err: { message: error.message } }, 'SMTP server not reachable yet: e-mails wait in the outbox'));
    }
    if (config.DELIVERY_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') notifications.dispatcher.start(config.DELIVERY_INTERVAL_MS);
  });
  app.addHook('onClose', async () => {
    await notifications.dispatcher.stop();
    notifications.emailSender?.close();
    notifications.webhookSender.close();
  });
}, { name: 'notifications', dependencies: ['metrics', 'auth'] });
