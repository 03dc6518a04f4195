import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { actors } from './reference.js';

/** The roles an API key can have; what each may do is described in src/auth/plugin.ts. */
export const ROLES = ['admin', 'coordinator', 'caseworker', 'analyst', 'intake', 'metrics', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

/**
 * API keys. The token is shown once at creation and never stored: only the SHA-256 of its secret part
 * is kept. The token's public id (its first part) is the primary key, so a lookup is by id and the
 * secret is compared in constant time. Keys are revoked, never deleted: events name the key that acted.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    /** Public id, 16 hex characters; also the `by` of the events this key causes. */
    id: text('id').primaryKey(),
    label: text('label').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** The actor a caseworker key works for; null for every other role. */
    actorId: text('actor_id').references(() => actors.id, { onDelete: 'restrict' }),
    /** ISO 3166-2 county codes the key is limited to, as a JSON array; null means every county. */
    counties: text('counties', { mode: 'json' }).$type<string[] | null>(),
    /** SHA-256 (hex) of the token's secret part. */
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Who created it: an admin key's id, or `cli`. */
    createdBy: text('created_by').notNull(),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by'),
    /** Updated at most once a minute, so polling does not turn every read into a write. */
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('api_keys_actor_idx').on(t.actorId)],
);
