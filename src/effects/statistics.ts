import { z } from 'zod';
import type { Db } from '../db/client.js';
import { msg } from '../shared/i18n.js';

/**
 * Effect statistics from the follow-up waves: per wave (months after closing) and group, how many
 * companies were asked, how many answered, and what they said. Cohort = the Stockholm month the
 * inquiry arrived. Only coded answers are read, never a comment, never a case.
 *
 * Small cells: a figure describing fewer than MIN_CELL companies is suppressed (null, `suppressed: true`):
 * invitations and the response rate when fewer than MIN_CELL companies were asked, the answer shares
 * when fewer than MIN_CELL answered. Complementary suppression: when exactly one group of a wave is
 * suppressed, the next smallest group is suppressed too, so that the wave's total minus the other groups
 * cannot give it away. Companies are counted by the keyed organisation-number hash (cases without one
 * count once each).
 */
export const MIN_CELL = 5;
export const EFFECT_DIMENSIONS = ['county', 'actor', 'topic', 'sizeBand', 'outcome', 'channel', 'arm'] as const;
export type EffectDimension = (typeof EFFECT_DIMENSIONS)[number];
const COLUMN: Record<EffectDimension, string> = {
  county: 'county_code', actor: 'actor_id', topic: 'topic_id', sizeBand: 'size_band', outcome: 'outcome', channel: 'channel',
  // The pilot experiment's arm, `experimentId:armId` (src/experiments), copied into the wave at closing; null outside any experiment.
  arm: 'arm',
};

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: msg('A month, YYYY-MM', 'En månad, ÅÅÅÅ-MM') });

export const effectsQuerySchema = z
  .strictObject({
    cohortFrom: month.describe('First cohort included: the Stockholm month the inquiries arrived, YYYY-MM'),
    cohortTo: month.describe('Last cohort included, YYYY-MM'),
    groupBy: z.string().max(100).optional().transform((s, ctx) => {
      const parts = (s ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      const unknown = parts.filter((p) => !(EFFECT_DIMENSIONS as readonly string[]).includes(p));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom', message: `Unknown grouping ${unknown.join(', ')}: use one or more of ${EFFECT_DIMENSIONS.join(', ')}`,
          params: { sv: `Okänd gruppering ${unknown.join(', ')}: använd en eller flera av ${EFFECT_DIMENSIONS.join(', ')}` },
        });
        return z.NEVER;
      }
      return [...new Set(parts)] as EffectDimension[];
    }).describe(`Comma-separated, any of ${EFFECT_DIMENSIONS.join(', ')}. Without it, one row per wave.`),
  })
  .refine((q) => q.cohortFrom <= q.cohortTo, { message: msg('`cohortFrom` must not be after `cohortTo`', '`cohortFrom` får inte vara efter `cohortTo`'), path: ['cohortFrom'] });
export type EffectsQuery = z.infer<typeof effectsQuerySchema>;

const share = z.number().min(0).max(1).nullable();
export const FIGURES = [
  'invitations', 'responses', 'responseRate', 'shareStartedExporting', 'shareExporting', 'shareNewMarkets',
  'contributionYes', 'contributionPartly', 'contributionNo', 'contributionDontKnow',
] as const;

export const effectsCellSchema = z.object({
  row: z.enum(['group', 'total']),
  months: z.number().int().describe('The wave: months after closing'),
  county: z.string().nullable().optional(), actor: z.string().nullable().optional(), topic: z.string().nullable().optional(),
  sizeBand: z.string().nullable().optional(), outcome: z.string().nullable().optional(), channel: z.string().nullable().optional(),
  arm: z.string().nullable().optional().describe('The pilot experiment and arm the inquiries were drawn into, `experimentId:armId`; null: none'),
  invitations: z.number().int().nullable().describe('Companies asked (the wave opened for them)'),
  responses: z.number().int().nullable().describe('Companies that answered'),
  responseRate: share.describe('responses / invitations'),
  shareStartedExporting: share.describe('Share of answers: started exporting since the inquiry'),
  shareExporting: share.describe('Share of answers: exporting now (started or continued)'),
  shareNewMarkets: share.describe('Share of answers naming at least one new export market'),
  contributionYes: share, contributionPartly: share, contributionNo: share, contributionDontKnow: share,
  suppressed: z.boolean().describe(`Some figures are null because they would describe fewer than ${MIN_CELL} companies`),
}).meta({ id: 'EffectsCell' });
export type EffectsCell = z.infer<typeof effectsCellSchema>;

export const effectsReportSchema = z.object({
  cohortFrom: z.string(), cohortTo: z.string(),
  groupBy: z.array(z.enum(EFFECT_DIMENSIONS)),
  minCellSize: z.number().int(),
  rows: z.array(effectsCellSchema).describe('Per wave: one row per group, then the wave\'s total'),
}).meta({ id: 'EffectsReport' });
export type EffectsReport = z.infer<typeof effectsReportSchema>;

interface Raw {
  months: number; invited: number; answered: number; started: number; exporting: number; newMarkets: number;
  cYes: number; cPartly: number; cNo: number; cDontKnow: number; [dim: string]: unknown;
}

const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

export function createEffectsStatistics(db: Db) {
  function query(q: EffectsQuery, scope: string[] | null, dims: EffectDimension[]): Raw[] {
    const select = dims.map((d) => `${COLUMN[d]} AS ${d}`);
    const where = ['cohort_month BETWEEN @from AND @to', 'invited_at IS NOT NULL'];
    if (scope) where.push(`county_code IN (${scope.map((_, i) => `@c${i}`).join(', ')})`);
    const company = "COALESCE(CAST(company_id AS TEXT), 'w:' || id)";
    const sql = `SELECT months, ${select.map((s) => `${s}, `).join('')}
        COUNT(DISTINCT ${company}) AS invited,
        COUNT(DISTINCT CASE WHEN answered_at IS NOT NULL THEN ${company} END) AS answered,
        COUNT(DISTINCT CASE WHEN exporting = 'started' THEN ${company} END) AS started,
        COUNT(DISTINCT CASE WHEN exporting IN ('started', 'continued') THEN ${company} END) AS exporting,
        COUNT(DISTINCT CASE WHEN new_markets <> '' THEN ${company} END) AS newMarkets,
        COUNT(DISTINCT CASE WHEN contribution = 'yes' THEN ${company} END) AS cYes,
        COUNT(DISTINCT CASE WHEN contribution = 'partly' THEN ${company} END) AS cPartly,
        COUNT(DISTINCT CASE WHEN contribution = 'no' THEN ${company} END) AS cNo,
        COUNT(DISTINCT CASE WHEN contribution = 'dont-know' THEN ${company} END) AS cDontKnow
      FROM follow_up_waves WHERE ${where.join(' AND ')}
      GROUP BY months${dims.map((d) => `, ${d}`).join('')} ORDER BY months${dims.map((d) => `, ${d}`).join('')}`;
    const params: Record<string, unknown> = { from: q.cohortFrom, to: q.cohortTo };
    scope?.forEach((c, i) => { params[`c${i}`] = c; });
    return db.$client.prepare(sql).all(params) as Raw[];
  }

  function cell(r: Raw, row: 'group' | 'total', dims: EffectDimension[]): EffectsCell {
    const fewInvited = r.invited < MIN_CELL;
    const fewAnswers = r.answered < MIN_CELL;
    const shares = (n: number) => (fewAnswers ? null : ratio(n, r.answered));
    return {
      row, months: r.months,
      ...Object.fromEntries(dims.map((d) => [d, (r[d] as string | null) ?? null])),
      invitations: fewInvited ? null : r.invited,
      responses: fewAnswers ? null : r.answered,
      responseRate: fewInvited || fewAnswers ? null : ratio(r.answered, r.invited),
      shareStartedExporting: shares(r.started),
      shareExporting: shares(r.exporting),
      shareNewMarkets: shares(r.newMarkets),
      contributionYes: shares(r.cYes), contributionPartly: shares(r.cPartly), contributionNo: shares(r.cNo), contributionDontKnow: shares(r.cDontKnow),
      suppressed: fewInvited || fewAnswers,
    };
  }

  /** When exactly one group of a wave hides a figure, hide it in the next smallest group too. */
  function complementary(groups: EffectsCell[], raws: Raw[]) {
    const hide = (base: 'invited' | 'answered', isHidden: (c: EffectsCell) => boolean, clear: (c: EffectsCell) => void) => {
      const hidden = groups.filter(isHidden);
      if (hidden.length !== 1 || groups.length < 2) return;
      let smallest = -1;
      groups.forEach((c, i) => {
        if (!isHidden(c) && (smallest < 0 || raws[i]![base] < raws[smallest]![base])) smallest = i;
      });
      if (smallest >= 0) {
        clear(groups[smallest]!);
        groups[smallest]!.suppressed = true;
      }
    };
    hide('invited', (c) => c.invitations === null, (c) => { c.invitations = null; c.responseRate = null; });
    hide('answered', (c) => c.responses === null, (c) => {
      c.responses = null; c.responseRate = null;
      for (const f of ['shareStartedExporting', 'shareExporting', 'shareNewMarkets', 'contributionYes', 'contributionPartly', 'contributionNo', 'contributionDontKnow'] as const) c[f] = null;
    });
  }

  return {
    /** `scope`: the county codes the caller may see; null for all. */
    report(q: EffectsQuery, scope: string[] | null): EffectsReport {
      const dims = q.groupBy ?? [];
      const totals = query(q, scope, []);
      const grouped = dims.length ? query(q, scope, dims) : [];
      const rows: EffectsCell[] = [];
      for (const total of totals) {
        const raws = grouped.filter((g) => g.months === total.months);
        const groups = raws.map((g) => cell(g, 'group', dims));
        complementary(groups, raws);
        rows.push(...groups, cell(total, 'total', dims));
      }
      return { cohortFrom: q.cohortFrom, cohortTo: q.cohortTo, groupBy: dims, minCellSize: MIN_CELL, rows };
    },
  };
}

export type EffectsStatistics = ReturnType<typeof createEffectsStatistics>;

export function effectsCsv(report: EffectsReport, toCsv: (header: string[], rows: unknown[][]) => string): string {
  const header = ['row', 'months', ...report.groupBy, ...FIGURES, 'suppressed'];
  return toCsv(header, report.rows.map((r) => [r.row, r.months, ...report.groupBy.map((d) => r[d] ?? ''), ...FIGURES.map((f) => r[f]), r.suppressed ? 'true' : 'false']));
}
