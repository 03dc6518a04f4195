import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type { OutboxStatus } from '../db/schema/index.js';

/**
 * The outbox's SQL, prepared once. Enqueueing runs inside the write transactions of intake, case
 * actions, the sweeper and erasure, so it is one multi-row INSERT per change; everything else serves
 * the dispatcher (claim, record outcomes) and the admin API (list, replay).
 */
export type Channel = 'email' | 'webhook';

export interface NewMessage {
  id: string; channel: Channel; kind: string; inquiryId: string | null; subscriptionId: string | null;
  recipient: string | null; personal: boolean; payload: string; createdAt: number; dueAt: number; expiresAt: number;
}

export interface MessageRow {
  id: string; channel: Channel; kind: string; inquiryId: string | null; subscriptionId: string | null;
  recipient: string | null; personal: number; payload: string; status: OutboxStatus; attempts: number;
  createdAt: number; dueAt: number; nextAttemptAt: number; expiresAt: number; leaseOwner: string | null;
  lastAttemptAt: number | null; lastStatus: number | null; lastError: string | null; deliveredAt: number | null;
}

const COLUMNS = `id, channel, kind, inquiry_id AS inquiryId, subscription_id AS subscriptionId, recipient, personal, payload, status,
  attempts, created_at AS createdAt, due_at AS dueAt, next_attempt_at AS nextAttemptAt, expires_at AS expiresAt,
  lease_owner AS leaseOwner, last_attempt_at AS lastAttemptAt, last_status AS lastStatus, last_error AS lastError, delivered_at AS deliveredAt`;

export interface ListFilter { status?: OutboxStatus | undefined; channel?: Channel | undefined; subscriptionId?: string | undefined; before?: string | undefined; limit: number }

export function createOutboxRepository(db: Db) {
  const client = db.$client;
  const insertByCount = new Map<number, Statement>();
  const insert = (count: number): Statement => {
    let statement = insertByCount.get(count);
    if (!statement) {
      const rows = Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)").join(', ');
      statement = client.prepare(`INSERT INTO outbox_messages (id, channel, kind, inquiry_id, subscription_id, recipient, personal, payload,
        status, created_at, due_at, next_attempt_at, expires_at) VALUES ${rows} ON CONFLICT DO NOTHING`);
      insertByCount.set(count, statement);
    }
    return statement;
  };

  const s = {
    // The lease: a claimed message's next attempt moves to the end of the lease, so nobody else takes it meanwhile.
    // Each claim reads one work list of outbox_due_idx: e-mail, or one webhook subscription's.
    claimEmail: client.prepare(`UPDATE outbox_messages SET next_attempt_at = @leaseUntil, lease_owner = @owner
      WHERE id IN (SELECT id FROM outbox_messages INDEXED BY outbox_due_idx
        WHERE status = 'pending' AND channel = 'email' AND subscription_id IS NULL AND next_attempt_at <= @now
        ORDER BY next_attempt_at LIMIT @limit)
      RETURNING ${COLUMNS}`),
    claimWebhooks: client.prepare(`UPDATE outbox_messages SET next_attempt_at = @leaseUntil, lease_owner = @owner
      WHERE id IN (SELECT id FROM outbox_messages INDEXED BY outbox_due_idx
        WHERE status = 'pending' AND channel = 'webhook' AND subscription_id = @subscriptionId AND next_attempt_at <= @now
        ORDER BY next_attempt_at LIMIT @limit)
      RETURNING ${COLUMNS}`),
    // Pending webhook messages belong to subscriptions not deleted (deleting one cancels its queue).
    subscriptions: client.prepare('SELECT id FROM webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id').pluck(),
    delivered: client.prepare(`UPDATE outbox_messages SET status = 'delivered', attempts = attempts + 1, delivered_at = @at,
        last_attempt_at = @at, last_status = @status, last_error = NULL, lease_owner = NULL,
        recipient = CASE WHEN personal = 1 THEN NULL ELSE recipient END
      WHERE id = @id AND status = 'pending' AND lease_owner = @owner`),
    failed: client.prepare(`UPDATE outbox_messages SET status = @next, attempts = attempts + 1, next_attempt_at = @nextAttemptAt,
        last_attempt_at = @at, last_status = @status, last_error = @error, lease_owner = NULL
      WHERE id = @id AND status = 'pending' AND lease_owner = @owner`),
    cancel: client.prepare(`UPDATE outbox_messages SET status = 'cancelled', last_error = @reason, lease_owner = NULL,
        recipient = CASE WHEN personal = 1 THEN NULL ELSE recipient END
      WHERE id = @id AND status = 'pending' AND lease_owner = @owner`),
    get: client.prepare(`SELECT ${COLUMNS} FROM outbox_messages WHERE id = ?`),
    replay: client.prepare(`UPDATE outbox_messages SET status = 'pending', next_attempt_at = @now, expires_at = @expiresAt, lease_owner = NULL
      WHERE id = @id AND status IN ('pending', 'dead', 'delivered') RETURNING ${COLUMNS}`),
    // Erasure: the company's address goes from every message of the case; what was still to be sent to it is cancelled.
    eraseCompanyMessages: client.prepare(`UPDATE outbox_messages SET recipient = NULL,
        status = CASE WHEN status IN ('pending', 'dead') THEN 'cancelled' ELSE status END,
        last_error = CASE WHEN status IN ('pending', 'dead') THEN 'cancelled: personal data erased' ELSE last_error END,
        lease_owner = NULL
      WHERE inquiry_id = ? AND personal = 1 AND (recipient IS NOT NULL OR status IN ('pending', 'dead'))`),
    // A disabled subscription's queue: dead letters (replayable once it is enabled again). Messages being sent
    // right now are left to their sender, which records what really happened (a delivery that went through stays delivered).
    killSubscriptionQueue: client.prepare(`UPDATE outbox_messages SET status = 'dead', last_error = @reason
      WHERE subscription_id = @id AND status = 'pending' AND (lease_owner IS NULL OR next_attempt_at <= @now)`),
    cancelSubscriptionQueue: client.prepare(`UPDATE outbox_messages SET status = 'cancelled', last_error = @reason, lease_owner = NULL
      WHERE subscription_id = @id AND status IN ('pending', 'dead')`),
    depth: client.prepare(`SELECT channel, COUNT(*) AS n, MIN(due_at) AS oldest FROM outbox_messages INDEXED BY outbox_due_idx
      WHERE status = 'pending' AND due_at <= ? GROUP BY channel`),
    scheduled: client.prepare(`SELECT channel, COUNT(*) AS n FROM outbox_messages INDEXED BY outbox_due_idx
      WHERE status = 'pending' AND due_at > ? GROUP BY channel`),
    dead: client.prepare(`SELECT channel, COUNT(*) AS n FROM outbox_messages WHERE status = 'dead' AND id >= '' GROUP BY channel`),
  };

  return {
    /** Inserts a change's messages in one statement; runs inside the caller's transaction. */
    insert(messages: NewMessage[]): void {
      if (messages.length === 0) return;
      const params: unknown[] = [];
      for (const m of messages) {
        params.push(m.id, m.channel, m.kind, m.inquiryId, m.subscriptionId, m.recipient, m.personal ? 1 : 0, m.payload, m.createdAt, m.dueAt, m.dueAt, m.expiresAt);
      }
      insert(messages.length).run(params);
    },

    /**
     * Claims up to `limit` due messages of one channel for `owner` until `leaseUntil` (each statement atomic). Webhook
     * messages are claimed subscription by subscription, at most `freeSlots(subscription)` each, so a subscription
     * whose deliveries are all in flight is skipped without reading its queue.
     */
    claim(owner: string, now: number, leaseUntil: number, limit: number, channel: Channel, freeSlots: (subscriptionId: string) => number = () => limit): MessageRow[] {
      if (limit <= 0) return [];
      if (channel === 'email') return s.claimEmail.all({ owner, now, leaseUntil, limit }) as MessageRow[];
      const claimed: MessageRow[] = [];
      for (const subscriptionId of s.subscriptions.all() as string[]) {
        const room = Math.min(limit - claimed.length, freeSlots(subscriptionId));
        if (room <= 0) continue;
        claimed.push(...s.claimWebhooks.all({ owner, now, leaseUntil, limit: room, subscriptionId }) as MessageRow[]);
        if (claimed.length >= limit) break;
      }
      return claimed;
    },
    /** The outcome of an attempt; false when the lease was lost meanwhile (another instance owns the message now). */
    delivered: (id: string, owner: string, at: number, status: number | null): boolean => s.delivered.run({ id, owner, at, status }).changes === 1,
    failed: (id: string, owner: string, at: number, o: { dead: boolean; nextAttemptAt: number; status: number | null; error: string }): boolean =>
      s.failed.run({ id, owner, at, next: o.dead ? 'dead' : 'pending', nextAttemptAt: o.nextAttemptAt, status: o.status, error: o.error }).changes === 1,
    cancel: (id: string, owner: string, reason: string): boolean => s.cancel.run({ id, owner, reason }).changes === 1,

    get: (id: string): MessageRow | undefined => s.get.get(id) as MessageRow | undefined,
    /** Newest first, keyset-paged by id (time-ordered UUIDv7). */
    list(f: ListFilter): MessageRow[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: f.limit };
      if (f.status) { where.push('status = @status'); params.status = f.status; }
      if (f.channel) { where.push('channel = @channel'); params.channel = f.channel; }
      if (f.subscriptionId) { where.push('subscription_id = @subscriptionId'); params.subscriptionId = f.subscriptionId; }
      if (f.before) { where.push('id < @before'); params.before = f.before; }
      const sql = `SELECT ${COLUMNS} FROM outbox_messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return client.prepare(sql).all(params) as MessageRow[];
    },
    /** Sends a message again from now on (a dead letter, a delivered one, or a pending one sooner); undefined when it cannot be. */
    replay: (id: string, now: number, expiresAt: number): MessageRow | undefined => s.replay.get({ id, now, expiresAt }) as MessageRow | undefined,

    eraseCompanyMessages: (inquiryId: string): number => s.eraseCompanyMessages.run(inquiryId).changes,
    killSubscriptionQueue: (id: string, reason: string, now: number): number => s.killSubscriptionQueue.run({ id, reason, now }).changes,
    cancelSubscriptionQueue: (id: string, reason: string): number => s.cancelSubscriptionQueue.run({ id, reason }).changes,

    /** For /metrics: pending messages that are due (with the oldest due instant), scheduled ones, dead letters; per channel. */
    gauges(now: number) {
      return {
        due: s.depth.all(now) as { channel: Channel; n: number; oldest: number }[],
        scheduled: s.scheduled.all(now) as { channel: Channel; n: number }[],
        dead: s.dead.all() as { channel: Channel; n: number }[],
      };
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
