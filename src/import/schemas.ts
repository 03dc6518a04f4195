import { z } from 'zod';
import { DEADLINE_POLICIES } from '../deadlines/policy.js';
import { parseOrgNumber } from '../intake/org-number.js';

/**
 * One historical case per NDJSON line. Instants are ISO 8601 with an offset (2026-03-27T16:30:00+01:00).
 * The deadline is computed from `receivedAt` under `deadlinePolicy` (default: the policy in force).
 */
const instant = z.iso.datetime({ offset: true, message: 'An ISO 8601 instant with offset, e.g. 2026-03-27T16:30:00+01:00' });
const id = z.string().trim().min(1).max(100);

export const importLineSchema = z
  .strictObject({
    externalId: id.describe("The case's id in the source system; importing it again is a no-op"),
    receivedAt: instant.describe('When the inquiry arrived'),
    county: z.string().trim().min(1).max(60).describe('County: SE-M, 12 or Skåne'),
    actor: id.nullable().optional().describe('Actor first assigned (id, e.g. almi); null or absent: it went to triage'),
    topic: id.nullable().optional().describe('Topic id (see GET /v1/topics)'),
    orgNumber: z.string().max(20).refine((v) => parseOrgNumber(v) !== null, { message: 'Not a valid Swedish organisation number' }).nullable().optional(),
    deadlinePolicy: z.enum(DEADLINE_POLICIES).optional(),
    firstContactAt: instant.nullable().optional().describe('First contact with the company'),
    firstContactActor: id.nullable().optional().describe('Actor that made first contact (default: actor)'),
    referrals: z.number().int().min(0).max(100).default(0).describe('Referrals between actors'),
    triaged: z.boolean().default(false).describe("Went through a coordinator's triage queue"),
    closedAt: instant.nullable().optional(),
    outcome: z.string().trim().min(1).max(60).nullable().optional().describe('How the case was closed, as in the source system'),
    feedback: z.enum(['yes', 'partly', 'no']).nullable().optional().describe("The company's follow-up answer, when collected"),
  })
  .superRefine((line, ctx) => {
    const received = Date.parse(line.receivedAt);
    if (line.firstContactAt && Date.parse(line.firstContactAt) < received) {
      ctx.addIssue({ code: 'custom', path: ['firstContactAt'], message: 'First contact before arrival' });
    }
    if (line.closedAt && Date.parse(line.closedAt) < received) {
      ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'Closed before arrival' });
    }
    if (line.outcome && !line.closedAt) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'An outcome needs closedAt' });
    if (line.feedback && !line.closedAt) ctx.addIssue({ code: 'custom', path: ['feedback'], message: 'Feedback is given after closing: needs closedAt' });
    if (line.firstContactActor && !line.firstContactAt) ctx.addIssue({ code: 'custom', path: ['firstContactActor'], message: 'Needs firstContactAt' });
  })
  .meta({ id: 'ImportLine' });

export type ImportLine = z.infer<typeof importLineSchema>;

export const importReportSchema = z
  .object({
    lines: z.number().int().describe('Non-empty lines read'),
    imported: z.number().int().describe('Cases imported now'),
    alreadyImported: z.number().int().describe('Lines whose externalId was imported before (idempotent: left as they were)'),
    failed: z.number().int().describe('Lines rejected; nothing of them was imported'),
    errors: z
      .array(z.object({ line: z.number().int().describe('1-based line number'), externalId: z.string().nullable(), errors: z.array(z.string()) }))
      .describe('Why each rejected line was rejected (the first 1,000)'),
  })
  .meta({ id: 'ImportReport' });

export type ImportReport = z.infer<typeof importReportSchema>;
