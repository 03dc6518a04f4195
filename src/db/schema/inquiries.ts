import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core';
import { actors, counties, municipalities } from './reference.js';

/**
 * An inquiry: what a company asked, and the current state derived from its event history.
 * Instants are integer milliseconds since the epoch (UTC).
 */
export const inquiries = sqliteTable(
  'inquiries',
  {
    id: text('id').primaryKey(),
    reference: text('reference').notNull().unique(),
    receivedAt: integer('received_at').notNull(),
    /** How it reached the service: form (POST /v1/inquiries), phone, email, visit, event (registered by a caseworker or coordinator), import. */
    channel: text('channel').notNull().default('form'),
    /** Which regional page or form sent it (a short slug), when the form says. */
    entryPoint: text('entry_point'),
    updatedAt: integer('updated_at').notNull(),
    version: integer('version').notNull().default(1),
    status: text('status').notNull(),
    countyCode: text('county_code').references(() => counties.code, { onDelete: 'restrict' }),
    municipalityCode: text('municipality_code').references(() => municipalities.code, { onDelete: 'restrict' }),
    countySource: text('county_source'),
    companyName: text('company_name').notNull(),
    orgNumber: text('org_number'),
    orgNumberIsPersonal: integer('org_number_is_personal', { mode: 'boolean' }).notNull().default(false),
    employees: integer('employees'),
    contactName: text('contact_name').notNull(),
    contactEmail: text('contact_email').notNull(),
    contactPhone: text('contact_phone'),
    subject: text('subject'),
    message: text('message').notNull(),
    language: text('language').notNull(),
    deadlinePolicy: text('deadline_policy').notNull(),
    deadlineAt: integer('deadline_at').notNull(),
    assignedActorId: text('assigned_actor_id').references(() => actors.id, { onDelete: 'restrict' }),
    firstAssignedActorId: text('first_assigned_actor_id').references(() => actors.id, { onDelete: 'restrict' }),
    /** Topic scores and the words that decided them, as JSON (see classification/types.ts). */
    classification: text('classification', { mode: 'json' }).notNull(),
    confidence: real('confidence').notNull(),
    /** Actor ids the company was told about besides the assigned one, as JSON. */
    alternatives: text('alternatives', { mode: 'json' }).notNull(),
    triageReason: text('triage_reason'),
    statusTokenHash: text('status_token_hash').notNull().unique(),
    /**
     * The first right-actor contact: what the deadline measures. A contact by an actor that later referred the
     * case on as misrouted is not one (the clock runs on until the right actor reaches the company).
     */
    firstContactAt: integer('first_contact_at'),
    /** The first contact by any actor, right or not. */
    firstResponseAt: integer('first_response_at'),
    closedAt: integer('closed_at'),
    /** When the personal fields were replaced by a marker (on request or by retention); see src/privacy. */
    erasedAt: integer('erased_at'),
  },
  (t) => [
    // No index on received_at alone: no query reads inquiries by arrival (statistics read their own facts), and every
    // index is written on every inquiry (scripts/query-plans.ts shows which statement uses which index).
    // A caseworker's updatedSince poll, in its order (updated_at, id): with id in the index no poll sorts its matches
    // before the LIMIT, however far back `updatedSince` reaches (the other list indexes are in migrations/0006).
    index('inquiries_actor_updated_idx').on(t.assignedActorId, t.updatedAt, t.id),
    index('inquiries_county_status_idx').on(t.countyCode, t.status),
    index('inquiries_org_number_idx').on(t.orgNumber),
    // The retention job's work list: closed cases whose personal data is still there, oldest closing first.
    index('inquiries_retention_idx').on(t.closedAt).where(sql`closed_at IS NOT NULL AND erased_at IS NULL`),
  ],
);

/**
 * The append-only history of an inquiry. Triggers in the migrations refuse UPDATE and DELETE.
 * `data` holds what decided the step; never personal data, so history can be kept after erasure.
 */
export const inquiryEvents = sqliteTable(
  'inquiry_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    inquiryId: text('inquiry_id')
      .notNull()
      .references(() => inquiries.id, { onDelete: 'restrict' }),
    type: text('type').notNull(),
    at: integer('at').notNull(),
    /** Who did it: `system`, `company`, or an API key's id. */
    by: text('by').notNull(),
    byRole: text('by_role'),
    data: text('data', { mode: 'json' }).notNull(),
  },
  (t) => [index('inquiry_events_inquiry_idx').on(t.inquiryId, t.id)],
);

/**
 * Idempotency keys sent by forms, so that a double submit never creates two inquiries. Namespaced per caller
 * (src/intake/service.ts, idempotencySlot): `key:<API key id>:<key>`, or for anonymous forms `anon:<digest of the
 * key and the body>`, so that nobody can block or detect another caller's submission.
 */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  inquiryId: text('inquiry_id')
    .notNull()
    .references(() => inquiries.id, { onDelete: 'restrict' }),
  createdAt: integer('created_at').notNull(),
});

/** Per-year counter behind the readable references (REC-2026-000123). */
export const referenceCounters = sqliteTable('reference_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});
