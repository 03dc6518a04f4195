import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './auth.js';

/**
 * Dashboard sign-ins: an API key exchanged for a session, so the key never stays in the browser. The
 * cookie holds a random session id; only its SHA-256 is kept here (like the keys' secrets). A session ends
 * at `expires_at` (idle or absolute limit, whichever comes first), at sign-out, or when its key is revoked.
 */
export const dashboardSessions = sqliteTable(
  'dashboard_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    keyId: text('key_id').notNull().references(() => apiKeys.id, { onDelete: 'restrict' }),
    createdAt: integer('created_at').notNull(),
    /** Moved on at most once a minute while the dashboard is used. */
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('dashboard_sessions_expires_idx').on(t.expiresAt)],
);
