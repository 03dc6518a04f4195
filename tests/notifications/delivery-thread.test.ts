import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import { startSmtpServer, until, type TestSmtpServer } from '../helpers/notifications.js';

/**
 * Delivery in a thread of its own (src/notifications/delivery-thread.ts), as the service runs outside tests: the
 * real app on a temporary database file with the dispatcher started (NODE_ENV development), a real SMTP server.
 * The thread starts only when there is something to send, sends what intake queued on its own connection, reports
 * its results to this thread's /metrics, and stops with the app. With DELIVERY_THREAD off the request thread sends.
 */
describe('the delivery thread', () => {
  let t: TestApp | undefined;
  let smtp: TestSmtpServer | undefined;
  afterEach(async () => {
    await t?.close();
    await smtp?.close();
    t = undefined;
    smtp = undefined;
  });

  async function start(thread: boolean) {
    smtp = await startSmtpServer();
    t = await buildTestApp({
      NODE_ENV: 'development', DELIVERY_INTERVAL_MS: 200, DELIVERY_THREAD: thread,
      SMTP_URL: smtp.url, MAIL_FROM: 'Exportcentrum <no-reply@exportcentrum.example>',
    });
    // The thread reads the system clock: the app's clock must agree for messages to be due.
    t.clock.now = Date.now();
    const metricsKey = t.app.apiKeys.create({ role: 'metrics', label: 'scraper' }, 'cli').token;
    const metrics = async () => (await t!.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsKey}` } })).body;
    return { t, smtp, metrics };
  }

  it('starts at the first message, sends the receipt from its own connection, counts it here and stops with the app', async () => {
    const { t, smtp, metrics } = await start(true);
    const thread = t.app.notifications.thread!;
    expect(thread).not.toBeNull();
    expect(thread.started).toBe(false); // nothing to send yet: no thread

    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M', contact: { name: 'Anna Andersson', email: 'anna@testbolaget.se' } }) });
    expect(res.statusCode).toBe(201);
    const { reference } = res.json() as { reference: string };
    expect(thread.started).toBe(true);

    await until(() => smtp.mails.some((m) => m.envelopeTo.includes('anna@testbolaget.se')), 20_000, 'the receipt');
    const receipt = smtp.mails.find((m) => m.envelopeTo.includes('anna@testbolaget.se'))!;
    expect(receipt.text).toContain(reference);

    // The outcome was recorded by the thread (the outbox row) and counted by this thread (/metrics).
    await until(() => (t.db.$client.prepare("SELECT count(*) AS n FROM outbox_messages WHERE status = 'delivered'").get() as { n: number }).n >= 1, 10_000, 'the recorded delivery');
    const counted = async () => Number(/en_dorr_in_deliveries_total\{channel="email",result="delivered"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
    const deadline = Date.now() + 10_000;
    while ((await counted()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await counted()).toBeGreaterThanOrEqual(1);

    await t.app.close();
    expect(thread.started).toBe(false);
    // Each message was sent once.
    const ids = smtp.mails.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends from the request thread when DELIVERY_THREAD is off', async () => {
    const { t, smtp } = await start(false);
    expect(t.app.notifications.thread).toBeNull();
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M', contact: { name: 'Anna Andersson', email: 'anna@testbolaget.se' } }) });
    expect(res.statusCode).toBe(201);
    await until(() => smtp.mails.some((m) => m.envelopeTo.includes('anna@testbolaget.se')), 20_000, 'the receipt');
  });

  it('starts at once when the outbox already holds messages (left from before a restart)', async () => {
    const first = await start(false);
    // Queued while nothing sends: the request thread's dispatcher is stopped first.
    await first.t.app.notifications.stopSending();
    const res = await first.t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) });
    expect(res.statusCode).toBe(201);
    expect((first.t.db.$client.prepare("SELECT count(*) AS n FROM outbox_messages WHERE status = 'pending'").get() as { n: number }).n).toBeGreaterThan(0);

    // A second instance on the same file, with the thread: it starts with the app and sends what is waiting.
    const { buildApp } = await import('../../src/app.js');
    const second = await buildApp({ config: { ...first.t.config, DELIVERY_THREAD: true }, db: first.t.db });
    try {
      await second.ready();
      expect(second.notifications.thread!.started).toBe(true);
      await until(() => first.smtp.mails.some((m) => m.envelopeTo.includes('anna@testbolaget.se')), 20_000, 'the receipt');
    } finally {
      await second.close();
    }
  });
});
