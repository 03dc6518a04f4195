import { z } from 'zod';
import { SIZE_BANDS } from './projection.js';
import { msg } from '../shared/i18n.js';

/**
 * The statistics' request and response schemas. The `.describe` texts are the definitions of the figures as the
 * OpenAPI document publishes them; the arithmetic behind each is in projection.ts (`figuresOf`) and service.ts.
 */
export const GROUP_DIMENSIONS = ['county', 'actor', 'topic', 'month', 'week', 'channel', 'entryPoint', 'sizeBand', 'triageReason'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: msg('A calendar date, YYYY-MM-DD', 'Ett datum, ÅÅÅÅ-MM-DD') })
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, { message: msg('Not a calendar date', 'Inte ett datum som finns') });

const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');

const periodFilters = {
  from: localDateSchema.describe('First arrival date included (Europe/Stockholm calendar date, YYYY-MM-DD)'),
  to: localDateSchema.describe('Last arrival date included (Europe/Stockholm calendar date, YYYY-MM-DD)'),
  county: z.string().trim().min(1).max(60).optional().describe('Only inquiries in this county: ISO 3166-2 (SE-M), SCB code (12) or name'),
  actor: z.string().trim().min(1).max(100).optional().describe('Only inquiries first assigned to this actor id (e.g. almi)'),
  includeTests: booleanParam.optional().describe(
    'Analyst and admin keys: true counts registered mystery-shopping tests like other inquiries (default false: left out). ' +
    'Coordinator keys always see test inquiries counted like any other, so that nothing they see tells a test apart.'),
};

export const complianceQuerySchema = z
  .strictObject({
    ...periodFilters,
    groupBy: z
      .string()
      .max(200)
      .optional()
      .transform((s, ctx) => {
        const parts = (s ?? '').split(',').map((p) => p.trim()).filter(Boolean);
        const unknown = parts.filter((p) => !(GROUP_DIMENSIONS as readonly string[]).includes(p));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom', message: `Unknown grouping ${unknown.join(', ')}: use one or more of ${GROUP_DIMENSIONS.join(', ')}`,
            params: { sv: `Okänd gruppering ${unknown.join(', ')}: använd en eller flera av ${GROUP_DIMENSIONS.join(', ')}` },
          });
          return z.NEVER;
        }
        return [...new Set(parts)] as GroupDimension[];
      })
      .describe(`Comma-separated, one or more of ${GROUP_DIMENSIONS.join(', ')} (e.g. county,month). Without it only the total is given.`),
  })
  .refine((q) => q.from <= q.to, { message: msg('`from` must not be after `to`', '`from` får inte vara efter `to`'), path: ['from'] });

export type ComplianceQuery = z.infer<typeof complianceQuerySchema>;

const rate = z.number().min(0).max(1).nullable();
const hours = z.number().min(0).nullable();
const count = (description: string) => z.number().int().describe(description);

export const complianceFiguresSchema = z
  .object({
    received: count('Inquiries that arrived in the period (by Stockholm arrival date), by any door'),
    contactedInTime: count('Right-actor contact at or before the deadline. A contact is a right-actor contact unless the actor that made it later referred the case on as `misrouted`'),
    contactedLate: count('Right-actor contact after the deadline'),
    openInTime: count('No right-actor contact yet, not closed, deadline not yet passed (judged at `asOf`)'),
    openOverdue: count('No right-actor contact and the deadline has passed, open or closed after the deadline: breached. Includes a case contacted in time by an actor that then referred it on as misrouted, until the right actor reaches the company'),
    closedWithoutContact: count('Closed at or before the deadline without a right-actor contact (withdrawn, duplicate, spam); outside the compliance rate'),
    complianceRate: rate.describe('contactedInTime / (contactedInTime + contactedLate + openOverdue): right-actor contact in time among all whose outcome is known; null when none is known'),
    firstResponseInTime: count("First contact by any actor (right or not) at or before the deadline: the company heard from someone in time. Compare with contactedInTime: the difference is contacts in time by the wrong actor"),
    medianHoursToFirstContact: hours.describe('Median elapsed hours from arrival to the right-actor contact, over inquiries with one; delays are counted in whole minutes (rounded down), the median interpolated as PERCENTILE.INC; 2 decimals; null when none'),
    p90HoursToFirstContact: hours.describe('90th percentile of the same delays (PERCENTILE.INC), 2 decimals; null when none'),
    backdatedContacts: count('Inquiries whose right-actor contact was recorded more than BACKDATED_CONTACT_HOURS (default 24) after the instant it claims. Nothing is refused: the figure makes the practice visible'),
    referrals: count('Referrals between actors in the partnership, of every kind (each referral counts; a referral does not restart the clock)'),
    misroutedReferrals: count('Referrals of kind misrouted ("we are the wrong actor for this question"); the others are additional-need or, in old history and imports that do not say, of unknown kind'),
    rightFirstTime: rate.describe('Among inquiries with a right-actor contact, the share whose right-actor contact was made by the actor first assigned (no misrouted hand-over before the right actor); null when none'),
    distinctCompanies: count('Distinct companies (by organisation number) among the inquiries; inquiries without a number are not counted. A count only, never the numbers'),
    companiesHelped: count('Distinct companies with at least one inquiry closed with the outcome helped'),
    triaged: count("Inquiries that went to a county coordinator's triage queue (group by triageReason for why: unmet demand)"),
    jointWork: count('Inquiries where a first contact or a note named other actors who took part (withActors): joint visits and meetings'),
    closed: count('Inquiries closed (with any outcome)'),
    outcomeHelped: count('Closed as helped'),
    outcomeReferredOutside: count('Closed as referred-outside: referred outside the partnership (e.g. a bank, a lawyer)'),
    outcomeNoReply: count('Closed as no-reply: the company could not be reached'),
    outcomeDuplicate: count('Closed as duplicate'),
    outcomeWithdrawn: count('Closed as withdrawn by the company'),
    outcomeSpam: count('Closed as spam'),
    feedbackResponses: count("Companies' answers to the follow-up questions (new answers and answers to the old single question; imported answers included)"),
    feedbackResponseRate: rate.describe('Answers / closed cases offered the questions (every closed case but imported ones: the status link offers the questions once a case is closed); null when none offered'),
    companyConfirmedRightActorRate: rate.describe('Among answers to "Did you reach the right organisation within one working day?" (yes / no / unsure), the share of yes; answers to the old single question did not ask this and are not counted; null when none'),
    helpRate: rate.describe('Among answers to "Did you get the help you needed?", the share of yes (an old single answer counts by its yes / partly / no); null when none'),
    partlyHelpedRate: rate.describe('Among the same answers, the share of partly; null when none'),
    feedbackRightHelpRate: rate.describe('Deprecated: the same as helpRate (the old single question asked about help and the right organisation at once)'),
    target: z.number().describe('The compliance target (COMPLIANCE_TARGET, default 0.8)'),
    targetMet: z.boolean().nullable().describe('complianceRate >= target; null when the rate is null'),
  })
  .meta({ id: 'ComplianceFigures' });

export type ComplianceFigures = z.infer<typeof complianceFiguresSchema>;

const groupFields = {
  county: z.string().nullable().optional().describe('County code (ISO 3166-2); null when the county is unknown'),
  actor: z.string().nullable().optional().describe('Actor first assigned; null while unassigned (triage)'),
  topic: z.string().nullable().optional().describe('Top topic from classification; null when none'),
  month: z.string().optional().describe('Stockholm arrival month, YYYY-MM'),
  week: z.string().optional().describe('ISO 8601 week of the Stockholm arrival date, YYYY-Www'),
  channel: z.string().optional().describe('How the inquiry came: form, phone, email, visit, event, import'),
  entryPoint: z.string().nullable().optional().describe('The regional page or form that sent it; null when not given'),
  sizeBand: z.enum(SIZE_BANDS).optional().describe('Employees: 0-9, 10-49, 50-249, 250+, or unknown'),
  triageReason: z.string().nullable().optional().describe(
    'Why it went to triage (unmet demand): the out-of-scope group (tax, employment, registration, permits, private, spam, import, private-firm), ' +
    'unclear, no-actor-in-county, or unspecified (imports); null when it was not triaged'),
};

export const complianceGroupSchema = complianceFiguresSchema.extend(groupFields).meta({ id: 'ComplianceGroup' });
export type ComplianceGroup = z.infer<typeof complianceGroupSchema>;

export const complianceBenchmarkSchema = z
  .object({
    scope: z.literal('national'),
    groupBy: z.array(z.enum(GROUP_DIMENSIONS)).describe('The grouping of the request without county'),
    total: complianceFiguresSchema,
    groups: z.array(complianceGroupSchema),
  })
  .meta({
    id: 'ComplianceBenchmark',
    description: 'The same figures for the whole country, same period and actor filter, grouped the same way but not by county: a region sees itself beside the nation',
  });

export const complianceReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.array(z.enum(GROUP_DIMENSIONS)),
    filters: z.object({ county: z.string().nullable(), actor: z.string().nullable() }),
    asOf: z.iso.datetime().describe('The instant open cases were judged against their deadlines'),
    total: complianceFiguresSchema,
    groups: z.array(complianceGroupSchema).describe('One per combination of the grouping values that has inquiries, sorted by them (null first)'),
    benchmark: complianceBenchmarkSchema,
  })
  .meta({ id: 'ComplianceReport' });

export type ComplianceReport = z.infer<typeof complianceReportSchema>;

// --- Referrals -----------------------------------------------------------------------------------------------

export const referralsQuerySchema = z
  .strictObject({ ...periodFilters, actor: periodFilters.actor.describe('Only referrals made or received by this actor') })
  .refine((q) => q.from <= q.to, { message: msg('`from` must not be after `to`', '`from` får inte vara efter `to`'), path: ['from'] });
export type ReferralsQuery = z.infer<typeof referralsQuerySchema>;

export const referralCellSchema = z.object({
  from: z.string().nullable().describe('The referring actor; null when not known (imports without details)'),
  to: z.string().nullable().describe('The receiving actor; null when not known'),
  kind: z.enum(['misrouted', 'additional-need', 'unspecified']).describe('misrouted, additional-need, or unspecified (old history and imports that do not say)'),
  referrals: count('Referrals from → to of this kind'),
  companies: count('Distinct companies among them'),
}).meta({ id: 'ReferralCell' });

const referralTotalsSchema = z.object({
  referrals: count('Referrals between actors in the partnership'),
  misrouted: count('Of kind misrouted'),
  additionalNeed: count('Of kind additional-need'),
  unspecified: count('Of unknown kind'),
  referredOutside: count('Cases closed as referred-outside: referred outside the partnership'),
  inquiriesReferred: count('Inquiries with at least one referral'),
  companiesReferred: count('Distinct companies with at least one referral'),
});

export const referralsReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  filters: z.object({ county: z.string().nullable(), actor: z.string().nullable() }),
  asOf: z.iso.datetime(),
  matrix: z.array(referralCellSchema).describe('Every from → to pair and kind that occurred, sorted by from, to, kind; counted by the arrival date of the inquiry'),
  outsideByActor: z.array(z.object({ actor: z.string().nullable(), referredOutside: z.number().int() }))
    .describe('Cases closed as referred-outside, by the actor that closed them (the actor holding the case; null for a coordinator)'),
  totals: referralTotalsSchema,
  benchmark: z.object({ scope: z.literal('national'), totals: referralTotalsSchema }).describe('The same totals for the whole country'),
}).meta({ id: 'ReferralsReport' });
export type ReferralsReport = z.infer<typeof referralsReportSchema>;

// --- Indicators ----------------------------------------------------------------------------------------------

export const indicatorsQuerySchema = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100).describe('The calendar year (Stockholm arrival dates)'),
  county: periodFilters.county,
  includeTests: periodFilters.includeTests,
});
export type IndicatorsQuery = z.infer<typeof indicatorsQuerySchema>;

export const indicatorSchema = z.object({
  id: z.string(),
  name: z.string().describe('The indicator, in English'),
  nameSv: z.string().describe('The indicator, in Swedish'),
  value: z.number().nullable().describe('null when it cannot be computed (e.g. a rate with nothing to count)'),
  unit: z.enum(['companies', 'inquiries', 'share']),
  target: z.number().nullable().describe('The target, where there is one'),
  definition: z.string().describe('Exactly what is counted'),
}).meta({ id: 'Indicator' });

export const indicatorsReportSchema = z.object({
  year: z.number().int(),
  county: z.string().nullable(),
  asOf: z.iso.datetime(),
  indicators: z.array(indicatorSchema),
  benchmark: z.object({ scope: z.literal('national'), indicators: z.array(indicatorSchema) }).describe('The same indicators for the whole country'),
}).meta({ id: 'IndicatorsReport' });
export type IndicatorsReport = z.infer<typeof indicatorsReportSchema>;
export type Indicator = z.infer<typeof indicatorSchema>;
