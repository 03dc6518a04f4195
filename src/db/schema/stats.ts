import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, primaryKey, blob, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { inquiries } from './inquiries.js';

/**
 * One narrow row per inquiry with exactly what the statistics, the deadline sweeper and the metrics read: the
 * projection's per-case state (src/stats/projection.ts derives it from the inquiry and its history, in the same
 * write transaction as every change, and turns each change into deltas of the cells below). No personal data:
 * the company is a pseudonymous integer (stats_companies), never its number or a hash of it.
 */
export const caseFacts = sqliteTable(
  'case_facts',
  {
    inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
    receivedAt: integer('received_at').notNull(),
    /** Europe/Stockholm calendar date of arrival, YYYY-MM-DD: what every period of the statistics counts by. */
    localDate: text('local_date').notNull(),
    countyCode: text('county_code'),
    /** The actor first assigned: whose deadline it was. Null while in triage. */
    firstActorId: text('first_actor_id'),
    topTopicId: text('top_topic_id'),
    /** form | phone | email | visit | event | import */
    channel: text('channel').notNull(),
    entryPoint: text('entry_point'),
    /** 0-9 | 10-49 | 50-249 | 250+ | unknown, from the number of employees given. */
    sizeBand: text('size_band').notNull(),
    /** Why routing sent it to triage: an out-of-scope group id (tax, permits, …), unclear, no-actor-in-county, unspecified; null when not triaged. */
    triageReason: text('triage_reason'),
    /** 1 when an analyst registered it as a mystery-shopping test. */
    isTest: integer('is_test').notNull().default(0),
    /** The company (stats_companies.id); null when no organisation number was given. */
    companyId: integer('company_id'),
    deadlineAt: integer('deadline_at').notNull(),
    /** When the case becomes at risk, under the at-risk window in force at arrival. */
    atRiskAt: integer('at_risk_at').notNull(),
    /** The earliest contact by any actor (or coordinator). */
    firstResponseAt: integer('first_response_at'),
    /** The earliest right-actor contact: what the deadline measures (a contact by an actor that later referred the case on as misrouted is not one). */
    firstContactAt: integer('first_contact_at'),
    /** The actor that made it; null for a coordinator's contact on a triage case. */
    firstContactActorId: text('first_contact_actor_id'),
    /** 1 when that contact was recorded more than BACKDATED_CONTACT_HOURS after the instant it claims. */
    firstContactBackdated: integer('first_contact_backdated').notNull().default(0),
    closedAt: integer('closed_at'),
    /** helped | referred-outside | no-reply | duplicate | withdrawn | spam; null while open or when unknown (import). */
    outcome: text('outcome'),
    referrals: integer('referrals').notNull().default(0),
    referralsMisrouted: integer('referrals_misrouted').notNull().default(0),
    /** The referrals as JSON [{from, to, kind}] (kind null when not known: old history, imports without details). */
    referralList: text('referral_list', { mode: 'json' }).$type<{ from: string | null; to: string | null; kind: 'misrouted' | 'additional-need' | null }[]>(),
    triaged: integer('triaged').notNull().default(0),
    /** 1 when a first contact or a note named other actors who took part (joint visits and meetings). */
    jointWork: integer('joint_work').notNull().default(0),
    /** The channels of the recorded contacts, as bits: phone 1, email 2, meeting 4, video 8. */
    contactChannels: integer('contact_channels').notNull().default(0),
    /** The company's answers: right organisation within one working day (yes/no/unsure; null for the old single question), and help (yes/partly/no). */
    feedbackRightActor: text('feedback_right_actor'),
    feedbackHelp: text('feedback_help'),
    /** 0 none, 1 at-risk recorded, 2 breached recorded (the sweeper's bookkeeping). */
    escalated: integer('escalated').notNull().default(0),
  },
  (t) => [
    index('case_facts_date_idx').on(t.localDate, t.countyCode),
    index('case_facts_open_idx')
      .on(t.atRiskAt, t.deadlineAt, t.escalated)
      .where(sql`first_contact_at IS NULL AND closed_at IS NULL`),
    // The statistics' one figure that depends on the moment of the request: open cases still in time.
    index('case_facts_open_deadline_idx')
      .on(t.deadlineAt, t.localDate)
      .where(sql`first_contact_at IS NULL AND closed_at IS NULL`),
    index('case_facts_company_idx').on(t.companyId),
  ],
);

/**
 * The additive counts of a statistics cell, in the order of the columns. What each one counts is defined once,
 * in TypeScript, by `contribution` in src/stats/projection.ts.
 */
export const CELL_COUNTS = [
  'received', 'contactedInTime', 'contactedLate', 'open', 'closedWithoutContact', 'closedOverdue',
  'firstResponseInTime', 'backdatedContacts', 'referrals', 'referralsMisrouted', 'rightFirst', 'triaged', 'jointWork',
  'closed', 'outcomeHelped', 'outcomeReferredOutside', 'outcomeNoReply', 'outcomeDuplicate', 'outcomeWithdrawn', 'outcomeSpam',
  'feedbackOffered', 'feedbackResponses', 'feedbackFromOffered',
  'rightActorYes', 'rightActorNo', 'rightActorUnsure', 'helpYes', 'helpPartly', 'helpNo',
] as const;
export type CellCount = (typeof CELL_COUNTS)[number];
export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The statistics cells: one row per grain, Stockholm arrival date (or, for a roll-up grain such as `c@m`, the month
 * or ISO week it sums) and combination of the grain's dimensions
 * ('' where a dimension is none or not part of the grain), with the additive counts and two sparse
 * multisets that are not additive as numbers but merge exactly: `delays` (minutes from arrival to the
 * right-actor contact → count) and `companies` (company id → cases, cases closed as helped). See
 * src/stats/cells.ts for the encoding and src/stats/projection.ts for what goes in. WITHOUT ROWID (set in the
 * migration; drizzle cannot declare it): clustered on (grain, date), so a period is one range read.
 */
export const statsCells = sqliteTable(
  'stats_cells',
  {
    grain: text('grain').notNull(),
    localDate: text('local_date').notNull(),
    county: text('county').notNull().default(''),
    actor: text('actor').notNull().default(''),
    topic: text('topic').notNull().default(''),
    channel: text('channel').notNull().default(''),
    entryPoint: text('entry_point').notNull().default(''),
    sizeBand: text('size_band').notNull().default(''),
    triageReason: text('triage_reason').notNull().default(''),
    test: integer('test').notNull().default(0),
    ...(Object.fromEntries(CELL_COUNTS.map((c) => [c, integer(snakeCase(c)).notNull().default(0)])) as Record<CellCount, ReturnType<typeof integer>>),
    delays: blob('delays', { mode: 'buffer' }),
    companies: blob('companies', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.grain, t.localDate, t.county, t.actor, t.topic, t.channel, t.entryPoint, t.sizeBand, t.triageReason, t.test] })],
);

/**
 * Roll-ups of the day cells to be made again: a row per grain and month (`c@m`, `2026-05`) or ISO week (`c@w`,
 * `2026-W19`) whose day cells changed since its roll-up was built. Written in the same transaction as the change;
 * a query uses a roll-up only when it is not listed here, so it never reads a stale one (src/stats/compaction.ts).
 */
export const statsStale = sqliteTable(
  'stats_stale',
  {
    grain: text('grain').notNull(),
    period: text('period').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.period] })],
);

/**
 * Companies as the statistics know them: a small integer per company, so distinct companies are counted
 * exactly without keeping organisation numbers. `org_key` is a keyed hash (HMAC, 48 bits, key outside the
 * database: ORG_KEY_SECRET or ORG_KEY_FILE) that lets the next inquiry of the same company find its id; it is
 * removed when a sole trader's personal data is erased, so nothing derived from a personnummer stays.
 */
export const statsCompanies = sqliteTable(
  'stats_companies',
  {
    id: integer('id').primaryKey(),
    orgKey: integer('org_key'),
  },
  (t) => [uniqueIndex('stats_companies_org_key_idx').on(t.orgKey)],
);

/**
 * Mystery-shopping tests: inquiries an analyst registered as fictitious after sending them through a real door.
 * Kept here only, never in the inquiry's history or row, so that caseworkers and coordinators cannot tell.
 */
export const statsMysteryTests = sqliteTable('stats_mystery_tests', {
  inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
  expectedActorId: text('expected_actor_id').notNull(),
  registeredAt: integer('registered_at').notNull(),
  /** The analyst key that registered it. */
  registeredBy: text('registered_by').notNull(),
});

/** Escalations recorded by the sweeper: the primary key makes each one happen exactly once per case. */
export const deadlineEscalations = sqliteTable(
  'deadline_escalations',
  {
    inquiryId: text('inquiry_id').notNull().references(() => inquiries.id, { onDelete: 'restrict' }),
    kind: text('kind', { enum: ['at-risk', 'breached'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.inquiryId, t.kind] })],
);

/**
 * The company's answers after closing (once per case). `answer` is whether it got the help it needed (yes /
 * partly / no); `right_actor_in_time` whether it reached the right organisation within one working day (yes /
 * no / unsure), null for answers to the old single question ("right organisation and the help needed?"),
 * which are kept as they were given and read as the help answer. The comment is free text: kept here, never
 * in the history.
 */
export const caseFeedback = sqliteTable('case_feedback', {
  inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
  answer: text('answer', { enum: ['yes', 'partly', 'no'] }).notNull(),
  rightActorInTime: text('right_actor_in_time', { enum: ['yes', 'no', 'unsure'] }),
  comment: text('comment'),
  at: integer('at').notNull(),
});

/** Historical cases imported from regions' spreadsheets, by their external id (idempotent import). */
export const importedCases = sqliteTable('imported_cases', {
  externalId: text('external_id').primaryKey(),
  inquiryId: text('inquiry_id').notNull().unique().references(() => inquiries.id, { onDelete: 'restrict' }),
  importedAt: integer('imported_at').notNull(),
});

