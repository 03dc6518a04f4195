import { z } from 'zod';
import { actorKindSchema } from '../reference/schemas.js';
import { msg } from '../shared/i18n.js';

export const adminActorSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: actorKindSchema,
  description: z.string(),
  website: z.string().nullable(),
  active: z.boolean().describe('Inactive actors get no new inquiries; their open cases stay where they are'),
  counties: z.array(z.object({ code: z.string(), office: z.string() })).describe('Where the actor takes inquiries, and the office serving each county'),
}).meta({ id: 'AdminActor' });

const website = z.url({ protocol: /^https?$/ }).max(300);

export const newActorSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: msg('Lower-case letters, digits and single hyphens, e.g. chamber-vast', 'Gemener, siffror och enstaka bindestreck, t.ex. chamber-vast') }).max(60),
  name: z.string().trim().min(1).max(200),
  kind: actorKindSchema,
  description: z.string().trim().min(1).max(2000).describe('What the actor helps with, as companies are told'),
  website: website.nullable().optional(),
  active: z.boolean().optional(),
}).meta({ id: 'NewActor' });

export const actorPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  kind: actorKindSchema.optional(),
  description: z.string().trim().min(1).max(2000).optional(),
  website: website.nullable().optional(),
  active: z.boolean().optional(),
}).meta({ id: 'ActorPatch' });

export const presenceSchema = z.strictObject({
  counties: z.array(z.strictObject({
    county: z.string().trim().min(1).max(60).describe('SE-M, 12 or Skåne'),
    office: z.string().trim().min(1).max(200).describe('The office serving the county, e.g. Almi Skåne'),
  })).max(21),
}).meta({ id: 'ActorPresence' });

export const actorIdParams = z.object({ id: z.string().min(1).max(60) });
