import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { inquiries } from './inquiries.js';
import { apiKeys } from './auth.js';

/**
 * The working state of a case beside its inquiry row: who claimed it, and how it was closed.
 * A projection like the inquiry row itself; the events in inquiry_events explain every change.
 */
export const caseWork = sqliteTable('case_work', {
  inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
  /** The caseworker key holding the case; null when nobody has claimed it. */
  claimedByKeyId: text('claimed_by_key_id').references(() => apiKeys.id, { onDelete: 'restrict' }),
  claimedAt: integer('claimed_at'),
  /** helped | referred-outside | no-reply | duplicate | withdrawn | spam, once closed. */
  outcome: text('outcome'),
});

/**
 * Free text written by caseworkers and coordinators: notes, and the optional words that go with first
 * contact, referral, assignment and closing. It may hold personal data, so it lives here and not in the
 * append-only history, whose events only reference a note by id: erasure can blank `text` (and set
 * `erasedAt`) while the history survives. Never shown to the company.
 */
export const caseNotes = sqliteTable(
  'case_notes',
  {
    id: text('id').primaryKey(),
    inquiryId: text('inquiry_id').notNull().references(() => inquiries.id, { onDelete: 'restrict' }),
    /** note | first-contact | referral | assignment | close */
    kind: text('kind').notNull(),
    text: text('text'),
    authorKeyId: text('author_key_id').notNull().references(() => apiKeys.id, { onDelete: 'restrict' }),
    authorRole: text('author_role').notNull(),
    createdAt: integer('created_at').notNull(),
    erasedAt: integer('erased_at'),
  },
  (t) => [
    index('case_notes_inquiry_idx').on(t.inquiryId, t.createdAt),
    // Retention's search for notes left in erased cases walks only the notes not yet erased.
    index('case_notes_unerased_idx').on(t.inquiryId).where(sql`erased_at IS NULL`),
  ],
);
