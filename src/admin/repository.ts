import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { actorPresence, actors } from '../db/schema/index.js';

export type ActorRow = typeof actors.$inferSelect;

/**
 * Admin writes to the actor directory (actors and their presence per county). The reference
 * capability reads these tables into memory; the admin service reloads it after every change.
 */
export function createActorAdminRepository(db: Db) {
  return {
    actors: (): ActorRow[] => db.select().from(actors).orderBy(asc(actors.id)).all(),
    actor: (id: string): ActorRow | undefined => db.select().from(actors).where(eq(actors.id, id)).get(),
    presenceOf: (id: string) =>
      db.select({ countyCode: actorPresence.countyCode, office: actorPresence.office }).from(actorPresence)
        .where(eq(actorPresence.actorId, id)).orderBy(asc(actorPresence.countyCode)).all(),
    allPresence: () => db.select().from(actorPresence).orderBy(asc(actorPresence.actorId), asc(actorPresence.countyCode)).all(),
    /** Inserts a new actor; false when the id is taken. */
    insert: (row: typeof actors.$inferInsert): boolean => db.insert(actors).values(row).onConflictDoNothing().run().changes === 1,
    update: (id: string, patch: Partial<Omit<ActorRow, 'id'>>): boolean =>
      db.update(actors).set(patch).where(eq(actors.id, id)).run().changes === 1,
    /** Replaces the actor's presence in one transaction. */
    replacePresence(id: string, rows: { countyCode: string; office: string }[]): void {
      db.transaction((tx) => {
        tx.delete(actorPresence).where(eq(actorPresence.actorId, id)).run();
        for (const r of rows) tx.insert(actorPresence).values({ actorId: id, countyCode: r.countyCode, office: r.office }).run();
      }, { behavior: 'immediate' });
    },
  };
}

export type ActorAdminRepository = ReturnType<typeof createActorAdminRepository>;
