import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Channel, MessageRow, OutboxRepository } from './outbox-repository.js';

/**
 * The dispatcher: sends what the outbox holds, after the transactions that wrote it committed, never
 * on a request's path. At least once, never twice at the same time:
 * - it claims a batch of due messages in one UPDATE that moves their next attempt to the end of a lease
 *   (DELIVERY_LEASE_SECONDS) and names this instance; another instance on the same database file skips
 *   them meanwhile. If this process dies mid-send (kill -9), the lease runs out and the messages are
 *   sent again: a receiver may see one twice, with the same id;
 * - outcomes are recorded in one transaction per batch, each only while this instance still holds the
 *   message's lease;
 * - a failed attempt is retried with exponential backoff and jitter (30 s doubling to an hour, each
 *   delay drawn between half and all of it, so that receivers coming back are not hit by every sender
 *   at once) until the message is DELIVERY_MAX_AGE_HOURS past due: then it is a dead letter, visible
 *   and replayable through the API. A permanent refusal (an SMTP 5xx) is dead at once.
 */
export type Attempt =
  | { ok: true; status: number | null }
  | { ok: false; status: number | null; error: string; permanent?: boolean; gone?: boolean };

/** What a channel did with a message: an attempt, or nothing to send any more (e.g. the follow-up was answered). */
export type Outcome = Attempt | { cancelled: string };

export interface ChannelDelivery {
  deliver(message: MessageRow, now: number): Promise<Outcome>;
  /** Runs inside the transaction that records the batch's outcomes (webhook subscription health). */
  recorded?(message: MessageRow, outcome: Outcome, now: number): void;
}

export type DeliveryResult = 'delivered' | 'failed' | 'dead' | 'cancelled';

export interface DispatcherDeps {
  db: Db;
  repository: OutboxRepository;
  channels: Partial<Record<Channel, ChannelDelivery>>;
  clock: () => number;
  leaseMs: number;
  maxAgeMs: number;
  batchSize?: number;
  concurrency?: number;
  /** Jitter source, injectable for tests. */
  random?: () => number;
  onResult?: (channel: Channel, result: DeliveryResult, message: MessageRow, outcome: Outcome) => void;
  onError?: (error: Error) => void;
}

export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_CAP_MS = 3_600_000;

/** Delay before retry number `attempts` (1 after the first failure): base·2^(n-1), capped, times a jitter in [0.5, 1]. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export function createDispatcher(deps: DispatcherDeps) {
  const { db, repository, channels, clock, leaseMs, maxAgeMs } = deps;
  const batchSize = deps.batchSize ?? 50;
  const concurrency = deps.concurrency ?? 8;
  const random = deps.random ?? Math.random;
  const owner = randomUUID();
  const enabled = { email: channels.email !== undefined, webhook: channels.webhook !== undefined };

  async function deliverAll(messages: MessageRow[], now: number): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(messages.length);
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const i = next++;
        const message = messages[i]!;
        try {
          outcomes[i] = await channels[message.channel]!.deliver(message, now);
        } catch (error) {
          outcomes[i] = { ok: false, status: null, error: `internal: ${(error as Error).message}`.slice(0, 300) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
    return outcomes;
  }

  const record = db.$client.transaction((messages: MessageRow[], outcomes: Outcome[], at: number): DeliveryResult[] => messages.map((m, i) => {
    const outcome = outcomes[i]!;
    let result: DeliveryResult;
    let held: boolean;
    if ('cancelled' in outcome) {
      held = repository.cancel(m.id, owner, outcome.cancelled);
      result = 'cancelled';
    } else if (outcome.ok) {
      held = repository.delivered(m.id, owner, at, outcome.status);
      result = 'delivered';
    } else {
      const nextAttemptAt = at + backoffMs(m.attempts + 1, random);
      const dead = outcome.permanent === true || nextAttemptAt > m.expiresAt;
      held = repository.failed(m.id, owner, at, { dead, nextAttemptAt, status: outcome.status, error: outcome.error });
      result = dead ? 'dead' : 'failed';
    }
    // A lost lease means another instance took the message over: its outcome counts, not ours.
    if (held) channels[m.channel]?.recorded?.(m, outcome, at);
    return result;
  }));

  let running: Promise<number> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let nudgeScheduled = false;
  let stopped = true;

  /** One batch: claim, send, record. Returns how many messages were claimed. */
  async function runOnce(): Promise<number> {
    const now = clock();
    const messages = repository.claim(owner, now, now + leaseMs, batchSize, enabled);
    if (messages.length === 0) return 0;
    const outcomes = await deliverAll(messages, now);
    const results = record.immediate(messages, outcomes, clock());
    if (deps.onResult) results.forEach((r, i) => deps.onResult!(messages[i]!.channel, r, messages[i]!, outcomes[i]!));
    return messages.length;
  }

  /** Batches until nothing is due; one run at a time per instance. */
  function run(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          for (;;) {
            const n = await runOnce();
            total += n;
            if (n < batchSize || stopped) break;
            await new Promise((r) => setImmediate(r)); // let requests in between batches
          }
        } while (again && !stopped);
      } catch (error) {
        deps.onError?.(error as Error);
      } finally {
        running = null;
      }
      return total;
    })();
    return running;
  }

  return {
    owner,
    runOnce,
    /** Sends everything due now (tests; the timer in production). */
    dispatch: (): Promise<number> => { const wasStopped = stopped; stopped = false; return run().finally(() => { stopped = wasStopped; }); },
    /** Starts the timer; new messages are also picked up right after the change that queued them commits. */
    start(intervalMs: number): void {
      stopped = false;
      timer = setInterval(() => void run(), intervalMs);
      timer.unref();
      void run();
    },
    /** Called when a change queued messages: runs once the current synchronous transaction is over. */
    nudge(): void {
      if (stopped || nudgeScheduled) return;
      nudgeScheduled = true;
      setImmediate(() => {
        nudgeScheduled = false;
        void run();
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
