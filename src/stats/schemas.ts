import { z } from 'zod';
import { msg } from '../shared/i18n.js';

export const GROUP_DIMENSIONS = ['county', 'actor', 'topic', 'month', 'week'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: msg('A calendar date, YYYY-MM-DD', 'Ett datum, ÅÅÅÅ-MM-DD') })
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, { message: msg('Not a calendar date', 'Inte ett datum som finns') });

export const complianceQuerySchema = z
  .strictObject({
    from: localDate.describe('First arrival date included (Europe/Stockholm calendar date, YYYY-MM-DD)'),
    to: localDate.describe('Last arrival date included (Europe/Stockholm calendar date, YYYY-MM-DD)'),
    groupBy: z
      .string()
      .max(100)
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
    county: z.string().trim().min(1).max(60).optional().describe('Only inquiries in this county: ISO 3166-2 (SE-M), SCB code (12) or name'),
    actor: z.string().trim().min(1).max(100).optional().describe('Only inquiries first assigned to this actor id (e.g. almi)'),
  })
  .refine((q) => q.from <= q.to, { message: msg('`from` must not be after `to`', '`from` får inte vara efter `to`'), path: ['from'] });

export type ComplianceQuery = z.infer<typeof complianceQuerySchema>;

const rate = z.number().min(0).max(1).nullable();
const hours = z.number().min(0).nullable();

export const complianceFiguresSchema = z
  .object({
    received: z.number().int().describe('Inquiries that arrived in the period (by Stockholm arrival date)'),
    contactedInTime: z.number().int().describe('First contact recorded at or before the deadline'),
    contactedLate: z.number().int().describe('First contact recorded after the deadline'),
    openInTime: z.number().int().describe('No first contact yet, not closed, deadline not yet passed'),
    openOverdue: z.number().int().describe('No first contact and the deadline has passed (including cases closed without contact after their deadline): breached'),
    closedWithoutContact: z.number().int().describe('Closed before the deadline without first contact (e.g. withdrawn, duplicate); outside the compliance rate'),
    complianceRate: rate.describe('contactedInTime / (contactedInTime + contactedLate + openOverdue): in time among all whose outcome is known; null when none is known'),
    medianHoursToFirstContact: hours.describe('Median elapsed hours from arrival to first contact, over contacted inquiries (linear interpolation, as PERCENTILE.INC); null when none'),
    p90HoursToFirstContact: hours.describe('90th percentile of elapsed hours from arrival to first contact (linear interpolation, as PERCENTILE.INC); null when none'),
    referrals: z.number().int().describe('Referrals between actors (each referral counts; a referral does not restart the clock)'),
    rightFirstTime: rate.describe('Among contacted inquiries, the share first contacted by the actor first assigned (no referral before first contact); null when none contacted'),
    distinctCompanies: z.number().int().describe('Distinct organisation numbers among the inquiries (a count only; inquiries without one are not counted)'),
    triaged: z.number().int().describe("Inquiries that went to a county coordinator's triage queue"),
    feedbackResponses: z.number().int().describe('Companies that answered the follow-up question after closing'),
    feedbackRightHelpRate: rate.describe('Among feedback answers, the share answering "yes" (right organisation and the help needed); null when no answers'),
    target: z.number().describe('The compliance target (COMPLIANCE_TARGET, default 0.8)'),
    targetMet: z.boolean().nullable().describe('complianceRate >= target; null when the rate is null'),
  })
  .meta({ id: 'ComplianceFigures' });

export type ComplianceFigures = z.infer<typeof complianceFiguresSchema>;

export const complianceGroupSchema = complianceFiguresSchema
  .extend({
    county: z.string().nullable().optional().describe('County code (ISO 3166-2); null when the county is unknown'),
    actor: z.string().nullable().optional().describe('Actor first assigned; null while unassigned (triage)'),
    topic: z.string().nullable().optional().describe('Top topic from classification; null when none'),
    month: z.string().optional().describe('Stockholm arrival month, YYYY-MM'),
    week: z.string().optional().describe('ISO 8601 week of the Stockholm arrival date, YYYY-Www'),
  })
  .meta({ id: 'ComplianceGroup' });

export type ComplianceGroup = z.infer<typeof complianceGroupSchema>;

export const complianceReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.array(z.enum(GROUP_DIMENSIONS)),
    filters: z.object({ county: z.string().nullable(), actor: z.string().nullable() }),
    asOf: z.iso.datetime().describe('The instant open cases were judged against their deadlines'),
    total: complianceFiguresSchema,
    groups: z.array(complianceGroupSchema).describe('One per combination of the grouping values that has inquiries, sorted by them'),
  })
  .meta({ id: 'ComplianceReport' });

export type ComplianceReport = z.infer<typeof complianceReportSchema>;
