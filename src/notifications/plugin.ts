import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.js';
import type { Clock } from '../shared/clock.js';
import { createAddressService } from './addresses.js';
import { closeSenders, createDelivery, type NotificationsDeps } from './delivery.js';
import { createDeliveryThread } from './delivery-thread.js';
import { createNotifier } from './outbox.js';
import { addressRoutes, outboxRoutes, webhookRoutes } from './routes.js';

export type { NotificationsDeps, NotificationsOverrides } from './delivery.js';

/**
 * Push, not poll: e-mail and signed webhooks through a transactional outbox (see outbox.ts for what is
 * sent when, dispatcher.ts for how). E-mail is off unless SMTP_URL is set; webhooks send nothing until
 * an admin subscribes a receiver. Write paths get `notifier` and call it inside their transactions;
 * the dispatcher runs on a timer and right after those commits, in its own thread (delivery-thread.ts)
 * unless DELIVERY_THREAD is off or the database is in memory; not in tests, which call dispatch().
 */
export function createNotifications({ db, config, clock, reference, log, overrides = {} }: NotificationsDeps) {
  const counters = {
    deliveries: new Counter({ name: 'en_dorr_in_deliveries_total', help: 'Delivery attempts by this instance, by channel and result (delivered, failed: will retry, dead, cancelled)', labelNames: ['channel', 'result'] as const, registers: [] }),
    disabled: new Counter({ name: 'en_dorr_in_webhook_subscriptions_disabled_total', help: 'Webhook subscriptions this instance disabled, by reason (gone: 410; failing: WEBHOOK_DISABLE_AFTER_HOURS)', labelNames: ['reason'] as const, registers: [] }),
  };
  const count = {
    onResult: (channel: string, result: string) => counters.deliveries.inc({ channel, result }),
    onDisabled: (reason: string) => counters.disabled.inc({ reason }),
  };

  // When the last request arrived: while requests keep coming the dispatcher sends at a trickle (see dispatcher.ts).
  let lastRequestAt = 0;
  const delivery = createDelivery({
    db, config, clock, reference, log, overrides,
    busy: () => Date.now() - lastRequestAt < 100,
    onResult: count.onResult,
    onDisabled: (_subscriptionId, reason) => count.onDisabled(reason),
  });
  const { repository, directory, subscriptions, dispatcher } = delivery;

  // The test hooks act on this thread's dispatcher only, and a database in memory cannot be opened twice.
  const threaded = config.DELIVERY_THREAD && config.DATABASE_PATH !== ':memory:' && Object.keys(overrides).length === 0;
  const thread = threaded ? createDeliveryThread({
    config, log, ...count,
    hasMessages: () => {
      const g = repository.gauges(clock());
      return g.due.length + g.scheduled.length > 0;
    },
  }) : null;
  /** Who sends: the delivery thread, or this thread's dispatcher on its timer. */
  const sender = thread ?? dispatcher;

  const notifier = createNotifier({
    db, repository, directory, maxAgeMs: delivery.maxAgeMs,
    email: delivery.emailSender !== undefined,
    followUpDelayDays: config.FOLLOW_UP_DELAY_DAYS,
    queued: () => sender.nudge(),
  });

  return {
    notifier, repository, directory, subscriptions, dispatcher, counters, thread,
    startSending: (intervalMs: number) => sender.start(intervalMs),
    stopSending: () => sender.stop(),
    /** Called on every request (an onRequest hook): the service is busy answering. */
    requestArrived: () => {
      lastRequestAt = Date.now();
      thread?.requestArrived();
    },
    addresses: createAddressService({ directory, reference, clock }),
    emailSender: delivery.emailSender, webhookSender: delivery.webhookSender, maxAgeMs: delivery.maxAgeMs,
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
    if (config.DELIVERY_INTERVAL_MS > 0 && config.NODE_ENV !== 'test') {
      notifications.startSending(config.DELIVERY_INTERVAL_MS);
      app.log.info(notifications.thread ? 'notifications: sent from a delivery thread of their own' : 'notifications: sent from the request thread (DELIVERY_THREAD off or the database in memory)');
    }
  });
  app.addHook('onClose', async () => {
    await notifications.stopSending();
    closeSenders(notifications);
  });
}, { name: 'notifications', dependencies: ['metrics', 'auth'] });
