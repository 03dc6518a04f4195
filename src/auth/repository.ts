import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys } from '../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;

/** Queries on api_keys. */
export function createApiKeyRepository(db: Db) {
  const byId = db.select().from(apiKeys).where(eq(apiKeys.id, sql.placeholder('id'))).prepare();
  return {
    insert: (row: NewApiKeyRow) => db.insert(apiKeys).values(row).run(),
    byId: (id: string): ApiKeyRow | undefined => byId.get({ id }),
    list: (includeRevoked: boolean): ApiKeyRow[] =>
      db.select().from(apiKeys).where(includeRevoked ? undefined : isNull(apiKeys.revokedAt)).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id)).all(),
    /** Revokes the key unless the guard, run in the same write transaction, objects. */
    revoke(id: string, at: number, by: string, guard: (row: ApiKeyRow, tx: Pick<Db, 'select'>) => void): ApiKeyRow | undefined {
      return db.transaction((tx) => {
        const row = tx.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
        if (!row || row.revokedAt !== null) return row;
        guard(row, tx);
        return tx.update(apiKeys).set({ revokedAt: at, revokedBy: by }).where(eq(apiKeys.id, id)).returning().get();
      }, { behavior: 'immediate' });
    },
    countActiveAdmins: (tx: Pick<Db, 'select'> = db): number =>
      tx.select({ n: sql<number>`count(*)` }).from(apiKeys).where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))).get()?.n ?? 0,
    touch: (id: string, at: number) => db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run(),
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
