import type { Database } from 'better-sqlite3';

interface PendingWrite { fn: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }

/** Work shared by the writes of one group commit, finished once after the last of them, before the COMMIT. */
export interface GroupWork { flush(): void }

/**
 * Group commit: the writes that request handlers start in the same event-loop turn share one write transaction
 * and so one COMMIT, which with synchronous=FULL is one fsync for the burst instead of one per request (a 1 KB
 * commit's fsync costs about 1-5 ms on the development machine, and blocks the event loop while it runs).
 * Each write runs in its own savepoint, so a failing one rolls back alone; every promise settles only after the
 * COMMIT, so nothing is acknowledged before it is durably stored. One queue per database connection, shared by
 * intake and case actions (see groupCommit).
 */
export interface GroupCommit {
  /** Runs fn in the next shared write transaction; resolves with its result once that transaction committed. */
  run<T>(fn: () => T): Promise<T>;
  /**
   * The group's shared work of one kind (`key`), made by `start` on first use in the running group and flushed once
   * after its last write, inside the transaction (the statistics' cells of a burst of inquiries are written once).
   * Only callable from inside a write fn. A write adds to it as its last step, so a write that fails adds nothing; a
   * failing flush fails the whole group.
   */
  shared<W extends GroupWork>(key: object, start: () => W): W;
}

const queues = new WeakMap<Database, GroupCommit>();

/** The group-commit queue of this connection (made on first use). */
export function groupCommit(client: Database): GroupCommit {
  let queue = queues.get(client);
  if (!queue) {
    queue = createGroupCommit(client);
    queues.set(client, queue);
  }
  return queue;
}

function createGroupCommit(client: Database): GroupCommit {
  let pending: PendingWrite[] = [];
  /** The running group's shared work, in order of first use; null between groups. */
  let work: Map<object, GroupWork> | null = null;

  function flush(): void {
    const batch = pending;
    pending = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      // BEGIN IMMEDIATE, so a second instance on the same file waits (busy timeout) rather than conflicts.
      client.transaction(() => {
        work = new Map();
        try {
          for (const write of batch) {
            try {
              outcomes.push({ ok: true, value: client.transaction(write.fn)() }); // nested: a savepoint
            } catch (error) {
              outcomes.push({ ok: false, value: error });
            }
          }
          for (const shared of work.values()) shared.flush();
        } finally {
          work = null;
        }
      }).immediate();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.value);
    });
  }

  return {
    run<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    shared<W extends GroupWork>(key: object, start: () => W): W {
      if (!work) throw new Error('group commit: shared work outside a write');
      let shared = work.get(key) as W | undefined;
      if (!shared) work.set(key, (shared = start()));
      return shared;
    },
  };
}
