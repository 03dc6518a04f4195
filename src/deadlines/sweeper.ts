import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.js';
import { appendEvent, SYSTEM } from '../history/events.js';
import type { Notifier } from '../notifications/outbox.js';

/**
 * The escalation sweeper: records `deadline-at-risk` and `deadline-breached` in a case's history when
 * its deadline state gets there, exactly once per case and kind. The guarantee is the primary key of
 * `deadline_escalations (inquiry_id, kind)`: the row is inserted with ON CONFLICT DO NOTHING in the same
 * write transaction as the event, and the event is written only when the row was new. So a restart,
 * an overlapping sweep or a second instance on the same database file never records one twice.
 *
 * Candidates come from the partial index on open, uncontacted cases (`case_facts_open_idx`), re-read
 * inside the write transaction so a first contact that just landed is respected. A case whose deadline
 * passed before any sweep saw it at risk gets only `deadline-breached`. Once recorded, a breach stays in
 * the history after a late first contact.
 */
export interface SweepResult { atRisk: number; breached: number }

export function createSweeper({ db, batchSize = 500, notify }: { db: Db; batchSize?: number; notify?: Pick<Notifier, 'caseChanged'> | undefined }) {
  const client = db.$client;
  const due = client.prepare(`
    SELECT inquiry_id AS id, deadline_at AS deadlineAt, at_risk_at AS atRiskAt, escalated
    FROM case_facts
    WHERE first_contact_at IS NULL AND closed_at IS NULL AND at_risk_at < @now
      AND (escalated = 0 OR (escalated = 1 AND deadline_at < @now))
    ORDER BY at_risk_at
    LIMIT @limit`);
  const claim = client.prepare('INSERT INTO deadline_escalations (inquiry_id, kind, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const mark = client.prepare('UPDATE case_facts SET escalated = MAX(escalated, ?) WHERE inquiry_id = ?');

  const batch = client.transaction((now: number): SweepResult & { seen: number } => {
    const rows = due.all({ now, limit: batchSize }) as { id: string; deadlineAt: number; atRiskAt: number; escalated: number }[];
    const result = { atRisk: 0, breached: 0, seen: rows.length };
    for (const row of rows) {
      const breached = now > row.deadlineAt;
      const kind = breached ? 'breached' : 'at-risk';
      if (claim.run(row.id, kind, now).changes === 1) {
        appendEvent(db, row.id, `deadline-${kind}`, now, SYSTEM, breached
          ? { deadlineAt: new Date(row.deadlineAt).toISOString() }
          : { deadlineAt: new Date(row.deadlineAt).toISOString(), atRiskFrom: new Date(row.atRiskAt).toISOString() });
        notify?.caseChanged({ type: `deadline-${kind}`, inquiryId: row.id, at: now });
        if (breached) result.breached++;
        else result.atRisk++;
      }
      mark.run(breached ? 2 : 1, row.id);
    }
    return result;
  });

  return {
    /** One sweep at `now`: records every escalation that is due, in write transactions of `batchSize` cases. */
    sweep(now: number): SweepResult {
      const total = { atRisk: 0, breached: 0 };
      for (let guard = 0; guard < 100_000; guard++) {
        const r = batch.immediate(now);
        total.atRisk += r.atRisk;
        total.breached += r.breached;
        if (r.seen < batchSize) break;
      }
      return total;
    },
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;

/**
 * Runs the sweeper every `intervalMs` while the app runs: first sweep when the app is ready, timer
 * unref'd so it never keeps the process alive, stopped in onClose. A failing sweep is logged (no
 * personal data: only counts and the error message) and retried at the next tick.
 */
export function scheduleSweeper(app: FastifyInstance, sweeper: Sweeper, clock: () => number, intervalMs: number): void {
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    try {
      const r = sweeper.sweep(clock());
      if (r.atRisk + r.breached > 0) app.log.info({ atRisk: r.atRisk, breached: r.breached }, 'deadline escalations recorded');
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, 'deadline sweep failed');
    }
  };
  app.addHook('onReady', async () => {
    run();
    timer = setInterval(run, intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    timer = null;
  });
}
