import { asc } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { actorPresence, actors, counties, municipalities } from '../db/schema/index.js';

/** Reads of the reference tables. */
export function createReferenceRepository(db: Db) {
  return {
    counties: () => db.select().from(counties).orderBy(asc(counties.scbCode)).all(),
    municipalities: () => db.select().from(municipalities).orderBy(asc(municipalities.code)).all(),
    actors: () => db.select().from(actors).orderBy(asc(actors.id)).all(),
    presence: () => db.select().from(actorPresence).orderBy(asc(actorPresence.actorId), asc(actorPresence.countyCode)).all(),
  };
}

export type ReferenceRepository = ReturnType<typeof createReferenceRepository>;
