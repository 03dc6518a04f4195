import type { ComplianceFigures, ComplianceReport, ReferralsReport } from '../../stats/schemas.js';
import type { StatsService, Viewer } from '../../stats/service.js';
import { formatNumber, formatPercent, TEXTS, type Language } from '../i18n.js';

/**
 * The one place that maps the statistics service's figures to the dashboard's charts: which report feeds
 * which chart, which figure is drawn and which are tabled. When the statistics change (right-actor
 * contact, new figures), this module changes; the drawing, tables and CSV follow from the models.
 */
export interface DashboardFilter { from: string; to: string; county?: string | undefined; actor?: string | undefined }

export type Format = 'count' | 'share' | 'hours';
export interface Column { key: string; label: string; format: Format }
export interface Row { key: string; label: string; values: Record<string, number | null> }

export interface ChartModel {
  id: 'county' | 'trend' | 'first-contact' | 'first-contact-county' | 'open' | 'referrals' | 'triage';
  title: string;
  /** For link texts: "Ladda ned {short} som CSV". */
  short: string;
  description: string;
  /** hbar: one horizontal bar per row (long labels); vbar: columns in order (months, buckets). */
  kind: 'hbar' | 'vbar';
  category: string;
  columns: Column[];
  rows: Row[];
  /** The column drawn. */
  value: string;
  target?: number | undefined;
}

/** First-contact buckets, in elapsed hours: under 4, 4–8, 8–24 (one day), 24–48, 48–72, over 72. */
export const BUCKET_EDGES_HOURS = [4, 8, 24, 48, 72];

export interface DashboardData {
  total: ComplianceFigures;
  byCounty: ComplianceReport['groups'];
  byMonth: ComplianceReport['groups'];
  byActor: ComplianceReport['groups'];
  open: { onTrack: number; atRisk: number; breached: number };
  distribution: number[];
  /** Referrals between actors, as GET /v1/stats/referrals reports them (the referral matrix: matrix.ts). */
  referrals: ReferralsReport;
}

/**
 * Everything the dashboard shows, read from the statistics service: the same figures the API serves, for the signed-in
 * key (its role and counties, as in the API). "In time" is the right actor's contact in time (complianceRate,
 * contactedInTime): a contact by an actor that then referred the case on as misrouted does not count; the county
 * table shows the first response by any actor beside it (firstResponseInTime), so both readings are visible.
 */
export function loadDashboard(stats: StatsService, filter: DashboardFilter, viewer: Viewer): DashboardData {
  const base = { from: filter.from, to: filter.to, ...(filter.county ? { county: filter.county } : {}), ...(filter.actor ? { actor: filter.actor } : {}) };
  const byCounty = stats.compliance({ ...base, groupBy: ['county'] }, viewer);
  return {
    total: byCounty.total,
    byCounty: byCounty.groups,
    byMonth: stats.compliance({ ...base, groupBy: ['month'] }, viewer).groups,
    byActor: stats.compliance({ ...base, groupBy: ['actor'] }, viewer).groups,
    open: stats.openByDeadlineState(base, viewer),
    distribution: stats.firstContactDistribution(base, viewer, BUCKET_EDGES_HOURS),
    // `actor` here keeps the referrals the actor made or received, as in the API.
    referrals: stats.referrals(base, viewer),
  };
}

export interface Names { county: (code: string | null) => string; actor: (id: string | null) => string }

export function chartsOf(data: DashboardData, language: Language, names: Names): ChartModel[] {
  const t = TEXTS[language];
  const c = t.columns;
  const target = data.total.target;
  const targetText = formatPercent(target, language, 0);
  const below = data.byCounty.filter((g) => g.complianceRate !== null && g.complianceRate < target).length;
  const contactedTotal = data.distribution.reduce((a, b) => a + b, 0);
  const hours = (h: number | null) => (h === null ? t.notAvailable : t.hoursValue(formatNumber(h, language)));
  const openTotal = data.open.onTrack + data.open.atRisk + data.open.breached;

  return [
    {
      id: 'county', ...t.charts.county, kind: 'hbar', value: 'rate', target,
      description: t.chartDescription.county(data.byCounty.length, below, targetText),
      columns: [
        { key: 'received', label: c.received, format: 'count' }, { key: 'inTime', label: c.inTime, format: 'count' },
        { key: 'late', label: c.late, format: 'count' }, { key: 'overdue', label: c.overdue, format: 'count' },
        { key: 'anyInTime', label: c.anyInTime, format: 'count' },
        { key: 'rate', label: c.rate, format: 'share' },
      ],
      rows: data.byCounty.map((g) => ({
        key: g.county ?? '', label: names.county(g.county ?? null),
        values: { received: g.received, inTime: g.contactedInTime, late: g.contactedLate, overdue: g.openOverdue, anyInTime: g.firstResponseInTime, rate: g.complianceRate },
      })),
    },
    {
      id: 'trend', ...t.charts.trend, kind: 'vbar', value: 'rate', target,
      description: t.chartDescription.trend(data.byMonth.length),
      columns: [
        { key: 'received', label: c.received, format: 'count' }, { key: 'inTime', label: c.inTime, format: 'count' },
        { key: 'rate', label: c.rate, format: 'share' },
      ],
      rows: data.byMonth.map((g) => ({ key: g.month ?? '', label: g.month ?? '', values: { received: g.received, inTime: g.contactedInTime, rate: g.complianceRate } })),
    },
    {
      id: 'first-contact', ...t.charts.firstContact, kind: 'vbar', value: 'count',
      description: t.chartDescription.firstContact(hours(data.total.medianHoursToFirstContact), hours(data.total.p90HoursToFirstContact)),
      columns: [{ key: 'count', label: c.count, format: 'count' }, { key: 'share', label: c.share, format: 'share' }],
      rows: data.distribution.map((n, i) => ({
        key: String(i), label: t.buckets[i] ?? String(i),
        values: { count: n, share: contactedTotal === 0 ? null : Math.round((n / contactedTotal) * 10_000) / 10_000 },
      })),
    },
    {
      id: 'first-contact-county', ...t.charts.firstContactByCounty, kind: 'hbar', value: 'median',
      description: t.chartDescription.firstContact(hours(data.total.medianHoursToFirstContact), hours(data.total.p90HoursToFirstContact)),
      columns: [
        { key: 'contacted', label: c.contacted, format: 'count' }, { key: 'median', label: c.median, format: 'hours' },
        { key: 'p90', label: c.p90, format: 'hours' },
      ],
      rows: data.byCounty.map((g) => ({
        key: g.county ?? '', label: names.county(g.county ?? null),
        values: { contacted: g.contactedInTime + g.contactedLate, median: g.medianHoursToFirstContact, p90: g.p90HoursToFirstContact },
      })),
    },
    {
      id: 'open', ...t.charts.open, kind: 'vbar', value: 'count',
      description: t.chartDescription.open(openTotal),
      columns: [{ key: 'count', label: c.count, format: 'count' }],
      rows: (['on-track', 'at-risk', 'breached'] as const).map((state) => ({
        key: state, label: t.openStates[state]!,
        values: { count: state === 'on-track' ? data.open.onTrack : state === 'at-risk' ? data.open.atRisk : data.open.breached },
      })),
    },
    {
      id: 'referrals', ...t.charts.referrals, kind: 'hbar', value: 'referrals',
      description: t.chartDescription.referrals(data.total.referrals),
      columns: [
        { key: 'received', label: c.received, format: 'count' }, { key: 'referrals', label: c.referrals, format: 'count' },
        { key: 'rightFirstTime', label: c.rightFirstTime, format: 'share' },
      ],
      rows: data.byActor.map((g) => ({
        key: g.actor ?? '', label: g.actor ? names.actor(g.actor) : t.triageQueue,
        values: { received: g.received, referrals: g.referrals, rightFirstTime: g.rightFirstTime },
      })),
    },
    {
      id: 'triage', ...t.charts.triage, kind: 'hbar', value: 'share',
      description: t.chartDescription.triage(data.byCounty.length),
      columns: [
        { key: 'received', label: c.received, format: 'count' }, { key: 'triaged', label: c.triaged, format: 'count' },
        { key: 'share', label: c.triageShare, format: 'share' },
      ],
      rows: data.byCounty.map((g) => ({
        key: g.county ?? '', label: names.county(g.county ?? null),
        values: { received: g.received, triaged: g.triaged, share: g.received === 0 ? null : Math.round((g.triaged / g.received) * 10_000) / 10_000 },
      })),
    },
  ];
}

/** A value as the tables show it. */
export function formatValue(value: number | null, format: Format, language: Language): string {
  if (value === null) return TEXTS[language].notAvailable;
  if (format === 'share') return formatPercent(value, language);
  if (format === 'hours') return formatNumber(value, language, 1);
  return formatNumber(value, language, 0);
}
