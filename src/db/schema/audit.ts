import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * The audit log: who changed who may do what, and who erased personal data. One row per key creation,
 * key revocation, erasure (on request and by retention) and change to the actor directory. Append-only:
 * triggers (migration `audit_log_append_only`) refuse UPDATE and DELETE, so no API key, admin or not, can
 * alter it. Never a token, never personal data: keys by id, cases by id, counts.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** An API key's id, `cli` (the command line on the server) or `system` (retention). */
    by: text('by').notNull(),
    byRole: text('by_role'),
    /** api-key-created | api-key-revoked | case-erased | company-erased | retention-erased | actor-created | actor-changed | actor-presence-set | … | experiment-created | experiment-changed | experiment-stopped (AUDIT_ACTIONS) */
    action: text('action').notNull(),
    /** What it was done to: a key id, a case id, an actor id; null for a company or a retention batch. */
    target: text('target'),
    /** The what: role and scope of a key, counts of an erasure, the fields changed. */
    data: text('data', { mode: 'json' }).notNull(),
  },
  (t) => [index('audit_log_action_idx').on(t.action, t.id)],
);
