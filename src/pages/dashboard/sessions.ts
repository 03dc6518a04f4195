import { createHash, randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { dashboardSessions } from '../../db/schema/index.js';
import type { ApiKeyService, Principal, Role } from '../../auth/service.js';
import type { Clock } from '../../shared/clock.js';

/** Who may open the dashboard: analysts and coordinators (and admins, who may read statistics too). */
export const DASHBOARD_ROLES: readonly Role[] = ['analyst', 'coordinator', 'admin'];

/** Move last-seen on at most this often, so that reading the dashboard is not a write per request. */
const TOUCH_MS = 60_000;

const hash = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

export type SignIn = { ok: true; sessionId: string; principal: Principal } | { ok: false; reason: 'invalid' | 'wrong-role' };

/**
 * Dashboard sessions: an API key is checked once at sign-in and exchanged for a random session id (the
 * cookie's value); the key itself is never kept, in the browser or here. Each request re-reads the key,
 * so revoking it ends its sessions at once. Idle and absolute limits come from the configuration.
 */
export function createDashboardSessions({ db, clock, apiKeys, idleMs, maxMs }: {
  db: Db; clock: Clock; apiKeys: Pick<ApiKeyService, 'authenticate' | 'get'>; idleMs: number; maxMs: number;
}) {
  return {
    maxMs,

    signIn(token: string): SignIn {
      const result = apiKeys.authenticate(token.trim());
      if (!result.ok) return { ok: false, reason: 'invalid' };
      if (!DASHBOARD_ROLES.includes(result.principal.role)) return { ok: false, reason: 'wrong-role' };
      const now = clock();
      const sessionId = randomBytes(32).toString('base64url');
      db.transaction((tx) => {
        tx.delete(dashboardSessions).where(lt(dashboardSessions.expiresAt, now)).run();
        tx.insert(dashboardSessions).values({
          idHash: hash(sessionId), keyId: result.principal.keyId, createdAt: now, lastSeenAt: now, expiresAt: Math.min(now + idleMs, now + maxMs),
        }).run();
      });
      return { ok: true, sessionId, principal: result.principal };
    },

    /** The signed-in principal for a session id, or null (unknown, expired, or its key revoked). */
    resume(sessionId: string | undefined): Principal | null {
      if (!sessionId || sessionId.length > 100) return null;
      const now = clock();
      const row = db.select().from(dashboardSessions).where(eq(dashboardSessions.idHash, hash(sessionId))).get();
      if (!row || row.expiresAt <= now) return null;
      let key;
      try {
        key = apiKeys.get(row.keyId);
      } catch {
        return null;
      }
      if (key.revokedAt !== null || !DASHBOARD_ROLES.includes(key.role)) return null;
      if (now - row.lastSeenAt >= TOUCH_MS) {
        db.update(dashboardSessions)
          .set({ lastSeenAt: now, expiresAt: Math.min(now + idleMs, row.createdAt + maxMs) })
          .where(eq(dashboardSessions.idHash, row.idHash)).run();
      }
      return { keyId: key.id, role: key.role, label: key.label, actorId: key.actorId, counties: key.counties };
    },

    signOut(sessionId: string | undefined): void {
      if (sessionId) db.delete(dashboardSessions).where(eq(dashboardSessions.idHash, hash(sessionId))).run();
    },
  };
}

export type DashboardSessions = ReturnType<typeof createDashboardSessions>;
