import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { inquiries } from './inquiries.js';

/**
 * The company's consent to be asked about effects over months (intake's `followUpConsent`), separate
 * from the consent to handle the inquiry. `lastWaveEndsAt`: when the last wave's answer window ends;
 * until then retention keeps the contact address of a consenting case (src/privacy).
 */
export const followUpConsents = sqliteTable('follow_up_consents', {
  inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
  givenAt: integer('given_at').notNull(),
  withdrawnAt: integer('withdrawn_at'),
  lastWaveEndsAt: integer('last_wave_ends_at'),
});

/**
 * One follow-up wave of one case (FOLLOW_UP_WAVES_MONTHS after closing): when it is due, when it was
 * opened (the invitation), reminded, answered, and the answer. The dimensions the effect statistics group
 * by are copied in when the wave is planned (at closing), so that erasure can cut the link to the case
 * (`inquiry_id` set to null, the comment blanked) and the coded answers still count: without the link
 * they describe no one.
 */
export const followUpWaves = sqliteTable(
  'follow_up_waves',
  {
    id: text('id').primaryKey(),
    inquiryId: text('inquiry_id').references(() => inquiries.id, { onDelete: 'restrict' }),
    months: integer('months').notNull(),
    dueAt: integer('due_at').notNull(),
    invitedAt: integer('invited_at'),
    /** 1 when the invitation went by e-mail (0: only on the status page, e-mail being off). */
    emailed: integer('emailed').notNull().default(0),
    remindedAt: integer('reminded_at'),
    answeredAt: integer('answered_at'),
    /** Set when the wave will never be opened: consent withdrawn or the case erased before it was due. */
    cancelledAt: integer('cancelled_at'),
    // Dimensions, copied at closing (no personal data).
    cohortMonth: text('cohort_month').notNull(),
    countyCode: text('county_code'),
    actorId: text('actor_id'),
    topicId: text('topic_id'),
    sizeBand: text('size_band').notNull(),
    outcome: text('outcome'),
    channel: text('channel'),
    /** The experiment arm the inquiry was drawn into (`experimentId:armId`, src/experiments), null when none. */
    arm: text('arm'),
    /**
     * The statistics' company id (case_facts.company_id: a bare integer, never the number or a hash of it), so small
     * cells count companies, not cases. Blanked when the case's personal data is erased.
     */
    companyId: integer('company_id'),
    // The coded answer.
    exporting: text('exporting', { enum: ['started', 'continued', 'no'] }),
    /** ISO 3166-1 alpha-2 codes of the new markets, comma-separated ('' for none). */
    newMarkets: text('new_markets'),
    exportShare: text('export_share'),
    contribution: text('contribution', { enum: ['yes', 'partly', 'no', 'dont-know'] }),
    /** Free text: personal data, erased with the case. */
    comment: text('comment'),
  },
  (t) => [
    uniqueIndex('follow_up_waves_inquiry_idx').on(t.inquiryId, t.months),
    // The wave sweeper's work lists: waves to open, and opened waves to remind.
    index('follow_up_waves_due_idx').on(t.dueAt).where(sql`invited_at IS NULL AND cancelled_at IS NULL`),
    index('follow_up_waves_remind_idx').on(t.invitedAt).where(sql`invited_at IS NOT NULL AND reminded_at IS NULL AND answered_at IS NULL AND cancelled_at IS NULL`),
    index('follow_up_waves_cohort_idx').on(t.cohortMonth, t.months),
  ],
);

/**
 * When each county's regional export centre started: the evaluation's "treatment" date. Seeded with the
 * start years of the known pilot waves (RiR 2019:3, see src/effects/start-dates.ts); admins set the exact
 * date when the region gives it. Intake records whether the centre had started (the `received` event).
 */
export const exportCentreStarts = sqliteTable('export_centre_starts', {
  countyCode: text('county_code').primaryKey(),
  /** The first year of the centre, as far as known. */
  startYear: integer('start_year'),
  /** The exact start date (Stockholm calendar date, YYYY-MM-DD), when known. */
  startedOn: text('started_on'),
  source: text('source').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
