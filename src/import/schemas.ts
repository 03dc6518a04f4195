import { z } from 'zod';
import { DEADLINE_POLICIES } from '../deadlines/policy.js';
import { parseOrgNumber } from '../intake/org-number.js';
import { CLOSE_OUTCOMES } from '../cases/schemas.js';
import { HELP_ANSWERS, RIGHT_ACTOR_ANSWERS } from '../stats/feedback.js';

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
    referrals: z.number().int().min(0).max(100).optional().describe('Referrals between actors (default: the number of referralDetails, else 0)'),
    referralDetails: z.array(z.strictObject({
      from: id.nullable().optional().describe('The referring actor'),
      to: id.describe('The receiving actor'),
      misrouted: z.boolean().describe('true: the referring actor was the wrong one for the question; false: an additional need'),
    })).max(100).optional().describe(
      'The referrals one by one, when known. A misrouted referral from the actor that made first contact means that contact did not reach the right actor. ' +
      'Without details every referral counts as of unknown kind, which keeps the first contact (as referrals were always counted)'),
    rightActorContactAt: instant.nullable().optional().describe('When the first contact was misrouted: the first contact by the right actor'),
    rightActorContactActor: id.nullable().optional().describe('The actor that made it (default: the actor the last referral went to)'),
    triaged: z.boolean().default(false).describe("Went through a coordinator's triage queue"),
    triageReason: z.string().trim().regex(/^[a-z][a-z-]{0,40}$/).nullable().optional().describe('Why it went to triage: an out-of-scope group (tax, permits, …), unclear or no-actor-in-county'),
    employees: z.number().int().min(0).max(1_000_000).nullable().optional().describe("The company's number of employees (for sizeBand)"),
    closedAt: instant.nullable().optional(),
    outcome: z.enum(CLOSE_OUTCOMES).nullable().optional().describe(`How the case was closed, as one of the service's own codes: ${CLOSE_OUTCOMES.join(', ')} (map the source system's words to these; others are rejected)`),
    rightActorInTime: z.enum(RIGHT_ACTOR_ANSWERS).nullable().optional().describe('The company\'s answer to "Did you reach the right organisation within one working day?", when collected'),
    gotHelp: z.enum(HELP_ANSWERS).nullable().optional().describe('The company\'s answer to "Did you get the help you needed?", when collected'),
    feedback: z.enum(HELP_ANSWERS).nullable().optional().describe("The company's answer to the old single follow-up question, when collected (read as gotHelp)"),
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
    if ((line.gotHelp || line.rightActorInTime) && !line.closedAt) ctx.addIssue({ code: 'custom', path: ['gotHelp'], message: 'Answers are given after closing: needs closedAt' });
    if (line.gotHelp && line.feedback) ctx.addIssue({ code: 'custom', path: ['feedback'], message: 'Give gotHelp or the old feedback, not both' });
    if (line.referralDetails && line.referrals !== undefined && line.referrals !== line.referralDetails.length) {
      ctx.addIssue({ code: 'custom', path: ['referrals'], message: 'Must equal the number of referralDetails' });
    }
    if (line.rightActorContactAt) {
      if (!line.firstContactAt) ctx.addIssue({ code: 'custom', path: ['rightActorContactAt'], message: 'Needs firstContactAt (the misrouted first contact)' });
      else if (Date.parse(line.rightActorContactAt) < Date.parse(line.firstContactAt)) ctx.addIssue({ code: 'custom', path: ['rightActorContactAt'], message: 'Before the first contact' });
    }
    if (line.rightActorContactActor && !line.rightActorContactAt) ctx.addIssue({ code: 'custom', path: ['rightActorContactActor'], message: 'Needs rightActorContactAt' });
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
