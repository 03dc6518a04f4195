import { z } from 'zod';

export const actorKindSchema = z.enum(['core', 'public', 'chamber']);

export const countySchema = z.object({
  code: z.string().describe('ISO 3166-2, e.g. SE-M'),
  scbCode: z.string().describe('SCB county code, e.g. 12'),
  name: z.string(),
}).meta({ id: 'County' });

export const countyDetailSchema = countySchema.extend({
  municipalities: z.array(z.object({ code: z.string(), name: z.string() })),
  actors: z.array(z.object({ id: z.string(), name: z.string(), kind: actorKindSchema, office: z.string() })),
}).meta({ id: 'CountyDetail' });

export const actorSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: actorKindSchema,
  description: z.string(),
  website: z.string().nullable(),
  counties: z.array(z.object({ code: z.string(), office: z.string() })).describe('Where the actor takes inquiries, and the office serving each county'),
}).meta({ id: 'Actor' });

export const topicSchema = z.object({
  id: z.string(),
  name: z.string(),
  nameSv: z.string(),
  description: z.string(),
  actors: z.array(z.string()).describe('Actors serving the topic, in preference order; `chamber` means the chamber of commerce serving the county'),
  terms: z.record(z.string(), z.number()).describe('The words that signal the topic and their weights (=word: whole word, *word: inside compounds)'),
}).meta({ id: 'Topic' });

export const countyServicesSchema = z.object({
  county: countySchema,
  services: z.array(z.object({
    topic: z.object({ id: z.string(), name: z.string(), nameSv: z.string() }),
    actors: z.array(z.object({ id: z.string(), name: z.string(), kind: actorKindSchema })),
  })),
}).meta({ id: 'CountyServices' });
