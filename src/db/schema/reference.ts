import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/** The 21 counties (län). Reference data: seeded from src/reference/data at start-up. */
export const counties = sqliteTable('counties', {
  code: text('code').primaryKey(), // ISO 3166-2, e.g. SE-M
  scbCode: text('scb_code').notNull().unique(), // two digits, e.g. 12
  name: text('name').notNull(), // Skåne län
  shortName: text('short_name').notNull(), // Skåne
});

/** The 290 municipalities (kommuner), SCB codes. */
export const municipalities = sqliteTable(
  'municipalities',
  {
    code: text('code').primaryKey(), // four digits, e.g. 1281
    name: text('name').notNull(),
    countyCode: text('county_code')
      .notNull()
      .references(() => counties.code, { onDelete: 'restrict' }),
  },
  (t) => [index('municipalities_county_idx').on(t.countyCode)],
);

/** SCB localities (tätorter) and the municipality or municipalities each lies in. */
export const localities = sqliteTable(
  'localities',
  {
    name: text('name').notNull(),
    municipalityCode: text('municipality_code')
      .notNull()
      .references(() => municipalities.code, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.name, t.municipalityCode] })],
);

/** Public actors that take inquiries. Seeded once; later edited by admins, so seeding never overwrites. */
export const actors = sqliteTable('actors', {
  id: text('id').primaryKey(), // almi, business-sweden, chamber-sydsvenska ...
  name: text('name').notNull(),
  kind: text('kind', { enum: ['core', 'public', 'chamber'] }).notNull(),
  description: text('description').notNull(),
  website: text('website'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
});

/** Where an actor takes inquiries: one row per county it serves, naming the office that serves it. */
export const actorPresence = sqliteTable(
  'actor_presence',
  {
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id, { onDelete: 'restrict' }),
    countyCode: text('county_code')
      .notNull()
      .references(() => counties.code, { onDelete: 'restrict' }),
    office: text('office').notNull(),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.countyCode] }), index('actor_presence_county_idx').on(t.countyCode)],
);

/** The topic taxonomy; mirrored from the routing knowledge file at start-up. */
export const topics = sqliteTable('topics', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameSv: text('name_sv').notNull(),
  description: text('description').notNull(),
});

/** Which actors serve which topic, in order of preference as first contact (rank 1 first). */
export const topicActors = sqliteTable(
  'topic_actors',
  {
    topicId: text('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    actorId: text('actor_id').notNull(), // an actor id or the kind `chamber` meaning the county's chamber
    rank: integer('rank').notNull(),
  },
  (t) => [primaryKey({ columns: [t.topicId, t.actorId] })],
);

/** Small key/value store for generated secrets and similar settings. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
