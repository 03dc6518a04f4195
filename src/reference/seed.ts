import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { actorPresence, actors, counties, localities, municipalities, topicActors, topics } from '../db/schema/index.js';
import type { Knowledge } from '../classification/knowledge.js';
import { readActorSeeds, readCounties, readLocalities, readMunicipalities } from './data-files.js';

/**
 * Loads the reference data into the database at start-up. Idempotent:
 * - geography (counties, municipalities, localities) and the topic taxonomy follow the shipped files;
 * - actors and their presence are inserted only when missing, so an admin's edits are never overwritten.
 */
export function seedReferenceData(db: Db, knowledge: Knowledge): void {
  const countyRows = readCounties();
  const countyByScb = new Map(countyRows.map((c) => [c.scbCode, c.code]));
  db.transaction((tx) => {
    for (const c of countyRows) {
      tx.insert(counties).values(c).onConflictDoUpdate({
        target: counties.code,
        set: { scbCode: sql`excluded.scb_code`, name: sql`excluded.name`, shortName: sql`excluded.short_name` },
      }).run();
    }
    for (const m of readMunicipalities()) {
      const countyCode = countyByScb.get(m.countyScbCode)!;
      tx.insert(municipalities).values({ code: m.code, name: m.name, countyCode }).onConflictDoUpdate({
        target: municipalities.code,
        set: { name: sql`excluded.name`, countyCode: sql`excluded.county_code` },
      }).run();
    }
    for (const l of readLocalities()) {
      tx.insert(localities).values({ name: l.name, municipalityCode: l.municipalityCode }).onConflictDoNothing().run();
    }
    for (const a of readActorSeeds()) {
      const inserted = tx.insert(actors).values({
        id: a.id, name: a.name, kind: a.kind, description: a.description, website: a.website, active: true,
      }).onConflictDoNothing().run();
      if (inserted.changes === 0) continue;
      for (const [office, countyCodes] of Object.entries(a.offices)) {
        for (const countyCode of countyCodes) {
          tx.insert(actorPresence).values({ actorId: a.id, countyCode, office }).onConflictDoNothing().run();
        }
      }
    }
    for (const t of knowledge.topics) {
      tx.insert(topics).values({ id: t.id, name: t.name, nameSv: t.nameSv, description: t.description }).onConflictDoUpdate({
        target: topics.id,
        set: { name: sql`excluded.name`, nameSv: sql`excluded.name_sv`, description: sql`excluded.description` },
      }).run();
    }
    tx.delete(topicActors).run();
    for (const t of knowledge.topics) {
      t.actors.forEach((actorId, i) => tx.insert(topicActors).values({ topicId: t.id, actorId, rank: i + 1 }).run());
    }
  });
}
