import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { inquiries } from './inquiries.js';

/**
 * One narrow row per inquiry with exactly what the compliance statistics, the deadline sweeper and the
 * metrics read, so that they aggregate over small rows with GROUP BY instead of parsing inquiries.
 * Inserted with the inquiry (intake, import); kept current in the same transaction as the change by
 * triggers on `inquiries` and `inquiry_events` (see the migration `case_facts_triggers`) and by the
 * stats capability itself (feedback, escalations). Holds no personal data: the organisation number is
 * only a keyed hash, used to count distinct companies.
 */
export const caseFacts = sqliteTable(
  'case_facts',
  {
    inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
    receivedAt: integer('received_at').notNull(),
    /** Europe/Stockholm calendar date of arrival, YYYY-MM-DD; month YYYY-MM; ISO week YYYY-Www. */
    localDate: text('local_date').notNull(),
    localMonth: text('local_month').notNull(),
    isoWeek: text('iso_week').notNull(),
    countyCode: text('county_code'),
    /** The actor first assigned: whose deadline it was. Null while in triage. */
    firstActorId: text('first_actor_id'),
    /** The actor assigned when first contact was recorded. */
    firstContactActorId: text('first_contact_actor_id'),
    topTopicId: text('top_topic_id'),
    /** Keyed hash of the organisation number (48 bits), only to count distinct companies. */
    orgKey: integer('org_key'),
    deadlineAt: integer('deadline_at').notNull(),
    /** When the case becomes at risk, under the at-risk window in force at arrival. */
    atRiskAt: integer('at_risk_at').notNull(),
    firstContactAt: integer('first_contact_at'),
    closedAt: integer('closed_at'),
    referrals: integer('referrals').notNull().default(0),
    triaged: integer('triaged').notNull().default(0),
    feedback: text('feedback', { enum: ['yes', 'partly', 'no'] }),
    /** 0 none, 1 at-risk recorded, 2 breached recorded. */
    escalated: integer('escalated').notNull().default(0),
    imported: integer('imported').notNull().default(0),
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
  ],
);

/**
 * Maintained aggregates behind GET /v1/stats/compliance: one row per Stockholm arrival date and
 * cell (county, actor first assigned, top topic; '' stands for "none" so that the key is a real key),
 * kept current by triggers on `case_facts` (migration `compliance_aggregate_triggers`) in the same
 * transaction as the change. Month and ISO week are derived from the date at query time.
 * - the counts are additive over days and cells: each case is in exactly one of contacted in time,
 *   contacted late, open, closed without contact (before its deadline), closed overdue (after it);
 * - `delays`: the exact milliseconds from arrival to first contact of the cell's contacted cases, and
 *   `org_keys`: the keyed company hashes of its cases, each as a list `v1,v2,…,` (a multiset; order
 *   irrelevant). Percentiles and distinct companies are not additive, so the query concatenates the
 *   lists of a group (group_concat, in SQLite) and computes them from the values: exact, and still only
 *   one small row per day and cell to read instead of one per case.
 * Three grains, the query reads the smallest that has the dimensions it groups or filters by:
 * `compliance_daily` (date, county, actor, topic); its roll-up without topic `compliance_daily_county_actor`
 * (about 14 times smaller); and the roll-up by topic alone `compliance_daily_topic`.
 * Both are WITHOUT ROWID tables clustered on the date (set in the migration: drizzle cannot say it).
 */
const aggregateColumns = () => ({
  localDate: text('local_date').notNull(),
  countyCode: text('county_code').notNull().default(''),
  firstActorId: text('first_actor_id').notNull().default(''),
  received: integer('received').notNull().default(0),
  contactedInTime: integer('contacted_in_time').notNull().default(0),
  contactedLate: integer('contacted_late').notNull().default(0),
  /** No first contact and not closed: split into in time / overdue against `now` at query time. */
  open: integer('open').notNull().default(0),
  /** Closed without first contact at or before the deadline (withdrawn, duplicate, spam). */
  closedWithoutContact: integer('closed_without_contact').notNull().default(0),
  /** Closed without first contact after the deadline: a breach, whatever `now` is. */
  closedOverdue: integer('closed_overdue').notNull().default(0),
  referrals: integer('referrals').notNull().default(0),
  rightFirst: integer('right_first').notNull().default(0),
  triaged: integer('triaged').notNull().default(0),
  feedbackYes: integer('feedback_yes').notNull().default(0),
  feedbackResponses: integer('feedback_responses').notNull().default(0),
  delays: text('delays').notNull().default(''),
  orgKeys: text('org_keys').notNull().default(''),
});

export const complianceDaily = sqliteTable(
  'compliance_daily',
  { ...aggregateColumns(), topTopicId: text('top_topic_id').notNull().default('') },
  (t) => [primaryKey({ columns: [t.localDate, t.countyCode, t.firstActorId, t.topTopicId] })],
);

export const complianceDailyCountyActor = sqliteTable(
  'compliance_daily_county_actor',
  aggregateColumns(),
  (t) => [primaryKey({ columns: [t.localDate, t.countyCode, t.firstActorId] })],
);

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

/** The company's one answer after closing. The comment is free text: kept here, never in the history. */
export const caseFeedback = sqliteTable('case_feedback', {
  inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
  answer: text('answer', { enum: ['yes', 'partly', 'no'] }).notNull(),
  comment: text('comment'),
  at: integer('at').notNull(),
});

/** Historical cases imported from regions' spreadsheets, by their external id (idempotent import). */
export const importedCases = sqliteTable('imported_cases', {
  externalId: text('external_id').primaryKey(),
  inquiryId: text('inquiry_id').notNull().unique().references(() => inquiries.id, { onDelete: 'restrict' }),
  importedAt: integer('imported_at').notNull(),
});

export const complianceDailyTopic = sqliteTable(
  'compliance_daily_topic',
  (() => {
    const { countyCode: _county, firstActorId: _actor, ...columns } = aggregateColumns();
    return { ...columns, topTopicId: text('top_topic_id').notNull().default('') };
  })(),
  (t) => [primaryKey({ columns: [t.localDate, t.topTopicId] })],
);
