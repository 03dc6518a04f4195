import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { badRequest, ProblemError } from '../shared/problems.js';
import type { ReferenceService } from '../reference/service.js';
import type { ComplianceFigures, ComplianceGroup, ComplianceQuery, ComplianceReport, GroupDimension } from './schemas.js';
import { both } from '../shared/i18n.js';

/**
 * Compliance statistics, read from the maintained daily aggregates (see src/db/schema/stats.ts):
 * one small row per Stockholm arrival date and cell instead of one per inquiry, so a year is a range
 * read of the aggregate's clustered key whatever the number of inquiries behind it.
 * - additive figures are SUMs over the rows of a group (month and ISO week are derived from the date);
 * - percentiles and distinct companies come from the cells' exact value lists, concatenated per group
 *   in SQLite (group_concat) and computed here: exact, as before, without reading the facts;
 * - open in time / overdue is the only figure that depends on `now`: the open count is maintained, and
 *   the open cases whose deadline is still ahead are counted from the partial index on open cases
 *   (`case_facts_open_deadline_idx`), a handful of rows: those that arrived within about a working day.
 * The table read is the smallest grain with the dimensions the query groups or filters by.
 */
const AGGREGATE_DIMENSION: Record<GroupDimension, string> = {
  county: "NULLIF(county_code, '')",
  actor: "NULLIF(first_actor_id, '')",
  topic: "NULLIF(top_topic_id, '')",
  month: 'substr(local_date, 1, 7)',
  // ISO 8601 week-numbering year and week of the date: the same as isoWeekOf (tested).
  week: "strftime('%G-W%V', local_date)",
};

const FACTS_DIMENSION: Record<GroupDimension, string> = {
  county: 'county_code',
  actor: 'first_actor_id',
  topic: 'top_topic_id',
  month: 'local_month',
  week: 'iso_week',
};

const SUMS = `
  COALESCE(SUM(received), 0) AS received,
  COALESCE(SUM(contacted_in_time), 0) AS contactedInTime,
  COALESCE(SUM(contacted_late), 0) AS contactedLate,
  COALESCE(SUM(open), 0) AS open,
  COALESCE(SUM(closed_without_contact), 0) AS closedWithoutContact,
  COALESCE(SUM(closed_overdue), 0) AS closedOverdue,
  COALESCE(SUM(referrals), 0) AS referrals,
  COALESCE(SUM(right_first), 0) AS rightFirst,
  COALESCE(SUM(triaged), 0) AS triaged,
  COALESCE(SUM(feedback_yes), 0) AS feedbackYes,
  COALESCE(SUM(feedback_responses), 0) AS feedbackResponses,
  COALESCE(group_concat(delays, ''), '') AS delays,
  COALESCE(group_concat(org_keys, ''), '') AS orgKeys`;

const ADDITIVE = [
  'received', 'contactedInTime', 'contactedLate', 'open', 'closedWithoutContact', 'closedOverdue', 'referrals',
  'rightFirst', 'triaged', 'feedbackYes', 'feedbackResponses',
] as const;

type Sums = Record<(typeof ADDITIVE)[number], number>;
interface AggregateRow extends Sums { delays: string; orgKeys: string; [dimension: string]: unknown }

/** A group's figures before `now` and the finishing: sums, delays (ms), company keys (with repeats), distinct companies. */
interface Group extends Sums { openInTime: number; delays: Float64Array; companies: Float64Array; distinctCompanies: number }

/** Parses a list `v1,v2,…,` of integers (as the aggregates keep them) into a typed array, in one pass. */
export function parseList(list: string): Float64Array {
  const out = new Float64Array((list.length + 1) >> 1); // each value takes at least two characters
  let k = 0;
  let value = 0;
  let negative = false;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[k++] = negative ? -value : value;
      value = 0;
      negative = false;
    } else if (c === 45) negative = true;
    else value = value * 10 + (c - 48);
  }
  return out.subarray(0, k);
}

/**
 * The k-th smallest value (0-based) of `values`, reordering them in place (quickselect, expected O(n)):
 * a group needs only two ranks per percentile, so sorting all of a year's delays is not needed.
 */
function select(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/**
 * The p-quantile with linear interpolation between closest ranks (PERCENTILE.INC) of the values divided
 * by `scale` (the same arithmetic as on the divided values, since division keeps the order).
 * Reorders `values` in place.
 */
export function percentile(values: Float64Array, p: number, scale = 1): number | null {
  const n = values.length;
  if (n === 0) return null;
  const rank = p * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const low = select(values, lo);
  // After selecting rank lo, every value right of it is >= it: rank lo + 1 is their minimum.
  let high = low;
  if (hi !== lo) {
    high = Infinity;
    for (let i = lo + 1; i < n; i++) if (values[i]! < high) high = values[i]!;
  }
  const a = low / scale;
  const b = high / scale;
  return a + (b - a) * (rank - lo);
}

/** Distinct values among the arrays: an open-addressing hash set over the (non-negative, 48-bit) company keys. */
function countDistinct(arrays: Float64Array[]): number {
  let size = 0;
  for (const a of arrays) size += a.length;
  if (size === 0) return 0;
  let capacity = 16;
  while (capacity < size * 2) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Float64Array(capacity).fill(-1);
  let distinct = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const key = a[i]!;
      let h = (Math.imul(key % 4294967296 | 0, 0x9e3779b1) >>> 0) & mask;
      for (;;) {
        const slot = slots[h]!;
        if (slot === key) break;
        if (slot === -1) {
          slots[h] = key;
          distinct++;
          break;
        }
        h = (h + 1) & mask;
      }
    }
  }
  return distinct;
}

/** All values of the arrays in one new array. */
function concat(parts: Float64Array[]): Float64Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const all = new Float64Array(size);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}

const round = (x: number | null, digits: number) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b, 4));
const HOUR_MS = 3_600_000;

export interface StatsDeps { db: Db; clock: Clock; reference: ReferenceService; target: number }

export function createStatsService({ db, clock, reference, target }: StatsDeps) {
  const client: Database.Database = db.$client;
  const statements = new Map<string, Database.Statement>();
  const prepare = (sqlText: string) => {
    let statement = statements.get(sqlText);
    if (!statement) statements.set(sqlText, (statement = client.prepare(sqlText)));
    return statement;
  };

  function figures(g: Group): ComplianceFigures {
    const contacted = g.contactedInTime + g.contactedLate;
    const openOverdue = g.open - g.openInTime + g.closedOverdue;
    const complianceRate = ratio(g.contactedInTime, contacted + openOverdue);
    return {
      received: g.received,
      contactedInTime: g.contactedInTime,
      contactedLate: g.contactedLate,
      openInTime: g.openInTime,
      openOverdue,
      closedWithoutContact: g.closedWithoutContact,
      complianceRate,
      medianHoursToFirstContact: round(percentile(g.delays, 0.5, HOUR_MS), 2),
      p90HoursToFirstContact: round(percentile(g.delays, 0.9, HOUR_MS), 2),
      referrals: g.referrals,
      rightFirstTime: ratio(g.rightFirst, contacted),
      distinctCompanies: g.distinctCompanies,
      triaged: g.triaged,
      feedbackResponses: g.feedbackResponses,
      feedbackRightHelpRate: ratio(g.feedbackYes, g.feedbackResponses),
      target,
      targetMet: complianceRate === null ? null : complianceRate >= target,
    };
  }

  function groupOf(row: AggregateRow): Group {
    const companies = parseList(row.orgKeys);
    const group = { openInTime: 0, delays: parseList(row.delays), companies, distinctCompanies: countDistinct([companies]) } as Group;
    for (const k of ADDITIVE) group[k] = row[k];
    return group;
  }

  /** The period, county, actor and the caller's counties as one WHERE clause, the same on the aggregates and the facts. */
  function filterOf(query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, scope: string[] | null, now: number) {
    let countyCode: string | null = null;
    if (query.county !== undefined) {
      const county = reference.places.resolveCountyInput(query.county);
      if (!county) throw badRequest(null, [{ name: 'querystring.county', reason: both(`Unknown county "${query.county}": use an ISO 3166-2 code (SE-M), an SCB code (12) or a name`, `Okänt län "${query.county}": ange en ISO 3166-2-kod (SE-M), en SCB-kod (12) eller ett namn`) }]);
      countyCode = county.code;
    }
    if (query.actor !== undefined && !reference.actor(query.actor)) {
      throw badRequest(null, [{ name: 'querystring.actor', reason: both(`Unknown actor "${query.actor}": see GET /v1/actors`, `Okänd aktör "${query.actor}": se GET /v1/actors`) }]);
    }
    const actorId = query.actor ?? null;

    if (scope !== null && countyCode !== null && !scope.includes(countyCode)) {
      throw new ProblemError(403, 'forbidden', 'Not allowed', `This key is limited to ${scope.join(', ')}.`);
    }
    // The same filter on the aggregates and on the facts: same column names, '' only stands for null.
    const where = ['local_date BETWEEN @from AND @to'];
    if (countyCode !== null) where.push('county_code = @county');
    else if (scope !== null) where.push(`county_code IN (${scope.map((c) => `'${c.replace(/[^A-Z0-9-]/g, '')}'`).join(', ') || 'NULL'})`);
    if (actorId !== null) where.push('first_actor_id = @actor');
    const params = { from: query.from, to: query.to, now, county: countyCode, actor: actorId };
    const bound = (sqlText: string) => {
      const names = ['from', 'to', 'now', 'county', 'actor'].filter((n) => sqlText.includes(`@${n}`));
      return Object.fromEntries(names.map((n) => [n, params[n as keyof typeof params]]));
    };
    const whereSql = where.join(' AND ');
    return { countyCode, actorId, whereSql, bound };
  }

  return {
    /** `scope`: the county codes the caller may see (an API key limited to counties); null for all. */
    compliance(query: ComplianceQuery, scope: string[] | null = null): ComplianceReport {
      const now = clock();
      const groupBy = query.groupBy ?? [];
      const { countyCode, actorId, whereSql, bound } = filterOf(query, scope, now);
      // The smallest grain that has every dimension grouped or filtered by (month and week come from the date).
      const byCounty = groupBy.includes('county') || countyCode !== null || scope !== null;
      const byActor = groupBy.includes('actor') || actorId !== null;
      const table = !groupBy.includes('topic') ? 'compliance_daily_county_actor'
        : byCounty || byActor ? 'compliance_daily' : 'compliance_daily_topic';

      // One read of the aggregates: a row per group (or one row for the total alone).
      const dims = groupBy.map((d) => `${AGGREGATE_DIMENSION[d]} AS ${d}`);
      const list = groupBy.join(', ');
      const aggregateSql = groupBy.length > 0
        ? `SELECT ${dims.join(', ')}, ${SUMS} FROM ${table} WHERE ${whereSql} GROUP BY ${list} HAVING SUM(received) > 0 ORDER BY ${list}`
        : `SELECT ${SUMS} FROM ${table} WHERE ${whereSql}`;
      const rows = prepare(aggregateSql).all(bound(aggregateSql)) as AggregateRow[];
      const groups = rows.map(groupOf);

      // Open cases whose deadline is still ahead: from the partial index on open cases, by group.
      const keyOf = (values: unknown[]) => JSON.stringify(values);
      const openSql = `SELECT ${[...groupBy.map((d) => FACTS_DIMENSION[d]), 'COUNT(*) AS n'].join(', ')} FROM case_facts INDEXED BY case_facts_open_deadline_idx
        WHERE first_contact_at IS NULL AND closed_at IS NULL AND deadline_at >= @now AND ${whereSql}${groupBy.length > 0 ? ` GROUP BY ${groupBy.map((d) => FACTS_DIMENSION[d]).join(', ')}` : ''}`;
      const index = new Map<string, number>();
      rows.forEach((row, i) => index.set(keyOf(groupBy.map((d) => row[d] ?? null)), i));
      let openInTimeTotal = 0;
      for (const raw of prepare(openSql).raw(true).all(bound(openSql)) as unknown[][]) {
        const n = raw[groupBy.length] as number;
        openInTimeTotal += n;
        const g = index.get(keyOf(raw.slice(0, groupBy.length)));
        if (g !== undefined) groups[g]!.openInTime += n;
      }

      let total: Group;
      if (groupBy.length === 0) {
        total = groups[0] ?? groupOf({ ...Object.fromEntries(ADDITIVE.map((k) => [k, 0])), delays: '', orgKeys: '' } as AggregateRow);
      } else {
        // Groups partition the inquiries: sums add up, the value lists merge (distinct companies do not add up).
        // Concatenated before the groups' percentiles reorder their delays (the order does not matter).
        total = {
          openInTime: 0, delays: concat(groups.map((g) => g.delays)), companies: new Float64Array(0),
          distinctCompanies: countDistinct(groups.map((g) => g.companies)),
        } as Group;
        for (const k of ADDITIVE) total[k] = groups.reduce((sum, g) => sum + g[k], 0);
      }
      total.openInTime = openInTimeTotal;

      return {
        from: query.from,
        to: query.to,
        groupBy,
        filters: { county: countyCode, actor: actorId },
        asOf: new Date(now).toISOString(),
        total: figures(total),
        groups: groupBy.length === 0 ? [] : rows.map((row, i): ComplianceGroup => ({
          ...Object.fromEntries(groupBy.map((d) => [d, row[d] ?? null])),
          ...figures(groups[i]!),
        })),
      };
    },

    /** Open cases now by deadline state (on track, at risk, breached: open past the deadline), for the dashboard. */
    openByDeadlineState(query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, scope: string[] | null = null) {
      const now = clock();
      const { whereSql, bound } = filterOf(query, scope, now);
      const sqlText = `SELECT
          COALESCE(SUM(deadline_at >= @now AND at_risk_at > @now), 0) AS onTrack,
          COALESCE(SUM(deadline_at >= @now AND at_risk_at <= @now), 0) AS atRisk,
          COALESCE(SUM(deadline_at < @now), 0) AS breached
        FROM case_facts WHERE first_contact_at IS NULL AND closed_at IS NULL AND ${whereSql}`;
      return prepare(sqlText).get(bound(sqlText)) as { onTrack: number; atRisk: number; breached: number };
    },

    /**
     * How long first contact took: the number of contacted inquiries per bucket of elapsed hours, the
     * buckets split at `edgesHours` (ascending): [0, e1), [e1, e2), …, [eN, ∞). From the same exact
     * delays the percentiles come from.
     */
    firstContactDistribution(query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, scope: string[] | null, edgesHours: number[]): number[] {
      const { whereSql, bound } = filterOf(query, scope, clock());
      const sqlText = `SELECT COALESCE(group_concat(delays, ''), '') AS delays FROM compliance_daily_county_actor WHERE ${whereSql}`;
      const delays = parseList((prepare(sqlText).get(bound(sqlText)) as { delays: string }).delays);
      const counts = new Array<number>(edgesHours.length + 1).fill(0);
      for (const ms of delays) {
        let i = 0;
        while (i < edgesHours.length && ms >= edgesHours[i]! * HOUR_MS) i++;
        counts[i]!++;
      }
      return counts;
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;

const FIGURES: (keyof ComplianceFigures)[] = [
  'received', 'contactedInTime', 'contactedLate', 'openInTime', 'openOverdue', 'closedWithoutContact', 'complianceRate',
  'medianHoursToFirstContact', 'p90HoursToFirstContact', 'referrals', 'rightFirstTime', 'distinctCompanies', 'triaged',
  'feedbackResponses', 'feedbackRightHelpRate', 'target', 'targetMet',
];

/** The report as CSV (RFC 4180): one row per group and a last row `total`; empty cells for null. */
export function complianceCsv(report: ComplianceReport): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = ['row', ...report.groupBy, ...FIGURES];
  const lines = [header.join(',')];
  for (const g of report.groups) {
    lines.push(['group', ...report.groupBy.map((d) => g[d]), ...FIGURES.map((f) => g[f])].map(cell).join(','));
  }
  lines.push(['total', ...report.groupBy.map(() => ''), ...FIGURES.map((f) => report.total[f])].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
