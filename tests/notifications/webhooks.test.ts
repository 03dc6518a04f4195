import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createSweeper } from '../../src/deadlines/sweeper.js';
import { BACKOFF_CAP_MS } from '../../src/notifications/dispatcher.js';
import { createWebhookSender } from '../../src/notifications/webhooks/sender.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { caseWorld, HOUR, LOAN, type CaseWorld } from '../cases/helpers.js';
import { startReceiver, type TestReceiver } from '../helpers/notifications.js';

/**
 * Webhooks through a real HTTP receiver on loopback that verifies every delivery with the
 * `standardwebhooks` package. Private addresses are allowed here (the receiver is on 127.0.0.1);
 * the SSRF rules are tested in their own world below.
 */
const PERSONAL = ['Anna Andersson', 'anna@testbolaget.se', '070-123', 'Testbolaget', '556036', 'maskin'];
const MINUTE = 60_000;

describe('webhooks', () => {
  let w: CaseWorld;
  let receiver: TestReceiver;
  const subs: string[] = [];
  const dispatch = () => w.app.notifications.dispatcher.dispatch();
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token: string | null = w.tokens.admin) =>
    w.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const subscribe = async (body: Record<string, unknown>) => {
    const res = await call('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['case.assigned'], ...body });
    expect(res.statusCode, res.body).toBe(201);
    subs.push(res.json().id);
    return res.json() as { id: string; secret: string };
  };
  const of = (type: string, caseId?: string) => receiver.received.filter((h) => h.payload.type === type && (!caseId || h.payload.data.caseId === caseId));

  beforeAll(async () => {
    w = await caseWorld({ WEBHOOK_ALLOW_PRIVATE: true });
    receiver = await startReceiver();
  });
  afterEach(async () => {
    // Each test subscribes afresh; earlier subscriptions are deleted so they do not receive its events.
    for (const id of subs.splice(0)) await call('DELETE', `/v1/admin/webhooks/${id}`);
    receiver.received.length = 0;
    receiver.respond = () => 204;
    receiver.secrets = [];
    await dispatch();
  });
  afterAll(async () => {
    await w.close();
    await receiver.close();
  });

  it('creates a subscription showing the secret once; lists and gets it without the secret; admins only', async () => {
    const created = await subscribe({ events: ['case.assigned', 'case.closed'], description: 'Almi CRM' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({ url: receiver.url, events: ['case.assigned', 'case.closed'], enabled: true, actorId: null, counties: null, description: 'Almi CRM' });
    const list = await call('GET', '/v1/admin/webhooks');
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(created.id);
    expect(list.body).not.toContain(created.secret.slice(6));
    const one = await call('GET', `/v1/admin/webhooks/${created.id}`);
    expect(one.body).not.toContain(created.secret.slice(6));
    expect(one.json().history.map((e: { type: string }) => e.type)).toEqual(['created']);
    expect((await call('GET', '/v1/admin/webhooks', undefined, null)).statusCode).toBe(401);
    expect((await call('GET', '/v1/admin/webhooks', undefined, w.tokens.coordSkane)).statusCode).toBe(403);
    expect((await call('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['case.nope'] })).json().invalidParams[0].name).toBe('body.events.0');
    expect((await call('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['case.closed'], actorId: 'nobody' })).json().invalidParams).toEqual([{ name: 'body.actorId', reason: 'No actor "nobody" (see /v1/actors)' }]);
    expect((await call('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['case.closed'], counties: ['Atlantis'] })).json().invalidParams[0].name).toBe('body.counties.0');
    expect((await call('POST', '/v1/admin/webhooks', { url: receiver.url, events: [] })).statusCode).toBe(400);
    expect((await call('GET', '/v1/admin/webhooks/01900000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('delivers signed, thin events that the receiver verifies with the standardwebhooks package', async () => {
    const { id, secret } = await subscribe({ events: ['case.assigned'] });
    receiver.secrets = [secret];
    const caseId = await w.submit();
    expect(await dispatch()).toBeGreaterThanOrEqual(1);
    const [hook] = of('case.assigned', caseId);
    expect(hook).toBeDefined();
    expect(hook!.verifiedWith).toEqual([secret]);
    expect(hook!.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const reference = (w.db.$client.prepare('SELECT reference FROM inquiries WHERE id = ?').get(caseId) as { reference: string }).reference;
    expect(hook!.payload).toEqual({
      type: 'case.assigned', occurredAt: '2026-11-25T08:00:00.000Z',
      data: { caseId, reference, actorId: 'almi', countyCode: 'SE-M', deadlineAt: '2026-11-26T08:00:00.000Z', status: 'assigned' },
    });
    for (const secretText of PERSONAL) expect(hook!.body).not.toContain(secretText);
    // webhook-id is the outbox message id, listed in the subscription's deliveries.
    const deliveries = (await call('GET', `/v1/admin/webhooks/${id}/deliveries`)).json();
    expect(deliveries.items[0]).toMatchObject({ id: hook!.id, event: 'case.assigned', caseId, status: 'delivered', attempts: 1, lastStatus: 204 });
    // A tampered body does not verify.
    expect(() => new Webhook(secret).verify(hook!.body.replace('almi', 'ekn'), hook!.headers as Record<string, string>)).toThrow();
  });

  it('sends every event type: assigned, referred, first contact, at risk, breached, closed, erased', async () => {
    const { secret } = await subscribe({ events: ['case.assigned', 'case.referred', 'case.first_contact', 'case.deadline_at_risk', 'case.deadline_breached', 'case.closed', 'case.erased'] });
    receiver.secrets = [secret];
    w.clock.set('2026-11-30T07:00:00Z');
    const caseId = await w.submit();
    const sweeper = createSweeper({ db: w.db, notify: w.app.notifications.notifier });
    sweeper.sweep(Date.parse('2026-12-01T04:30:00Z'));
    sweeper.sweep(Date.parse('2026-12-01T07:30:00Z'));
    w.clock.set('2026-12-01T08:00:00Z');
    expect((await w.post(`/v1/cases/${caseId}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'export' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${caseId}/first-contact`, w.tokens.bs, { channel: 'phone' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${caseId}/close`, w.tokens.bs, { outcome: 'helped' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${caseId}/erase`, w.tokens.admin)).statusCode).toBe(200);
    const triage = await w.submit({ message: 'Hej' });
    expect((await w.post(`/v1/cases/${triage}/assign`, w.tokens.coordSkane, { actor: 'almi' })).statusCode).toBe(200);
    await dispatch();
    const forCase = receiver.received.filter((h) => h.payload.data.caseId === caseId).map((h) => [h.payload.type, h.payload.data.actorId, h.payload.data.status]);
    expect(forCase).toEqual([
      ['case.assigned', 'almi', 'assigned'],
      ['case.deadline_at_risk', 'almi', 'assigned'],
      ['case.deadline_breached', 'almi', 'assigned'],
      ['case.referred', 'business-sweden', 'assigned'],
      ['case.first_contact', 'business-sweden', 'contacted'],
      ['case.closed', 'business-sweden', 'closed'],
      ['case.erased', 'business-sweden', 'closed'],
    ]);
    expect(of('case.referred', caseId)[0]!.payload.data.previousActorId).toBe('almi');
    expect(receiver.received.filter((h) => h.payload.data.caseId === triage).map((h) => [h.payload.type, h.payload.data.actorId, h.payload.data.status]))
      .toEqual([['case.assigned', null, 'triage'], ['case.assigned', 'almi', 'assigned']]);
    expect(receiver.received.every((h) => h.verifiedWith.length === 1)).toBe(true);
  });

  it('scopes events to what the subscription may see: its actor (also when a case leaves it) and its counties', async () => {
    const almi = await subscribe({ events: ['case.assigned', 'case.referred'], actorId: 'almi' });
    const bs = await subscribe({ events: ['case.assigned', 'case.referred'], actorId: 'business-sweden' });
    const halland = await subscribe({ events: ['case.assigned', 'case.referred'], counties: ['Halland'] });
    const skane = w.clock.now;
    const inSkane = await w.submit();
    const inHalland = await w.submit({ county: 'SE-N' });
    w.clock.now = skane + MINUTE;
    expect((await w.post(`/v1/cases/${inSkane}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'r' })).statusCode).toBe(200);
    await dispatch();
    const seen = (sub: { id: string }) => {
      const ids = w.db.$client.prepare("SELECT inquiry_id AS caseId, kind FROM outbox_messages WHERE subscription_id = ? AND status = 'delivered' ORDER BY id").all(sub.id);
      return ids as { caseId: string; kind: string }[];
    };
    expect(seen(almi)).toEqual([{ caseId: inSkane, kind: 'case.assigned' }, { caseId: inHalland, kind: 'case.assigned' }, { caseId: inSkane, kind: 'case.referred' }]);
    expect(seen(bs)).toEqual([{ caseId: inSkane, kind: 'case.referred' }]);
    expect(seen(halland)).toEqual([{ caseId: inHalland, kind: 'case.assigned' }]);
  });

  it('retries a failing receiver with exponential backoff (same webhook-id), then delivers', async () => {
    const { id } = await subscribe({ events: ['case.assigned'] });
    receiver.respond = () => 503;
    const start = w.clock.now;
    const caseId = await w.submit();
    await dispatch();
    const delivery = () => (w.app.notifications.repository.list({ subscriptionId: id, limit: 1 }))[0]!;
    // With jitter drawn in [0.5, 1] of 30 s · 2^(n-1): the first retry between 15 and 30 s later.
    const first = delivery();
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'HTTP 503' });
    expect(first.nextAttemptAt - start).toBeGreaterThanOrEqual(15_000);
    expect(first.nextAttemptAt - start).toBeLessThanOrEqual(30_000);
    w.clock.now = first.nextAttemptAt - 1;
    await dispatch();
    expect(of('case.assigned', caseId)).toHaveLength(1); // not yet
    w.clock.now = first.nextAttemptAt;
    await dispatch();
    const second = delivery();
    expect(second.attempts).toBe(2);
    expect(second.nextAttemptAt - first.nextAttemptAt).toBeGreaterThanOrEqual(30_000);
    expect(second.nextAttemptAt - first.nextAttemptAt).toBeLessThanOrEqual(60_000);
    receiver.respond = () => 200;
    w.clock.now = second.nextAttemptAt;
    await dispatch();
    expect(delivery()).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    const hooks = of('case.assigned', caseId);
    expect(hooks).toHaveLength(3);
    expect(new Set(hooks.map((h) => h.id)).size).toBe(1);
    const view = (await call('GET', `/v1/admin/webhooks/${id}`)).json();
    expect(view.failingSince).toBeNull();
  });

  it(`dead-letters after DELIVERY_MAX_AGE_HOURS of failures (the delay capped at ${BACKOFF_CAP_MS / 60_000} min), lists it and replays it`, async () => {
    const { id } = await subscribe({ events: ['case.assigned'] });
    receiver.respond = () => 500;
    const start = w.clock.now;
    const caseId = await w.submit();
    const row = () => w.app.notifications.repository.list({ subscriptionId: id, limit: 1 })[0]!;
    let gaps = 0;
    for (let i = 0; i < 100 && row().status === 'pending'; i++) {
      const before = row().nextAttemptAt;
      w.clock.now = Math.max(w.clock.now, before);
      await dispatch();
      if (row().status === 'pending') gaps = Math.max(gaps, row().nextAttemptAt - before);
    }
    expect(row().status).toBe('dead');
    expect(gaps).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(w.clock.now - start).toBeGreaterThan(23 * HOUR);
    expect(w.clock.now - start).toBeLessThanOrEqual(24 * HOUR);
    const attempts = row().attempts;
    expect(attempts).toBeGreaterThan(20);
    expect(of('case.assigned', caseId)).toHaveLength(attempts);

    const dead = (await call('GET', `/v1/admin/webhooks/${id}/deliveries?status=dead`)).json();
    expect(dead.items).toHaveLength(1);
    expect(dead.items[0]).toMatchObject({ status: 'dead', attempts, lastStatus: 500, nextAttemptAt: null });
    // Still subscribed: failing for a day is not yet WEBHOOK_DISABLE_AFTER_HOURS (72).
    expect((await call('GET', `/v1/admin/webhooks/${id}`)).json()).toMatchObject({ enabled: true, failingSince: new Date(start).toISOString() });

    receiver.respond = () => 204;
    const retried = await call('POST', `/v1/admin/webhooks/${id}/deliveries/${dead.items[0].id}/retry`);
    expect(retried.statusCode, retried.body).toBe(202);
    expect(retried.json()).toMatchObject({ status: 'pending' });
    await dispatch();
    expect(row()).toMatchObject({ status: 'delivered', attempts: attempts + 1 });
    expect(of('case.assigned', caseId).at(-1)!.id).toBe(dead.items[0].id);
    expect((await call('POST', `/v1/admin/webhooks/${id}/deliveries/01900000-0000-7000-8000-000000000000/retry`)).statusCode).toBe(404);
  });

  it('disables a subscription that answers 410 Gone: its queue becomes dead letters, admins are told, replay waits for enabling', async () => {
    const { id } = await subscribe({ events: ['case.assigned'] });
    receiver.respond = () => 503;
    const waiting = await w.submit();
    await dispatch(); // failed once; waits for its retry
    receiver.respond = () => 410;
    const gone = await w.submit();
    await dispatch();
    const view = (await call('GET', `/v1/admin/webhooks/${id}`)).json();
    expect(view).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(view.history.map((e: { type: string }) => e.type)).toEqual(['created', 'disabled']);
    expect(view.history[1].data).toMatchObject({ reason: 'gone', deadLettered: 2 });
    const deliveries = (await call('GET', `/v1/admin/webhooks/${id}/deliveries`)).json().items;
    expect(deliveries.map((d: { caseId: string; status: string }) => [d.caseId, d.status])).toEqual([[gone, 'dead'], [waiting, 'dead']]);
    expect(deliveries[1].lastError).toBe('subscription disabled: the receiver answered 410 Gone');
    const metrics = (await w.get('/metrics', w.tokens.metrics)).body;
    expect(metrics).toMatch(/en_dorr_in_webhook_subscriptions\{state="disabled"\} 1/);
    expect(metrics).toMatch(/en_dorr_in_webhook_subscriptions_disabled_total\{reason="gone"\} 1/);
    expect(metrics).toMatch(/en_dorr_in_outbox_dead_letters\{channel="webhook"\} 2/);
    // No new events while disabled; replay only once enabled again.
    await w.submit();
    expect((await call('GET', `/v1/admin/webhooks/${id}/deliveries`)).json().items).toHaveLength(2);
    expect((await call('POST', `/v1/admin/webhooks/${id}/deliveries/${deliveries[1].id}/retry`)).statusCode).toBe(409);
    expect((await call('PATCH', `/v1/admin/webhooks/${id}`, { enabled: true })).json()).toMatchObject({ enabled: true, disabledReason: null });
    receiver.respond = () => 204;
    expect((await call('POST', `/v1/admin/webhooks/${id}/deliveries/${deliveries[1].id}/retry`)).statusCode).toBe(202);
    await dispatch();
    expect(of('case.assigned', waiting).map((h) => h.id)).toEqual([deliveries[1].id, deliveries[1].id]);
    expect(w.app.notifications.repository.get(deliveries[1].id)).toMatchObject({ status: 'delivered' });
  });

  it('disables a subscription failing for WEBHOOK_DISABLE_AFTER_HOURS and tells admins', async () => {
    const { id } = await subscribe({ events: ['case.assigned'] });
    receiver.respond = () => 500;
    const start = w.clock.now;
    for (let day = 0; day <= 3; day++) {
      w.clock.now = start + day * 24 * HOUR + MINUTE;
      await w.submit();
      await dispatch();
    }
    const view = (await call('GET', `/v1/admin/webhooks/${id}`)).json();
    expect(view).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: new Date(start + MINUTE).toISOString() });
    expect(view.history.at(-1)).toMatchObject({ type: 'disabled', by: 'system', data: { reason: 'failing', lastError: 'HTTP 500' } });
    expect((await w.get('/metrics', w.tokens.metrics)).body).toMatch(/en_dorr_in_webhook_subscriptions_disabled_total\{reason="failing"\} 1/);
  });

  it('rotates the secret: during the grace period both secrets verify, afterwards only the new one', async () => {
    const { id, secret: old } = await subscribe({ events: ['case.assigned'] });
    const rotated = await call('POST', `/v1/admin/webhooks/${id}/rotate-secret`, { gracePeriodHours: 24 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret: fresh, previousSecretExpiresAt } = rotated.json();
    expect(fresh).not.toBe(old);
    expect(previousSecretExpiresAt).toBe(new Date(w.clock.now + 24 * HOUR).toISOString());
    receiver.secrets = [old, fresh];
    await w.submit();
    await dispatch();
    const during = of('case.assigned').at(-1)!;
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(during.verifiedWith).toEqual([old, fresh]);

    w.clock.advance(24 * HOUR + 1);
    await w.submit();
    await dispatch();
    const after = of('case.assigned').at(-1)!;
    expect(after.verifiedWith).toEqual([fresh]);
    expect((await call('GET', `/v1/admin/webhooks/${id}`)).json().history.map((e: { type: string }) => e.type)).toEqual(['created', 'secret-rotated']);
    // Without a body the default grace (WEBHOOK_SECRET_GRACE_HOURS, 24) applies.
    expect((await call('POST', `/v1/admin/webhooks/${id}/rotate-secret`)).json().previousSecretExpiresAt).toBe(new Date(w.clock.now + 24 * HOUR).toISOString());
  });

  it('follows no redirect: a 3xx is a failed attempt and the other server gets nothing', async () => {
    const elsewhere = await startReceiver();
    try {
      await subscribe({ events: ['case.assigned'] });
      receiver.respond = () => ({ status: 307, headers: { location: elsewhere.url } });
      await w.submit();
      await dispatch();
      expect(of('case.assigned')).toHaveLength(1);
      expect(elsewhere.received).toHaveLength(0);
      expect(w.app.notifications.repository.list({ subscriptionId: subs[0], limit: 1 })[0]).toMatchObject({ status: 'pending', lastStatus: 307, lastError: '307: redirects are not followed' });
    } finally {
      await elsewhere.close();
    }
  });

  it('deletes a subscription: no more events, queued deliveries cancelled', async () => {
    const { id } = await subscribe({ events: ['case.assigned'] });
    receiver.respond = () => 500;
    await w.submit();
    await dispatch();
    expect((await call('DELETE', `/v1/admin/webhooks/${id}`)).statusCode).toBe(204);
    subs.splice(subs.indexOf(id), 1);
    expect((await call('GET', `/v1/admin/webhooks/${id}`)).statusCode).toBe(404);
    expect(w.db.$client.prepare('SELECT status FROM outbox_messages WHERE subscription_id = ?').all(id)).toEqual([{ status: 'cancelled' }]);
    await w.submit();
    expect(w.db.$client.prepare('SELECT COUNT(*) AS n FROM outbox_messages WHERE subscription_id = ?').get(id)).toEqual({ n: 1 });
  });
});

describe('webhook timeout', () => {
  it('gives up on a receiver that does not answer in time (10 s in the service, 0.2 s here)', async () => {
    const receiver = await startReceiver();
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 200 });
    try {
      receiver.delayMs = 1000;
      const outcome = await sender.send({ id: 'msg_1', url: receiver.url, body: '{}', secrets: [`whsec_${Buffer.alloc(32, 1).toString('base64')}`] });
      expect(outcome).toEqual({ ok: false, status: null, error: 'timeout: no answer within 0.2 s' });
    } finally {
      sender.close();
      await receiver.close();
    }
  });
});

describe('SSRF: webhook URLs must be https and public', () => {
  let t: TestApp;
  let admin: string;
  // DNS answers for names that do not exist: what an attacker's DNS could say.
  const dns: Record<string, string[]> = {
    'hooks.example.se': ['93.184.216.34'],
    'localhost': ['127.0.0.1'],
    'intranet.example.se': ['10.1.2.3'],
    'mixed.example.se': ['93.184.216.34', '192.168.1.10'],
    'metadata.example.se': ['169.254.169.254'],
    'v6.example.se': ['fd00:ec2::254'],
  };
  beforeAll(async () => {
    t = await buildTestApp({}, { notifications: { lookup: async (name) => (dns[name] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) } });
    admin = t.app.apiKeys.create({ role: 'admin', label: 'a' }, 'test').token;
  });
  afterAll(async () => t.close());
  const create = (url: string) => t.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: { authorization: `Bearer ${admin}` }, payload: { url, events: ['case.assigned'] } });

  it.each([
    ['http://hooks.example.se/in', 'Webhook URLs must use https'],
    ['http://127.0.0.1:9/hooks', 'Webhook URLs must use https'],
    ['https://localhost/in', 'localhost resolves to 127.0.0.1, a loopback address'],
    ['https://127.0.0.1/in', '127.0.0.1 is a loopback address'],
    ['https://[::1]/in', '::1 is a loopback address'],
    ['https://[::ffff:7f00:1]/in', 'is a loopback address'],
    ['https://0x7f000001/in', 'is a loopback address'],
    ['https://10.0.0.8/in', 'is a private address'],
    ['https://intranet.example.se/in', 'intranet.example.se resolves to 10.1.2.3, a private address'],
    ['https://mixed.example.se/in', 'mixed.example.se resolves to 192.168.1.10, a private address'],
    ['https://169.254.169.254/latest/meta-data', 'is a link-local address (such as the cloud metadata service)'],
    ['https://metadata.example.se/in', 'resolves to 169.254.169.254, a link-local address'],
    ['https://v6.example.se/in', 'resolves to fd00:ec2::254, a unique-local (private) address'],
    ['https://nowhere.example.se/in', 'nowhere.example.se does not resolve'],
    ['https://user:pw@hooks.example.se/in', 'No credentials in the URL'],
  ])('refuses %s', async (url, reason) => {
    const res = await create(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().invalidParams[0].name).toBe('body.url');
    expect(res.json().invalidParams[0].reason).toContain(reason);
  });

  it('checks again at delivery time against the address the name resolves to then (DNS can change)', async () => {
    const res = await create('https://hooks.example.se/in');
    expect(res.statusCode, res.body).toBe(201);
    // The name now points inside: the delivery is refused before any connection is made.
    dns['hooks.example.se'] = ['127.0.0.1'];
    const created = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: { company: { name: 'X AB' }, contact: { name: 'A', email: 'a@x.se' }, message: LOAN, county: 'SE-M', consent: true } });
    expect(created.statusCode).toBe(201);
    await t.app.notifications.dispatcher.dispatch();
    const [delivery] = t.app.notifications.repository.list({ subscriptionId: res.json().id, limit: 1 });
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null });
    expect(delivery!.lastError).toBe('refused: hooks.example.se resolves to 127.0.0.1, a loopback address');
  });
});

