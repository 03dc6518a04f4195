import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { caseWorld, HOUR, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';
import { startReceiver, startSmtpServer, until, type TestReceiver, type TestSmtpServer } from '../helpers/notifications.js';

/** The outbox itself: written with its cause or not at all, one sender at a time, nothing lost to a dead instance. */
describe('the outbox', () => {
  let w: CaseWorld;
  let receiver: TestReceiver;
  let smtp: TestSmtpServer;
  let subscriptionId: string;
  const dispatch = () => w.app.notifications.dispatcher.dispatch();
  const count = (sql: string, ...params: unknown[]) => (w.db.$client.prepare(sql).get(...params) as { n: number }).n;

  beforeAll(async () => {
    receiver = await startReceiver();
    smtp = await startSmtpServer();
    w = await caseWorld({ WEBHOOK_ALLOW_PRIVATE: true, SMTP_URL: smtp.url, MAIL_FROM: 'no-reply@exportcentrum.example' });
    const res = await w.post('/v1/admin/webhooks', w.tokens.admin, { url: receiver.url, events: ['case.assigned', 'case.referred', 'case.closed'] });
    expect(res.statusCode, res.body).toBe(201);
    subscriptionId = res.json().id;
  });
  afterAll(async () => {
    await w.close();
    await receiver.close();
    await smtp.close();
  });

  it("records the dispatcher's claims and outcomes without an fsync (a lost one only means sending again), never an inquiry", async () => {
    // Test-only TEMP triggers on this connection note the durability level each write ran under.
    const client = w.db.$client;
    client.exec(`CREATE TEMP TABLE write_levels (what TEXT, level INTEGER);
      CREATE TEMP TRIGGER outbox_level AFTER UPDATE ON outbox_messages BEGIN INSERT INTO write_levels SELECT 'outbox', synchronous FROM pragma_synchronous; END;
      CREATE TEMP TRIGGER inquiry_level AFTER INSERT ON inquiries BEGIN INSERT INTO write_levels SELECT 'inquiry', synchronous FROM pragma_synchronous; END;`);
    try {
      const res = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M', message: LOAN }) });
      expect(res.statusCode).toBe(201);
      await dispatch();
      const levels = client.prepare('SELECT what, level FROM write_levels').all() as { what: string; level: number }[];
      expect(levels.filter((l) => l.what === 'inquiry')).toEqual([{ what: 'inquiry', level: 2 }]); // FULL
      const outbox = levels.filter((l) => l.what === 'outbox');
      expect(outbox.length).toBeGreaterThanOrEqual(4); // two messages claimed, then both recorded as delivered
      expect(new Set(outbox.map((l) => l.level))).toEqual(new Set([1])); // NORMAL
      expect(client.pragma('synchronous', { simple: true })).toBe(2); // and FULL again afterwards
    } finally {
      client.exec('DROP TRIGGER temp.outbox_level; DROP TRIGGER temp.inquiry_level; DROP TABLE temp.write_levels;');
    }
  });

  it('is written in the same transaction as its cause: a burst of intakes (group commit) has exactly its messages, a refused action none', async () => {
    const before = count('SELECT COUNT(*) AS n FROM outbox_messages');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => w.app.inject({
      method: 'POST', url: '/v1/inquiries', headers: { 'idempotency-key': `burst-${i}-0001` },
      payload: inquiry({ county: 'SE-M', message: `${LOAN} (${i})` }),
    })));
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    // One receipt and one webhook per inquiry, nothing more.
    expect(count('SELECT COUNT(*) AS n FROM outbox_messages') - before).toBe(80);
    expect(count("SELECT COUNT(*) AS n FROM inquiries i WHERE NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.inquiry_id = i.id AND m.kind = 'company-receipt')")).toBe(0);
    // A replayed submission is not a new inquiry: no new messages.
    const replay = await w.app.inject({ method: 'POST', url: '/v1/inquiries', headers: { 'idempotency-key': 'burst-0-0001' }, payload: inquiry({ county: 'SE-M', message: `${LOAN} (0)` }) });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // A refused action writes nothing: a referral to an actor not in the county, a stale If-Match.
    const id = results[0]!.json().id as string;
    const total = count('SELECT COUNT(*) AS n FROM outbox_messages');
    expect((await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'chamber-vast', kind: 'misrouted', reason: 'x' })).statusCode).toBe(422);
    expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'spam' }, { 'if-match': '"99"' })).statusCode).toBe(412);
    expect(count('SELECT COUNT(*) AS n FROM outbox_messages')).toBe(total);
    await dispatch();
    expect(count("SELECT COUNT(*) AS n FROM outbox_messages WHERE status <> 'delivered'")).toBe(0);
  });

  it('queues the same messages for an inquiry a caseworker registers (POST /v1/cases) as for a form\'s, in its transaction, stamped at registration', async () => {
    const registration = (receivedAt: string) => ({
      channel: 'phone', receivedAt, county: 'Skåne', message: LOAN,
      company: { name: 'Ringbolaget AB', employees: 4 }, contact: { name: 'Per Persson', email: 'per@ringbolaget.example' },
    });
    const register = (body: unknown, key: string) => w.app.inject({
      method: 'POST', url: '/v1/cases', headers: { authorization: `Bearer ${w.tokens.almi}`, 'idempotency-key': key }, payload: body as object,
    });
    const total = count('SELECT COUNT(*) AS n FROM outbox_messages');
    // The company called three days ago; the caseworker registers it now.
    const threeDaysAgo = new Date(w.clock.now - 72 * HOUR).toISOString();
    const res = await register(registration(threeDaysAgo), 'phone-call-0001');
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const messages = w.db.$client.prepare('SELECT kind, created_at AS createdAt, expires_at AS expiresAt FROM outbox_messages WHERE inquiry_id = ? ORDER BY kind').all(id) as { kind: string; createdAt: number; expiresAt: number }[];
    expect(messages.map((m) => m.kind)).toEqual(['case.assigned', 'company-receipt']);
    // Stamped when registered, not at the call: a receipt for a call three days old is not already past its delivery window.
    for (const m of messages) {
      expect(m.createdAt).toBe(w.clock.now);
      expect(m.expiresAt).toBeGreaterThan(w.clock.now);
    }
    // A retry is the same registration: no new messages. A refused one (in the future) writes none.
    expect((await register(registration(threeDaysAgo), 'phone-call-0001')).headers['idempotent-replayed']).toBe('true');
    expect((await register(registration(new Date(w.clock.now + 24 * HOUR).toISOString()), 'phone-call-0002')).statusCode).toBe(400);
    expect(count('SELECT COUNT(*) AS n FROM outbox_messages') - total).toBe(2);
    receiver.received.length = 0;
    smtp.mails.length = 0;
    await dispatch();
    await until(() => smtp.mails.some((m) => m.envelopeTo.includes('per@ringbolaget.example')));
    expect(receiver.received.find((h) => h.payload.data.caseId === id)?.payload.type).toBe('case.assigned');
  });

  it('never lets two instances on one database file both send a message (leases)', async () => {
    const db2 = openDatabase(w.config.DATABASE_PATH);
    migrateDatabase(db2);
    const app2 = await buildApp({ config: w.config, db: db2, clock: w.clock.fn });
    await app2.ready();
    try {
      receiver.received.length = 0;
      smtp.mails.length = 0;
      receiver.delayMs = 5; // both instances have deliveries in flight at the same time
      const ids = [];
      for (let i = 0; i < 60; i++) ids.push(await w.submit({ message: `${LOAN} [${i}]` }));
      // Both dispatch at once, round after round, as their timers would; each round claims what fits in its free slots.
      const sent: [number, number] = [0, 0];
      for (let round = 0; round < 100; round++) {
        const [a, b] = await Promise.all([w.app.notifications.dispatcher.runOnce(), app2.notifications.dispatcher.runOnce()]);
        sent[0] += a;
        sent[1] += b;
        if (a + b === 0) break;
      }
      expect(sent[0]! + sent[1]!).toBe(120);
      expect(sent[0]).toBeGreaterThan(0);
      expect(sent[1]).toBeGreaterThan(0);
      const webhookIds = receiver.received.map((h) => h.id);
      expect(webhookIds).toHaveLength(60);
      expect(new Set(webhookIds).size).toBe(60);
      const mailIds = smtp.mails.map((m) => m.messageId);
      expect(mailIds).toHaveLength(60);
      expect(new Set(mailIds).size).toBe(60);
      const owners = w.db.$client.prepare("SELECT COUNT(*) AS n FROM outbox_messages WHERE status = 'delivered' AND inquiry_id IN (SELECT value FROM json_each(?))").get(JSON.stringify(ids)) as { n: number };
      expect(owners.n).toBe(120);
    } finally {
      receiver.delayMs = 0;
      await app2.close();
      db2.$client.close();
    }
  });

  it('takes over what a dead instance had claimed once its lease ran out; the dead instance cannot record an outcome any more', async () => {
    receiver.received.length = 0;
    const id = await w.submit();
    const now = w.clock.now;
    // An instance claims the messages and dies before sending them.
    const lease = now + w.config.DELIVERY_LEASE_SECONDS * 1000;
    const claimed = [...w.app.notifications.repository.claim('dead-instance', now, lease, 50, 'email'), ...w.app.notifications.repository.claim('dead-instance', now, lease, 50, 'webhook')];
    expect(claimed.filter((m) => m.inquiryId === id)).toHaveLength(2);
    expect(await dispatch()).toBe(0); // leased: nobody else sends them
    w.clock.now = now + w.config.DELIVERY_LEASE_SECONDS * 1000;
    expect(await dispatch()).toBe(2);
    expect(receiver.received.filter((h) => h.payload.data.caseId === id)).toHaveLength(1);
    // The dead instance's late answer changes nothing.
    expect(w.app.notifications.repository.delivered(claimed[0]!.id, 'dead-instance', w.clock.now, 250)).toBe(false);
  });

  it('lets a slow receiver hold only its own slots: e-mail and other subscriptions go on meanwhile', async () => {
    const fast = await startReceiver();
    const slow = await startReceiver();
    const created: string[] = [];
    try {
      for (const r of [fast, slow]) {
        const res = await w.post('/v1/admin/webhooks', w.tokens.admin, { url: r.url, events: ['case.assigned'] });
        created.push(res.json().id);
      }
      slow.delayMs = 1500;
      smtp.mails.length = 0;
      for (let i = 0; i < 12; i++) await w.submit({ message: `${LOAN} <${i}>` });
      const run = dispatch();
      await until(() => fast.received.length === 12 && smtp.mails.length === 12, 1400, 'the fast receiver and the mails');
      expect(slow.received.length).toBeLessThanOrEqual(4); // at most its own slots, still waiting for answers
      await run;
      expect(slow.received).toHaveLength(12);
    } finally {
      for (const id of created) await w.app.inject({ method: 'DELETE', url: `/v1/admin/webhooks/${id}`, headers: { authorization: `Bearer ${w.tokens.admin}` } });
      await fast.close();
      await slow.close();
    }
  });

  it('reports depth, the oldest undelivered age and deliveries by channel and result on /metrics', async () => {
    receiver.respond = () => 500;
    await w.submit();
    await dispatch();
    w.clock.advance(10 * 60_000);
    const metrics = (await w.get('/metrics', w.tokens.metrics)).body;
    expect(metrics).toMatch(/en_dorr_in_outbox_depth\{channel="webhook"\} 1\n/);
    expect(metrics).toMatch(/en_dorr_in_outbox_depth\{channel="email"\} 0\n/);
    expect(metrics).toMatch(/en_dorr_in_outbox_oldest_undelivered_seconds\{channel="webhook"\} 600\n/);
    expect(metrics).toMatch(/en_dorr_in_deliveries_total\{channel="webhook",result="failed"\} 1\n/);
    expect(metrics).toMatch(/en_dorr_in_deliveries_total\{channel="email",result="delivered"\} \d+\n/);
    receiver.respond = () => 204;
    w.clock.advance(HOUR);
    await dispatch();
    expect((await w.get('/metrics', w.tokens.metrics)).body).toMatch(/en_dorr_in_outbox_depth\{channel="webhook"\} 0\n/);
  });

  it('lists messages for admins without the company address, and refuses what cannot be replayed', async () => {
    const res = await w.get('/v1/admin/outbox?channel=email&limit=2', w.tokens.admin);
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({ channel: 'email', audience: 'company', recipient: null });
    expect(res.body).not.toContain('anna@testbolaget.se');
    const next = await w.get(`/v1/admin/outbox?channel=email&limit=2&cursor=${page.nextCursor}`, w.tokens.admin);
    expect(next.json().items[0].id < page.items[1].id).toBe(true);
    // A delivered receipt no longer has the company's address: it cannot be sent again.
    expect((await w.post(`/v1/admin/outbox/${page.items[0].id}/retry`, w.tokens.admin)).statusCode).toBe(409);
    expect((await w.get('/v1/admin/outbox', w.tokens.coordSkane)).statusCode).toBe(403);
    expect((await w.post('/v1/admin/outbox/01900000-0000-7000-8000-000000000000/retry', w.tokens.admin)).statusCode).toBe(404);
    expect(subscriptionId).toBeDefined();
  });
});
