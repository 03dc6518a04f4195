import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { badRequest, ProblemError } from '../shared/problems.js';
import type { ReferenceService } from '../reference/service.js';
import type { ComplianceFigures, ComplianceGroup, ComplianceQuery, ComplianceReport, GroupDimension } from './schemas.js';

/**
 * Compliance statistics: aggregated in SQL with GROUP BY over the narrow `case_facts` rows of the
 * period (indexed by Stockholm arrival date), so a year of a million inquiries is one scan of small
 * rows. Percentiles of time to first contact are computed per group over just that column.
 */
const COLUMN: Record<GroupDimension, string> = {
  county: 'county_code',
  actor: 'first_actor_id',
  topic: 'top_topic_id',
  month: 'local_month',
  week: 'iso_week',
};

const AGGREGATES = `
  COUNT(*) AS received,
  COALESCE(SUM(first_contact_at <= deadline_at), 0) AS contactedInTime,
  COALESCE(SUM(first_contact_at > deadline_at), 0) AS contactedLate,
  COALESCE(SUM(first_contact_at IS NULL AND closed_at IS NULL AND deadline_at >= @now), 0) AS openInTime,
  COALESCE(SUM(first_contact_at IS NULL AND deadline_at < @now AND (closed_at IS NULL OR closed_at > deadline_at)), 0) AS openOverdue,
  COALESCE(SUM(first_contact_at IS NULL AND closed_at <= deadline_at), 0) AS closedWithoutContact,
  COALESCE(SUM(referrals), 0) AS referrals,
  COALESCE(SUM(first_contact_at IS NOT NULL AND first_contact_actor_id IS first_actor_id), 0) AS rightFirst,
  COUNT(DISTINCT org_key) AS distinctCompanies,
  COALESCE(SUM(triaged), 0) AS triaged,
  COALESCE(SUM(feedback = 'yes'), 0) AS feedbackYes,
  COUNT(feedback) AS feedbackResponses`;

interface AggregateRow {
  received: number; contactedInTime: number; contactedLate: number; openInTime: number; openOverdue: number;
  closedWithoutContact: number; referrals: number; rightFirst: number; distinctCompanies: number; triaged: number;
  feedbackYes: number; feedbackResponses: number;
  [dimension: string]: unknown;
}

/** The p-quantile of sorted values with linear interpolation between closest ranks (PERCENTILE.INC). */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = p * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
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

  function figures(row: AggregateRow, delays: Float64Array): ComplianceFigures {
    delays.sort();
    const contacted = row.contactedInTime + row.contactedLate;
    const complianceRate = ratio(row.contactedInTime, contacted + row.openOverdue);
    return {
      received: row.received,
      contactedInTime: row.contactedInTime,
      contactedLate: row.contactedLate,
      openInTime: row.openInTime,
      openOverdue: row.openOverdue,
      closedWithoutContact: row.closedWithoutContact,
      complianceRate,
      medianHoursToFirstContact: round(percentile(delays, 0.5), 2),
      p90HoursToFirstContact: round(percentile(delays, 0.9), 2),
      referrals: row.referrals,
      rightFirstTime: ratio(row.rightFirst, contacted),
      distinctCompanies: row.distinctCompanies,
      triaged: row.triaged,
      feedbackResponses: row.feedbackResponses,
      feedbackRightHelpRate: ratio(row.feedbackYes, row.feedbackResponses),
      target,
      targetMet: complianceRate === null ? null : complianceRate >= target,
    };
  }

  return {
    /** `scope`: the county codes the caller may see (an API key limited to counties); null for all. */
    compliance(query: ComplianceQuery, scope: string[] | null = null): ComplianceReport {
      const now = clock();
      const groupBy = query.groupBy ?? [];
      let countyCode: string | null = null;
      if (query.county !== undefined) {
        const county = reference.places.resolveCountyInput(query.county);
        if (!county) throw badRequest(`Unknown county "${query.county}"`, [{ name: 'query.county', reason: 'Unknown county: use an ISO 3166-2 code (SE-M), an SCB code (12) or a name' }]);
        countyCode = county.code;
      }
      if (query.actor !== undefined && !reference.actor(query.actor)) {
        throw badRequest(`Unknown actor "${query.actor}"`, [{ name: 'query.actor', reason: 'Unknown actor id: see GET /v1/actors' }]);
      }
      const actorId = query.actor ?? null;

      if (scope !== null && countyCode !== null && !scope.includes(countyCode)) {
        throw new ProblemError(403, 'forbidden', 'Not allowed', `This key is limited to ${scope.join(', ')}.`);
      }
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
      const columns = groupBy.map((d) => `${COLUMN[d]} AS ${d}`);

      // One GROUP BY for the groups (additive and distinct counts), one for the total (distinct is not additive).
      const totalSql = `SELECT ${AGGREGATES} FROM case_facts WHERE ${whereSql}`;
      const total = prepare(totalSql).get(bound(totalSql)) as AggregateRow;
      let groupRows: AggregateRow[] = [];
      if (groupBy.length > 0) {
        const list = groupBy.map((d) => COLUMN[d]).join(', ');
        const groupSql = `SELECT ${columns.join(', ')}, ${AGGREGATES} FROM case_facts WHERE ${whereSql} GROUP BY ${list} ORDER BY ${list}`;
        groupRows = prepare(groupSql).all(bound(groupSql)) as AggregateRow[];
      }

      // Times to first contact, one small column, bucketed by group in JS and sorted per group.
      const delaySql = `SELECT ${[...groupBy.map((d) => COLUMN[d]), '(first_contact_at - received_at)'].join(', ')} FROM case_facts WHERE ${whereSql} AND first_contact_at IS NOT NULL`;
      const keyOf = (values: unknown[]) => JSON.stringify(values);
      const index = new Map<string, number>();
      groupRows.forEach((row, i) => index.set(keyOf(groupBy.map((d) => row[d] ?? null)), i));
      const counts = new Int32Array(groupRows.length);
      const delays = groupRows.map((row) => new Float64Array(row.contactedInTime + row.contactedLate));
      const all = new Float64Array(total.contactedInTime + total.contactedLate);
      let allCount = 0;
      const width = groupBy.length;
      for (const raw of prepare(delaySql).raw(true).iterate(bound(delaySql)) as Iterable<unknown[]>) {
        const hours = (raw[width] as number) / HOUR_MS;
        all[allCount++] = hours;
        if (width > 0) {
          const g = index.get(keyOf(raw.slice(0, width)))!;
          delays[g]![counts[g]!++] = hours;
        }
      }

      return {
        from: query.from,
        to: query.to,
        groupBy,
        filters: { county: countyCode, actor: actorId },
        asOf: new Date(now).toISOString(),
        total: figures(total, all),
        groups: groupRows.map((row, i): ComplianceGroup => ({
          ...Object.fromEntries(groupBy.map((d) => [d, row[d] ?? null])),
          ...figures(row, delays[i]!),
        })),
      };
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
