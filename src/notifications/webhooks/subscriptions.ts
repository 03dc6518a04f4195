import { randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../db/client.js';
import { webhookSubscriptionEvents, webhookSubscriptions } from '../../db/schema/index.js';
import type { ReferenceService } from '../../reference/service.js';
import { badRequest, conflict, notFound, type InvalidParam } from '../../shared/problems.js';
import type { Directory, SubscriptionRow } from '../directory.js';
import type { ChannelDelivery, Outcome } from '../dispatcher.js';
import type { MessageRow, OutboxRepository } from '../outbox-repository.js';
import type { WebhookEvent } from '../outbox.js';
import type { WebhookSender } from './sender.js';
import { checkUrlForm, checkUrlTarget, WebhookUrlError, type Lookup } from './ssrf.js';

/**
 * Webhook subscriptions as admins manage them, and their health as deliveries report it.
 * - The secret (`whsec_` + base64 of 32 random bytes) is shown once, at creation or rotation. After a
 *   rotation the previous secret keeps signing beside the new one for a grace period, so a receiver can
 *   switch over without losing a delivery.
 * - A 410 Gone from the receiver, or deliveries failing for WEBHOOK_DISABLE_AFTER_HOURS, disables the
 *   subscription: its queued deliveries become dead letters, the subscription's history records why,
 *   and the metrics and the log tell the admins. An admin enables it again (PATCH) and replays.
 * - Deleting keeps the row (secrets wiped) so its deliveries stay explainable; queued ones are cancelled.
 */
export type DisableReason = 'gone' | 'failing' | 'admin';

export interface NewSubscription { url: string; events: WebhookEvent[]; actorId?: string | undefined; counties?: string[] | undefined; description?: string | undefined }
export interface SubscriptionPatch { url?: string | undefined; events?: WebhookEvent[] | undefined; description?: string | null | undefined; enabled?: boolean | undefined }

export interface SubscriptionsDeps {
  db: Db;
  directory: Directory;
  repository: OutboxRepository;
  reference: Pick<ReferenceService, 'actor' | 'places'>;
  clock: () => number;
  allowPrivate: boolean;
  lookup: Lookup;
  disableAfterMs: number;
  graceMs: number;
  maxAgeMs: number;
  onDisabled?: (subscriptionId: string, reason: DisableReason) => void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function createSubscriptions(deps: SubscriptionsDeps) {
  const { db, directory, repository, reference, clock } = deps;
  const client = db.$client;
  const s = {
    recovered: client.prepare('UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL'),
    failing: client.prepare('UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, @at) WHERE id = @id RETURNING failing_since AS failingSince, disabled_at AS disabledAt'),
  };

  function event(id: string, type: string, at: number, by: string, data: Record<string, unknown> = {}) {
    db.insert(webhookSubscriptionEvents).values({ subscriptionId: id, type, at, by, data }).run();
  }

  function view(row: SubscriptionRow) {
    const history = db.select().from(webhookSubscriptionEvents).where(eq(webhookSubscriptionEvents.subscriptionId, row.id))
      .orderBy(asc(webhookSubscriptionEvents.id)).all()
      .map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), by: e.by, data: e.data }));
    return {
      id: row.id, url: row.url, events: row.events as WebhookEvent[], actorId: row.actorId, counties: row.counties, description: row.description,
      enabled: row.disabledAt === null, disabledAt: iso(row.disabledAt), disabledReason: row.disabledReason as DisableReason | null,
      failingSince: iso(row.failingSince), createdAt: iso(row.createdAt)!, createdBy: row.createdBy, updatedAt: iso(row.updatedAt)!,
      previousSecretExpiresAt: row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > clock() ? iso(row.previousSecretExpiresAt) : null,
      history,
    };
  }

  function require(id: string): SubscriptionRow {
    const row = directory.subscription(id);
    if (!row || row.deletedAt !== null) throw notFound(`No webhook subscription "${id}".`);
    return row;
  }

  async function checkUrl(url: string): Promise<string> {
    try {
      const parsed = checkUrlForm(url, deps.allowPrivate);
      await checkUrlTarget(parsed, deps.allowPrivate, deps.lookup);
      return parsed.toString();
    } catch (error) {
      if (error instanceof WebhookUrlError) throw badRequest(`body.url: ${error.message}`, [{ name: 'body.url', reason: error.message }]);
      throw error;
    }
  }

  function disable(id: string, reason: DisableReason, at: number, by: string, detail?: string): void {
    const changed = db.update(webhookSubscriptions).set({ disabledAt: at, disabledReason: reason, updatedAt: at })
      .where(and(eq(webhookSubscriptions.id, id), isNull(webhookSubscriptions.disabledAt))).run().changes;
    if (!changed) return;
    const why = reason === 'gone' ? 'subscription disabled: the receiver answered 410 Gone'
      : reason === 'failing' ? 'subscription disabled: deliveries failed for too long' : 'subscription disabled by an admin';
    const dead = repository.killSubscriptionQueue(id, why, at);
    event(id, 'disabled', at, by, { reason, deadLettered: dead, ...(detail ? { lastError: detail } : {}) });
    directory.bumpVersion();
    deps.onDisabled?.(id, reason);
  }

  return {
    async create(input: NewSubscription, by: string) {
      const invalid: InvalidParam[] = [];
      if (input.actorId !== undefined && !reference.actor(input.actorId)) invalid.push({ name: 'body.actorId', reason: `No actor "${input.actorId}" (see /v1/actors)` });
      const counties: string[] = [];
      (input.counties ?? []).forEach((c, i) => {
        const county = reference.places.resolveCountyInput(c);
        if (!county) invalid.push({ name: `body.counties.${i}`, reason: `Unknown county "${c}": use SE-M, 12 or Skåne` });
        else if (!counties.includes(county.code)) counties.push(county.code);
      });
      if (invalid.length) throw badRequest(invalid.map((i) => `${i.name}: ${i.reason}`).join('; '), invalid);
      const url = await checkUrl(input.url);
      const at = clock();
      const id = uuidv7();
      const secret = newSecret();
      db.transaction(() => {
        db.insert(webhookSubscriptions).values({
          id, url, events: [...new Set(input.events)], actorId: input.actorId ?? null, counties: counties.length ? counties.sort() : null,
          description: input.description ?? null, secret, createdAt: at, createdBy: by, updatedAt: at,
        }).run();
        event(id, 'created', at, by);
        directory.bumpVersion();
      }, { behavior: 'immediate' });
      return { ...view(require(id)), secret };
    },

    list: () => directory.allSubscriptions().map(view),
    get: (id: string) => view(require(id)),

    async update(id: string, patch: SubscriptionPatch, by: string) {
      require(id);
      const url = patch.url !== undefined ? await checkUrl(patch.url) : undefined;
      const at = clock();
      db.transaction(() => {
        const row = require(id);
        const set: Partial<typeof webhookSubscriptions.$inferInsert> = { updatedAt: at };
        if (url !== undefined) set.url = url;
        if (patch.events !== undefined) set.events = [...new Set(patch.events)];
        if (patch.description !== undefined) set.description = patch.description;
        db.update(webhookSubscriptions).set(set).where(eq(webhookSubscriptions.id, id)).run();
        const changed = Object.keys(set).filter((k) => k !== 'updatedAt');
        if (changed.length) event(id, 'updated', at, by, { fields: changed });
        if (patch.enabled === true && row.disabledAt !== null) {
          db.update(webhookSubscriptions).set({ disabledAt: null, disabledReason: null, failingSince: null }).where(eq(webhookSubscriptions.id, id)).run();
          event(id, 'enabled', at, by);
        } else if (patch.enabled === false && row.disabledAt === null) {
          disable(id, 'admin', at, by);
        }
        directory.bumpVersion();
      }, { behavior: 'immediate' });
      return view(require(id));
    },

    remove(id: string, by: string): void {
      require(id);
      const at = clock();
      db.transaction(() => {
        db.update(webhookSubscriptions).set({ deletedAt: at, updatedAt: at, secret: '', previousSecret: null, previousSecretExpiresAt: null })
          .where(eq(webhookSubscriptions.id, id)).run();
        const cancelled = repository.cancelSubscriptionQueue(id, 'cancelled: subscription deleted');
        event(id, 'deleted', at, by, { cancelled });
        directory.bumpVersion();
      }, { behavior: 'immediate' });
    },

    /** A new secret, shown once; the old one keeps signing beside it for `graceHours` (default WEBHOOK_SECRET_GRACE_HOURS). */
    rotateSecret(id: string, by: string, graceHours?: number) {
      const row = require(id);
      const at = clock();
      const graceMs = graceHours !== undefined ? graceHours * 3_600_000 : deps.graceMs;
      const secret = newSecret();
      const expires = graceMs > 0 ? at + graceMs : null;
      db.transaction(() => {
        db.update(webhookSubscriptions).set({ secret, previousSecret: expires ? row.secret : null, previousSecretExpiresAt: expires, updatedAt: at })
          .where(eq(webhookSubscriptions.id, id)).run();
        event(id, 'secret-rotated', at, by, { previousSecretValidUntil: iso(expires) });
        directory.bumpVersion();
      }, { behavior: 'immediate' });
      return { id, secret, previousSecretExpiresAt: iso(expires) };
    },

    deliveries(id: string, q: { status?: MessageRow['status'] | undefined; limit: number; cursor?: string | undefined }) {
      require(id);
      const rows = repository.list({ subscriptionId: id, status: q.status, before: q.cursor, limit: q.limit + 1 });
      const items = rows.slice(0, q.limit).map(deliveryView);
      return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
    },

    retryDelivery(id: string, deliveryId: string) {
      const sub = require(id);
      const message = repository.get(deliveryId);
      if (!message || message.subscriptionId !== id) throw notFound(`No delivery "${deliveryId}" for this subscription.`);
      if (sub.disabledAt !== null) throw conflict('The subscription is disabled: enable it (PATCH {"enabled": true}) before replaying its deliveries.');
      if (message.status === 'cancelled') throw conflict('This delivery was cancelled and cannot be sent again.');
      const now = clock();
      return deliveryView(repository.replay(deliveryId, now, now + deps.maxAgeMs)!);
    },

    /** Delivery health, inside the transaction that records a delivery's outcome. */
    recorded(message: MessageRow, outcome: Outcome, at: number): void {
      if (!message.subscriptionId || 'cancelled' in outcome) return;
      if (outcome.ok) {
        s.recovered.run(message.subscriptionId);
        return;
      }
      if (outcome.gone) {
        disable(message.subscriptionId, 'gone', at, 'system', outcome.error);
        return;
      }
      const row = s.failing.get({ id: message.subscriptionId, at }) as { failingSince: number; disabledAt: number | null } | undefined;
      if (row && row.disabledAt === null && at - row.failingSince >= deps.disableAfterMs) {
        disable(message.subscriptionId, 'failing', at, 'system', outcome.error);
      }
    },
  };
}

export function deliveryView(m: MessageRow) {
  return {
    id: m.id, event: m.kind, caseId: m.inquiryId, status: m.status, attempts: m.attempts,
    createdAt: new Date(m.createdAt).toISOString(),
    nextAttemptAt: m.status === 'pending' ? new Date(m.nextAttemptAt).toISOString() : null,
    lastAttemptAt: iso(m.lastAttemptAt), lastStatus: m.lastStatus, lastError: m.lastError, deliveredAt: iso(m.deliveredAt),
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;

/** The webhook channel for the dispatcher: the subscription's URL and live secrets, signed and sent. */
export function webhookChannel(directory: Directory, sender: WebhookSender, subscriptions: Subscriptions): ChannelDelivery {
  return {
    async deliver(message, now) {
      const sub = message.subscriptionId ? directory.subscription(message.subscriptionId) : undefined;
      if (!sub || sub.deletedAt !== null) return { cancelled: 'cancelled: subscription deleted' };
      if (sub.disabledAt !== null) return { ok: false, status: null, permanent: true, error: 'subscription disabled' };
      const secrets = [sub.secret];
      if (sub.previousSecret && sub.previousSecretExpiresAt !== null && sub.previousSecretExpiresAt > now) secrets.push(sub.previousSecret);
      return sender.send({ id: message.id, url: sub.url, body: message.payload, secrets });
    },
    recorded: subscriptions.recorded,
  };
}
