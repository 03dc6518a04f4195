import { z } from 'zod';
import { ROUTING_GROUPS, type RoutingGroup } from './operations.js';
import { msg } from '../shared/i18n.js';
import { actorRefSchema, companySchema, countyRefSchema, inquiryRequestSchema } from '../intake/schemas.js';

/**
 * The preview takes what the intake form has before the company sends it: the intake body without
 * contact details and consent, and of the company at most its name and size (size can rule an actor out).
 */
export const routingPreviewRequestSchema = inquiryRequestSchema
  .omit({ contact: true, consent: true })
  .extend({ company: companySchema.pick({ name: true, employees: true }).partial().optional() })
  .meta({ id: 'RoutingPreviewRequest' });

export type RoutingPreviewRequest = z.infer<typeof routingPreviewRequestSchema>;

export const routingPreviewSchema = z
  .object({
    status: z.enum(['assigned', 'triage']).describe('assigned: goes straight to an actor; triage: a person at the export centre routes it'),
    triage: z.boolean(),
    triageReason: z.enum(['out-of-scope', 'unclear', 'no-actor-in-county']).nullable(),
    assignedActor: actorRefSchema.nullable(),
    alternatives: z.array(actorRefSchema).describe('Other actors offering a similar service, or serving a second need in the message'),
    topicId: z.string().nullable().describe('The topic that decided'),
    topics: z.array(z.object({
      id: z.string(),
      name: z.string(),
      score: z.number().describe('0..1'),
      rawScore: z.number(),
      matchedWords: z.array(z.string()).describe('The words in the text that decided, folded (lower case, no diacritics)'),
    })),
    confidence: z.number().describe('The probability that this decision is right (calibrated on held-out data by cross-validation); below the triage threshold the inquiry goes to triage'),
    probabilities: z.array(z.object({
      id: z.string().describe('An actor id (`chamber`: any chamber of commerce) or `out-of-scope`'),
      probability: z.number().describe('Combined probability of the rules and the learned layer, before the constraints'),
      learnedWords: z.array(z.object({ word: z.string(), weight: z.number() })).optional()
        .describe("The learned layer's strongest words for this class (the three most probable classes)"),
    })).describe('Every class the router chooses between, most probable first'),
    addressedTo: z.string().nullable().describe('The one actor the question is addressed to when it names no clearer need'),
    outOfScope: z.object({ id: z.string(), name: z.string(), matchedWords: z.array(z.string()) }).nullable()
      .describe("Signs that no actor handles the question (tax, employment, registration, permits, private, spam, import)"),
    county: countyRefSchema.nullable(),
    countySource: z.enum(['county', 'municipality', 'text']).nullable().describe('How the county was found: form field, municipality field or place names in the text'),
    municipalityCode: z.string().nullable(),
    placeEvidence: z.array(z.string()).describe('Place names in the text that decided the county, as written'),
    ambiguousPlaces: z.array(z.string()).describe('Place names found that could not decide (several counties, landscapes)'),
    explanation: z.string().describe("The router's explanation"),
    excluded: z.array(z.object({ actor: z.string(), why: z.string() })).describe('Actors ruled out, and why (size, amount, not present in the county)'),
  })
  .meta({ id: 'RoutingPreview' });

export type RoutingPreview = z.infer<typeof routingPreviewSchema>;

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: msg('A calendar date, YYYY-MM-DD', 'Ett datum, ÅÅÅÅ-MM-DD') })
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, { message: msg('Not a calendar date', 'Inte ett datum som finns') });

export const routingStatisticsQuerySchema = z
  .object({
    from: localDate.describe('First arrival date included (Europe/Stockholm calendar date, YYYY-MM-DD)'),
    to: localDate.describe('Last arrival date included (Europe/Stockholm calendar date, YYYY-MM-DD)'),
    groupBy: z
      .string()
      .max(100)
      .optional()
      .transform((s, ctx) => {
        const parts = (s ?? '').split(',').map((p) => p.trim()).filter(Boolean);
        const unknown = parts.filter((p) => !(ROUTING_GROUPS as readonly string[]).includes(p));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom', message: `Unknown grouping ${unknown.join(', ')}: use one or more of ${ROUTING_GROUPS.join(', ')}`,
            params: { sv: `Okänd gruppering ${unknown.join(', ')}: använd en eller flera av ${ROUTING_GROUPS.join(', ')}` },
          });
          return z.NEVER;
        }
        return [...new Set(parts)] as RoutingGroup[];
      })
      .describe(`Comma-separated, one or more of ${ROUTING_GROUPS.join(', ')} (e.g. topic,month). Without it only the total is given.`),
    county: z.string().trim().min(1).max(60).optional().describe('Only inquiries in this county: ISO 3166-2 (SE-M), SCB code (12) or name'),
  })
  .refine((q) => q.from <= q.to, { message: msg('`from` must not be after `to`', '`from` får inte vara efter `to`'), path: ['from'] });

const share = z.number().min(0).max(1).nullable();

export const routingFiguresSchema = z.object({
  received: z.number().int().describe('Inquiries that arrived in the period (by Stockholm arrival date)'),
  routed: z.number().int().describe('Sent straight to an actor by routing'),
  triaged: z.number().int().describe("Sent to a county's triage queue"),
  triagedOutOfScope: z.number().int().describe('Of those, read as outside every actor\'s remit'),
  triagedUnclear: z.number().int().describe('Of those, not sure enough to route'),
  triagedNoActorInCounty: z.number().int().describe('Of those, no actor serving the need in the county'),
  triageRate: share.describe('triaged / received; null when none arrived'),
  misrouted: z.number().int().describe('Routed inquiries referred on at least once because they were misrouted (a referral without a kind counts as misrouted)'),
  misroutedRate: share.describe('misrouted / routed: how often the actor routing chose was the wrong one; null when none was routed'),
  additionalNeedReferrals: z.number().int().describe('Referrals for an additional need (routing was right; the company needed more)'),
  assignedFromTriage: z.number().int().describe('Triage cases a coordinator assigned to an actor'),
  assignedFromTriageRate: share.describe('assignedFromTriage / triaged; null when none was triaged'),
  assignedFromTriageTo: z.record(z.string(), z.number().int()).describe('Actor id → triage cases assigned to it: the needs routing did not see'),
}).meta({ id: 'RoutingFigures' });

export const routingStatisticsSchema = z.object({
  from: z.string(),
  to: z.string(),
  county: z.string().nullable().describe('The county asked for (ISO 3166-2), or null'),
  groupBy: z.array(z.enum(ROUTING_GROUPS)),
  groups: z.array(routingFiguresSchema.extend({
    topic: z.string().nullable().optional().describe('The topic routing decided on; null when none'),
    actor: z.string().nullable().optional().describe('The actor routing chose; null for triage'),
    month: z.string().optional().describe('Stockholm arrival month, YYYY-MM'),
  })),
  total: routingFiguresSchema,
}).meta({ id: 'RoutingStatistics' });
