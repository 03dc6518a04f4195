import { z } from 'zod';
import { caseExperimentSchema } from '../experiments/case-experiment.js';
import { actorRefSchema, countyRefSchema, INQUIRY_CHANNELS } from '../intake/schemas.js';
import { DEADLINE_STATES } from '../deadlines/state.js';
import { CASE_ACTIONS, CASE_STATUSES } from './state-machine.js';
import { REFERRAL_KINDS } from './right-actor.js';

export const CONTACT_CHANNELS = ['phone', 'email', 'meeting', 'video'] as const;
export const CLOSE_OUTCOMES = ['helped', 'referred-outside', 'no-reply', 'duplicate', 'withdrawn', 'spam'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

const statusSchema = z.enum(CASE_STATUSES).describe(
  'triage: no actor yet, with the county\'s export centre; assigned: with an actor, unclaimed; claimed: a caseworker holds it; ' +
  'contacted: the actor has been in touch with the company; closed: done',
);

/** A comma-separated list (status=assigned,claimed) or the parameter repeated (status=assigned&status=claimed). */
function listParam<T extends z.ZodType<string, string>>(item: T, description: string) {
  return z.union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(30))
    .optional()
    .describe(description);
}

const instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

export const listCasesQuerySchema = z.strictObject({
  status: listParam(z.enum(CASE_STATUSES), 'Only cases in these statuses (comma-separated)'),
  county: listParam(z.string().min(1).max(60), 'Only cases in these counties: SE-M, 12 or Skåne (comma-separated)'),
  topic: listParam(z.string().min(1).max(80), 'Only cases classified under these topic ids (any of their topics; see /v1/topics)'),
  deadlineState: listParam(z.enum(DEADLINE_STATES), 'Only cases whose deadline state is one of these now: on-track, at-risk, breached, met, missed, closed'),
  updatedSince: instant.optional().describe(
    'RFC 3339 instant: only cases changed at or after it (inclusive), oldest change first. For pollers: pass the largest `updatedAt` seen so far.',
  ),
  order: z.enum(['deadline-desc', 'deadline-asc', 'updated']).optional().describe(
    'deadline-desc (newest deadline first; the default), deadline-asc (most urgent first) or updated (oldest change first; the default with updatedSince)',
  ),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(500).optional().describe('nextCursor from the previous page, as it is'),
});
export type ListCasesQuery = z.infer<typeof listCasesQuerySchema>;

export const triageQuerySchema = z.strictObject({
  county: listCasesQuerySchema.shape.county,
  limit: listCasesQuerySchema.shape.limit,
  cursor: listCasesQuerySchema.shape.cursor,
});

export const deadlineSchema = z.object({
  dueAt: z.iso.datetime().describe('When first contact is due; a referral does not move it'),
  policy: z.enum(['working-day', '24h']),
  state: z.enum(DEADLINE_STATES).describe('Derived now: on-track, at-risk, breached (no contact, past due; also when closed without contact after the deadline), met or missed (contact after the deadline), closed (closed without contact before the deadline: withdrawn, duplicate, spam)'),
  firstContactAt: z.iso.datetime().nullable().describe(
    'The first right-actor contact: what the deadline measures. A contact by an actor that then referred the case on as misrouted is not one, ' +
    'so after such a referral this is null again until the receiving actor reaches the company'),
  firstResponseAt: z.iso.datetime().nullable().describe('The first contact by any actor, right or not'),
}).meta({ id: 'CaseDeadline' });

export const claimSchema = z.object({
  keyId: z.string(),
  label: z.string(),
  at: z.iso.datetime(),
}).meta({ id: 'CaseClaim' });

export const caseSummarySchema = z.object({
  id: z.string().describe("The inquiry's id"),
  reference: z.string(),
  status: statusSchema,
  version: z.number().int().describe('Bumped by every change; send it back in If-Match'),
  receivedAt: z.iso.datetime().describe('When the company asked: what the deadline runs from'),
  channel: z.enum(INQUIRY_CHANNELS).describe('How it came: form, phone, email, visit, event (registered by a caseworker or coordinator), import'),
  entryPoint: z.string().nullable().describe('The regional page or form that sent it, when it said'),
  updatedAt: z.iso.datetime(),
  county: countyRefSchema.nullable(),
  companyName: z.string(),
  topics: z.array(z.object({ id: z.string(), name: z.string() })),
  assignedActor: actorRefSchema.nullable(),
  claimedBy: claimSchema.nullable(),
  deadline: deadlineSchema,
  triageReason: z.string().nullable().describe('Why routing sent it to triage: out-of-scope, unclear, no-actor-in-county'),
  closedAt: z.iso.datetime().nullable(),
  outcome: z.enum(CLOSE_OUTCOMES).nullable(),
}).meta({ id: 'CaseSummary' });

export const caseListSchema = z.object({
  items: z.array(caseSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
}).meta({ id: 'CaseList' });

export const caseSchema = caseSummarySchema.extend({
  company: z.object({
    name: z.string(),
    orgNumber: z.string().nullable().describe("NNNNNN-NNNN. A sole trader's personnummer is masked (NNNNNN-****) except for the assigned actor's caseworkers"),
    orgNumberIsPersonal: z.boolean(),
    employees: z.number().int().nullable(),
  }),
  contact: z.object({ name: z.string(), email: z.string(), phone: z.string().nullable() }),
  subject: z.string().nullable(),
  message: z.string(),
  language: z.string(),
  municipality: z.object({ code: z.string(), name: z.string() }).nullable(),
  classification: z.object({
    confidence: z.number(),
    topics: z.array(z.object({ id: z.string(), name: z.string(), score: z.number(), matchedWords: z.array(z.string()).describe('The words in the text that decided') })),
    outOfScope: z.object({ id: z.string(), name: z.string(), matchedWords: z.array(z.string()) }).nullable(),
  }),
  alternatives: z.array(actorRefSchema).describe('Other actors offering a similar service, that the company was told about'),
  firstAssignedActor: actorRefSchema.nullable(),
  experiment: caseExperimentSchema.nullable().describe('The pilot experiment the inquiry was drawn into at intake, and what to do in its arm; null when none'),
  actions: z.array(z.enum(CASE_ACTIONS)).describe('What the caller may do with the case now'),
}).meta({ id: 'Case' });

export const caseEventSchema = z.object({
  id: z.number().int(),
  type: z.string().describe('received, located, classified, routed, sent-to-triage, deadline-set, assigned, claimed, released, first-contact, referred, note-added, closed …'),
  at: z.iso.datetime(),
  by: z.string().describe('system, company, or the id of the API key that acted'),
  byRole: z.string().nullable(),
  byLabel: z.string().nullable().describe("The acting key's label"),
  data: z.record(z.string(), z.unknown()),
  note: z.object({ id: z.string(), kind: z.string(), text: z.string().nullable().describe('null once erased') }).nullable()
    .describe('The words written with the action, kept outside the append-only history'),
}).meta({ id: 'CaseEvent' });

export const caseEventsSchema = z.object({ items: z.array(caseEventSchema) }).meta({ id: 'CaseEvents' });

export const caseIdParams = z.object({ id: z.uuid().describe("The case's (inquiry's) id") });

const noteText = z.string().trim().min(1).max(5000);
const withActors = z.array(z.string().trim().min(1).max(60)).max(10).optional()
  .describe('Other actors who took part (a joint visit or meeting), by id: counted as joint work in the statistics');

export const firstContactSchema = z.strictObject({
  channel: z.enum(CONTACT_CHANNELS).describe('phone, email, meeting (a visit or meeting in person) or video'),
  at: instant.optional().describe(
    'When the contact happened; defaults to now. Not in the future, not before the inquiry arrived. ' +
    'Recorded more than BACKDATED_CONTACT_HOURS (default 24) after this instant, the contact is flagged backdated (the history shows both instants); nothing is refused'),
  note: noteText.optional(),
  withActors,
}).meta({ id: 'FirstContact' });

export const referSchema = z.strictObject({
  toActor: z.string().min(1).max(60).describe('The id of the actor to hand the case to'),
  kind: z.enum(REFERRAL_KINDS).describe(
    'misrouted: we are the wrong actor for this question (a contact we recorded does not count as reaching the right actor; the clock runs on ' +
    'until the receiving actor reaches the company). additional-need: we helped, and the company also needs another actor (our contact counts; ' +
    'record it first)'),
  reason: noteText.describe('Why, for the receiving caseworker'),
}).meta({ id: 'Referral' });

export const noteSchema = z.strictObject({ text: noteText, withActors }).meta({ id: 'CaseNote' });

export const closeSchema = z.strictObject({
  outcome: z.enum(CLOSE_OUTCOMES).describe('helped and referred-outside need first contact recorded first'),
  note: noteText.optional(),
}).meta({ id: 'CaseClose' });

export const assignSchema = z.strictObject({
  actor: z.string().min(1).max(60).describe('The id of the actor that takes the case'),
  note: noteText.optional(),
}).meta({ id: 'CaseAssignment' });

/** Loose: the other headers stay as they came (authorization, accept-language) for whatever reads them later. */
export const ifNoneMatchHeaders = z.looseObject({
  'if-none-match': z.string().max(1000).optional().describe('The ETag of the list as you last read it: an unchanged list is a 304 with no body'),
});

export const ifMatchHeaders = z.object({
  'if-match': z.string().max(200).optional().describe('The ETag (version) of the case as you last read it; a stale one is a 412'),
});
