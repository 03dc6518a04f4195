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
  /** Messages in flight at once, per channel. */
  concurrency?: Partial<Record<Channel, number>>;
  /** Deliveries in flight at once to one webhook subscription, so one slow receiver cannot take every slot. */
  perSubscription?: number;
  /**
   * True while the service is answering requests: the dispatcher then sends at a trickle (`busyBatch`
   * per channel every `busyGapMs`) so that intake keeps its throughput; the backlog drains once the
   * requests stop. Messages are never lost to this, only later.
   */
  busy?: () => boolean;
  busyBatch?: number;
  busyGapMs?: number;
  /** Least time between two cycles when idle (a burst of nudges is one cycle). */
  gapMs?: number;
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

const CHANNELS: Channel[] = ['email', 'webhook'];

/**
 * A pipeline in cycles: each cycle is one write transaction that records the outcomes completed since
 * the last one and claims due messages for the free slots (per channel, and at most `perSubscription`
 * per webhook subscription, so a slow receiver holds only its own slots and never the e-mail or the
 * other subscriptions). Deliveries start after the cycle committed. Cycles follow nudges (a change
 * queued messages), completions and the timer, at most one per `gapMs`.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { db, repository, channels, clock, leaseMs } = deps;
  const limits: Record<Channel, number> = { email: deps.concurrency?.email ?? 8, webhook: deps.concurrency?.webhook ?? 16 };
  const perSubscription = deps.perSubscription ?? 4;
  const gapMs = deps.gapMs ?? 10;
  const busyGapMs = deps.busyGapMs ?? 100;
  const busyBatch = deps.busyBatch ?? 2;
  const random = deps.random ?? Math.random;
  const owner = randomUUID();

  const inFlight: Record<Channel, number> = { email: 0, webhook: 0 };
  const bySubscription = new Map<string, number>();
  let completed: { message: MessageRow; outcome: Outcome }[] = [];
  let waiters: (() => void)[] = [];
  let running = false; // started: the timer, nudges and completions run cycles
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let cycleTimer: NodeJS.Timeout | null = null;
  let lastCycle = 0;

  function recordOne({ message: m, outcome }: { message: MessageRow; outcome: Outcome }, at: number): DeliveryResult {
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
  }

  function claimFree(now: number, cap: number): MessageRow[] {
    const started: MessageRow[] = [];
    for (const channel of CHANNELS) {
      if (!channels[channel]) continue;
      const free = (subscriptionId: string) => perSubscription - (bySubscription.get(subscriptionId) ?? 0);
      started.push(...repository.claim(owner, now, now + leaseMs, Math.min(cap, limits[channel] - inFlight[channel]), channel, free));
    }
    return started;
  }

  const transaction = db.$client.transaction((done: { message: MessageRow; outcome: Outcome }[], at: number, cap: number) => ({
    results: done.map((d) => recordOne(d, at)),
    claimed: cap > 0 ? claimFree(at, cap) : [],
  }));

  /**
   * A cycle's transaction commits without waiting for the disk (synchronous=NORMAL for this commit only). What a power
   * cut can take from it is a claim or an outcome, and either way the message is sent again with the same id, which
   * at-least-once delivery allows; the write-ahead log stays consistent, and the next durable commit (an inquiry's)
   * fsyncs these pages with its own. Every cycle saved an fsync that blocked the event loop for 1-5 ms.
   */
  const relaxed = <T>(run: () => T): T => {
    const client = db.$client;
    const level = client.pragma('synchronous', { simple: true }) as number;
    if (level <= 1) return run();
    client.pragma('synchronous = NORMAL');
    try {
      return run();
    } finally {
      client.pragma(`synchronous = ${level}`);
    }
  };

  /** One cycle: record what completed, claim what fits (up to `cap` per channel), start sending after the commit. */
  function cycle(cap: number): number {
    if (closed) return 0;
    lastCycle = Date.now();
    const done = completed;
    completed = [];
    let claimed: MessageRow[] = [];
    try {
      const now = clock();
      const r = relaxed(() => transaction.immediate(done, now, cap));
      claimed = r.claimed;
      if (deps.onResult) r.results.forEach((result, i) => deps.onResult!(done[i]!.message.channel, result, done[i]!.message, done[i]!.outcome));
      for (const m of claimed) start(m, now);
    } catch (error) {
      // Outcomes not recorded: their leases run out and the messages are sent again (at least once).
      deps.onError?.(error as Error);
    }
    return claimed.length;
  }

  /** The next cycle, no sooner than the gap (longer while requests are being served) after the last one. */
  function schedule(): void {
    if (!running || cycleTimer || closed) return;
    const gap = deps.busy?.() ? busyGapMs : gapMs;
    cycleTimer = setTimeout(() => {
      cycleTimer = null;
      if (!running) return;
      cycle(deps.busy?.() ? busyBatch : Number.POSITIVE_INFINITY);
    }, Math.max(0, lastCycle + gap - Date.now()));
  }

  function settle(message: MessageRow, outcome: Outcome): void {
    completed.push({ message, outcome });
    inFlight[message.channel]--;
    if (message.subscriptionId) {
      const n = (bySubscription.get(message.subscriptionId) ?? 1) - 1;
      if (n <= 0) bySubscription.delete(message.subscriptionId);
      else bySubscription.set(message.subscriptionId, n);
    }
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
    schedule();
  }

  function start(message: MessageRow, now: number): void {
    inFlight[message.channel]++;
    if (message.subscriptionId) bySubscription.set(message.subscriptionId, (bySubscription.get(message.subscriptionId) ?? 0) + 1);
    channels[message.channel]!.deliver(message, now)
      .catch((error: Error): Outcome => ({ ok: false, status: null, error: `internal: ${error.message}`.slice(0, 300) }))
      .then((outcome) => settle(message, outcome));
  }

  const progress = () => new Promise<void>((resolve) => waiters.push(resolve));
  const idle = () => inFlight.email + inFlight.webhook === 0;
  const ALL = Number.POSITIVE_INFINITY;

  return {
    owner,
    /** Claims what fits in the free slots, waits for those deliveries and records them; returns how many were claimed. */
    async runOnce(): Promise<number> {
      const started = cycle(ALL);
      while (!idle()) await progress();
      cycle(0);
      return started;
    },
    /** Sends everything due now and waits until it is recorded (tests; in production the timer and nudges do this). */
    async dispatch(): Promise<number> {
      let total = cycle(ALL);
      for (;;) {
        if (idle()) {
          const more = cycle(ALL);
          if (more === 0) return total;
          total += more;
        }
        await progress();
        total += cycle(ALL);
      }
    },
    /** Starts the timer; new messages are also picked up right after the change that queued them commits. */
    start(intervalMs: number): void {
      running = true;
      timer = setInterval(() => schedule(), intervalMs);
      timer.unref();
      schedule();
    },
    /** Called when a change queued messages: a cycle follows once the current synchronous transaction is over. */
    nudge(): void {
      schedule();
    },
    /**
     * Stops claiming, waits a little for what is in flight and records it. Whatever is still in flight
     * after that is left to its lease: it is sent again after a restart (at least once).
     */
    async stop(graceMs = 2_000): Promise<void> {
      running = false;
      if (timer) clearInterval(timer);
      if (cycleTimer) clearTimeout(cycleTimer);
      timer = null;
      cycleTimer = null;
      const end = Date.now() + graceMs;
      while (!idle() && Date.now() < end) await Promise.race([progress(), new Promise((r) => setTimeout(r, Math.max(1, end - Date.now())))]);
      cycle(0);
      closed = true;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
