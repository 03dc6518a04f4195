import type { FastifyInstance } from 'fastify';
import { CELL_COUNTS, snakeCase } from '../db/schema/stats.js';
import { CELL_DIMENSIONS, datesOf, decodeCompanies, decodeHistogram, encodeCompanies, encodeHistogram, type CompanyCounts, type Histogram, type RollupPeriod } from './cells.js';
import type { StatsProjection } from './projection.js';

/**
 * Compaction: makes the month and ISO-week roll-ups of the cells again where their day cells changed (stats_stale),
 * one roll-up per write transaction: the day cells of the period are summed per combination of dimensions (the
 * counts added, the delay histograms and company multisets merged, exactly), the period's old roll-up rows are
 * replaced, and the period is no longer stale. A change committed later marks it stale again in its own transaction,
 * so a query never uses a roll-up that misses something: it reads that period's day cells instead.
 *
 * Runs every STATS_COMPACT_INTERVAL_MS while the service runs (yielding between periods), after a rebuild and after a
 * command-line import. Nothing depends on it for correctness, only for speed.
 */
const D = CELL_DIMENSIONS.length;
const N = CELL_COUNTS.length;

export function createCompactor(projection: StatsProjection) {
  const client = projection.repository.client;
  const dims = CELL_DIMENSIONS.map(snakeCase);
  const counts = CELL_COUNTS.map(snakeCase);
  const columns = ['grain', 'local_date', ...dims, 'test', ...counts, 'delays', 'companies'];
  const statements = {
    next: client.prepare('SELECT grain, period FROM stats_stale LIMIT ?').raw(true),
    days: client.prepare(`SELECT ${dims.join(', ')}, test, ${counts.join(', ')}, delays, companies FROM stats_cells
      WHERE grain = ? AND local_date BETWEEN ? AND ?`).raw(true),
    clear: client.prepare('DELETE FROM stats_cells WHERE grain = ? AND local_date = ?'),
    insert: client.prepare(`INSERT INTO stats_cells (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`),
    done: client.prepare('DELETE FROM stats_stale WHERE grain = ? AND period = ?'),
  };

  /** Makes one roll-up again; one write transaction. */
  const compactOne = client.transaction((rollup: string, period: string) => {
    const [grain, kind] = rollup.split('@') as [string, RollupPeriod];
    const [first, last] = datesOf(period, kind);
    const sums = new Map<string, { key: unknown[]; counts: number[]; delays: Histogram; companies: CompanyCounts }>();
    for (const row of statements.days.iterate(grain, first, last) as IterableIterator<unknown[]>) {
      const key = row.slice(0, D + 1);
      const id = key.join('\u001f');
      let sum = sums.get(id);
      if (!sum) sums.set(id, (sum = { key, counts: new Array<number>(N).fill(0), delays: new Map(), companies: new Map() }));
      for (let i = 0; i < N; i++) sum.counts[i]! += row[D + 1 + i] as number;
      for (const [minute, n] of decodeHistogram(row[D + 1 + N] as Buffer | null)) sum.delays.set(minute, (sum.delays.get(minute) ?? 0) + n);
      for (const [company, [cases, helped]] of decodeCompanies(row[D + 2 + N] as Buffer | null)) {
        const entry = sum.companies.get(company) ?? [0, 0];
        sum.companies.set(company, [entry[0] + cases, entry[1] + helped]);
      }
    }
    statements.clear.run(rollup, period);
    for (const { key, counts: c, delays, companies } of sums.values()) {
      statements.insert.run(rollup, period, ...key, ...c, encodeHistogram(delays), encodeCompanies(companies));
    }
    statements.done.run(rollup, period);
  });

  return {
    /** Makes up to `limit` stale roll-ups again; returns how many. */
    compact(limit = Number.POSITIVE_INFINITY): number {
      let done = 0;
      while (done < limit) {
        const batch = statements.next.all(Math.min(100, limit - done)) as [string, string][];
        if (batch.length === 0) break;
        for (const [rollup, period] of batch) compactOne.immediate(rollup, period);
        done += batch.length;
      }
      return done;
    },
  };
}

export type Compactor = ReturnType<typeof createCompactor>;

/** Runs compaction every `intervalMs` while the app runs, a roll-up at a time, yielding to requests in between. */
export function scheduleCompaction(app: FastifyInstance, compactor: Compactor, intervalMs: number): void {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let closing = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      while (!closing && compactor.compact(1) === 1) await new Promise((resolve) => setImmediate(resolve));
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, 'statistics compaction failed');
    } finally {
      running = false;
    }
  };
  app.addHook('onReady', async () => {
    void run();
    timer = setInterval(() => void run(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    closing = true;
    if (timer) clearInterval(timer);
    timer = null;
  });
}
