import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { badRequest } from '../shared/problems.js';
import { both } from '../shared/i18n.js';

/**
 * The audit log (table audit_log, append-only): every key creation and revocation, every erasure and every
 * change to the actor directory, with who did it and when. Callers record inside the transaction of the change
 * itself where they have one (`atomically`), so a change is never without its record. Records hold key ids, case
 * ids, roles, scopes and counts: never a token, never personal data.
 */
export const AUDIT_ACTIONS = [
  'api-key-created', 'api-key-revoked', 'case-erased', 'company-erased', 'retention-erased',
  'actor-created', 'actor-changed', 'actor-presence-set', 'export-centre-start-set', 'research-extract-read',
  'experiment-created', 'experiment-changed', 'experiment-stopped',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor { by: string; byRole?: string | null }
export interface AuditEntry { action: AuditAction; target?: string | null; data: Record<string, unknown> }

export interface AuditRecord {
  id: number;
  at: string;
  by: string;
  byRole: string | null;
  byLabel: string | null;
  action: AuditAction;
  target: string | null;
  data: Record<string, unknown>;
}

export interface AuditQuery { action?: AuditAction[] | undefined; by?: string | undefined; target?: string | undefined; limit: number; cursor?: string | undefined }

export function createAuditLog({ db, clock }: { db: Db; clock: Clock }) {
  const client: Database.Database = db.$client;
  const insert = client.prepare('INSERT INTO audit_log (at, by, by_role, action, target, data) VALUES (?, ?, ?, ?, ?, ?)');

  return {
    /** Records one action; call inside the transaction of the change where there is one. */
    record(actor: AuditActor, entry: AuditEntry, at = clock()): void {
      insert.run(at, actor.by, actor.byRole ?? null, entry.action, entry.target ?? null, JSON.stringify(entry.data));
    },

    /** Runs `fn` in one immediate write transaction (a savepoint inside another), so a change and its record commit together. */
    atomically<T>(fn: () => T): T {
      return client.inTransaction ? client.transaction(fn)() : client.transaction(fn).immediate();
    },

    /** Newest first; `cursor` is the nextCursor of the previous page. */
    list(query: AuditQuery): { items: AuditRecord[]; nextCursor: string | null } {
      let before: number | null = null;
      if (query.cursor !== undefined) {
        before = /^\d{1,15}$/.test(query.cursor) ? Number(query.cursor) : NaN;
        if (!Number.isSafeInteger(before)) {
          throw badRequest(null, [{ name: 'querystring.cursor', reason: both('Not a cursor from this API: use nextCursor as it is', 'Inte en markör från detta API: använd nextCursor som den är') }]);
        }
      }
      const where: string[] = [];
      const params: unknown[] = [];
      if (before !== null) { where.push('a.id < ?'); params.push(before); }
      if (query.action?.length) { where.push(`a.action IN (${query.action.map(() => '?').join(', ')})`); params.push(...query.action); }
      if (query.by) { where.push('a.by = ?'); params.push(query.by); }
      if (query.target) { where.push('a.target = ?'); params.push(query.target); }
      const rows = client.prepare(`
        SELECT a.id, a.at, a.by, a.by_role AS byRole, k.label AS byLabel, a.action, a.target, a.data
        FROM audit_log a LEFT JOIN api_keys k ON k.id = a.by
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.id DESC LIMIT ?`).all(...params, query.limit + 1) as (Omit<AuditRecord, 'at' | 'data'> & { at: number; data: string })[];
      const page = rows.slice(0, query.limit);
      return {
        items: page.map((r) => ({ ...r, at: new Date(r.at).toISOString(), data: JSON.parse(r.data) as Record<string, unknown> })),
        nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
