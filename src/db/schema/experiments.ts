import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { inquiries } from './inquiries.js';

/**
 * Randomised encouragement for pilots (issue 14, src/experiments): an admin pre-registers an experiment (who is
 * eligible, the arms and their shares, the window); intake draws an eligible inquiry's arm from the seed and the
 * inquiry id. Once started the definition cannot change, it can only be stopped (a business rule in
 * src/experiments/service.ts; the triggers of migration `experiments_guards` refuse changing a definition that has
 * assignments or was stopped, and un-stopping). Instants in UTC milliseconds.
 */
export const experiments = sqliteTable(
  'experiments',
  {
    /** A slug chosen by the admin (e.g. `second-contact-2027`): it is what statistics and the extract show. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** The hypothesis and what is measured, as pre-registered. */
    description: text('description').notNull(),
    /** { counties: ISO 3166-2 codes, topics: topic ids, sizeBands, firstTimeOnly }; an empty list means all. */
    eligibility: text('eligibility', { mode: 'json' }).notNull(),
    /** [{ id, label, share, instruction: { sv, en } }], in draw order. */
    arms: text('arms', { mode: 'json' }).notNull(),
    /** The key of the draw (HMAC-SHA256 over the inquiry id): with it the assignment of every inquiry can be recomputed. */
    seed: text('seed').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    stoppedAt: integer('stopped_at'),
    createdAt: integer('created_at').notNull(),
    /** The API key id of the admin who created it. */
    createdBy: text('created_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('experiments_window_idx').on(t.startsAt, t.endsAt)],
);

/** The arm each assigned inquiry got: at most one experiment per inquiry. No personal data. */
export const experimentAssignments = sqliteTable(
  'experiment_assignments',
  {
    inquiryId: text('inquiry_id').primaryKey().references(() => inquiries.id, { onDelete: 'restrict' }),
    experimentId: text('experiment_id').notNull().references(() => experiments.id, { onDelete: 'restrict' }),
    armId: text('arm_id').notNull(),
    assignedAt: integer('assigned_at').notNull(),
  },
  (t) => [index('experiment_assignments_experiment_idx').on(t.experimentId, t.armId)],
);
