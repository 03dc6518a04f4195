import type { ReferralsReport } from '../../stats/schemas.js';
import { toCsv } from '../../shared/csv.js';
import { formatPercent, TEXTS, type Language } from '../i18n.js';
import type { Names } from './figures.js';

/**
 * The referral matrix: who referred to whom, and of which kind, from the statistics service's `referrals`
 * report (the one behind GET /v1/stats/referrals, for the same period, county and actor). Rows are the
 * referring actors, columns the receiving ones; every cell, row, column and the whole keep the split by
 * kind, so the table, the chart and the CSV show the same numbers. No figure is computed here that the
 * report does not hold: the cells are the report's cells, summed.
 */
export interface KindCounts { misrouted: number; additionalNeed: number; unspecified: number; total: number }
export interface MatrixActor { key: string; label: string }
export interface MatrixPair { from: MatrixActor; to: MatrixActor; counts: KindCounts }

export interface ReferralMatrixModel {
  id: 'referral-matrix';
  title: string;
  short: string;
  description: string;
  /** Referring actors (rows) and receiving actors (columns), by name. */
  rows: MatrixActor[];
  columns: MatrixActor[];
  /** Every from → to pair that occurred, ordered by the rows' and the columns' order. */
  pairs: MatrixPair[];
  cell: (from: string, to: string) => KindCounts | undefined;
  rowTotal: (from: string) => KindCounts;
  columnTotal: (to: string) => KindCounts;
  total: KindCounts;
  /** Referrals of unknown kind (imports from before kinds) occurred: the table shows their column. */
  hasUnspecified: boolean;
}

export const MATRIX_ID = 'referral-matrix';

const zero = (): KindCounts => ({ misrouted: 0, additionalNeed: 0, unspecified: 0, total: 0 });

function add(into: KindCounts, kind: ReferralsReport['matrix'][number]['kind'], n: number) {
  if (kind === 'misrouted') into.misrouted += n;
  else if (kind === 'additional-need') into.additionalNeed += n;
  else into.unspecified += n;
  into.total += n;
}

/** The share misrouted of a count, as the other shares (four decimals), or null without referrals. */
export const misroutedShare = (c: KindCounts): number | null => (c.total === 0 ? null : Math.round((c.misrouted / c.total) * 10_000) / 10_000);

export function referralMatrixOf(report: ReferralsReport, language: Language, names: Names): ReferralMatrixModel {
  const t = TEXTS[language].referralMatrix;
  // Null actors (imports that did not name them) get the key '' and the label "unknown actor".
  const actor = (id: string | null): MatrixActor => ({ key: id ?? '', label: id ? names.actor(id) : t.unknownActor });
  const collator = new Intl.Collator(language === 'sv' ? 'sv-SE' : 'en-GB');
  const byLabel = (a: MatrixActor, b: MatrixActor) => (a.key === '' ? 1 : b.key === '' ? -1 : collator.compare(a.label, b.label));

  const cells = new Map<string, KindCounts>();
  const rowTotals = new Map<string, KindCounts>();
  const columnTotals = new Map<string, KindCounts>();
  const rows = new Map<string, MatrixActor>();
  const columns = new Map<string, MatrixActor>();
  const total = zero();
  const key = (from: string, to: string) => JSON.stringify([from, to]);
  const get = (map: Map<string, KindCounts>, k: string) => map.get(k) ?? (map.set(k, zero()), map.get(k)!);
  for (const c of report.matrix) {
    const from = actor(c.from);
    const to = actor(c.to);
    rows.set(from.key, from);
    columns.set(to.key, to);
    add(get(cells, key(from.key, to.key)), c.kind, c.referrals);
    add(get(rowTotals, from.key), c.kind, c.referrals);
    add(get(columnTotals, to.key), c.kind, c.referrals);
    add(total, c.kind, c.referrals);
  }
  const rowList = [...rows.values()].sort(byLabel);
  const columnList = [...columns.values()].sort(byLabel);
  const pairs = rowList.flatMap((from) => columnList.flatMap((to) => {
    const counts = cells.get(key(from.key, to.key));
    return counts ? [{ from, to, counts }] : [];
  }));
  return {
    id: MATRIX_ID,
    title: t.title,
    short: t.short,
    description: t.description(total.total, total.misrouted, formatPercent(misroutedShare(total), language), pairs.length, report.totals.referredOutside),
    rows: rowList,
    columns: columnList,
    pairs,
    cell: (from, to) => cells.get(key(from, to)),
    rowTotal: (from) => rowTotals.get(from) ?? zero(),
    columnTotal: (to) => columnTotals.get(to) ?? zero(),
    total,
    hasUnspecified: total.unspecified > 0,
  };
}

/**
 * The matrix as CSV, one line per from → to pair with its split by kind (a spreadsheet pivots it back into a
 * matrix; a matrix with a header per receiving actor would not sum or filter). Through the project's one CSV writer.
 */
export function referralMatrixCsv(model: ReferralMatrixModel, language: Language): string {
  const t = TEXTS[language].referralMatrix;
  return toCsv(
    [t.fromActor, t.toActor, t.total, t.misrouted, t.additionalNeed, t.unspecified, t.misroutedShare],
    model.pairs.map((p) => [p.from.label, p.to.label, p.counts.total, p.counts.misrouted, p.counts.additionalNeed, p.counts.unspecified, misroutedShare(p.counts)]),
  );
}
