import { z } from 'zod';
import { SIZE_BANDS } from '../stats/projection.js';
import { msg } from '../shared/i18n.js';

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
  message: msg('Lower-case letters, digits and single hyphens, e.g. second-contact-2027', 'Gemener, siffror och enstaka bindestreck, t.ex. second-contact-2027'),
}).max(60);
const instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

export const armInputSchema = z.strictObject({
  id: slug.describe('The arm\'s id, e.g. `standard` or `second-contact`: statistics and the extract show it'),
  label: z.string().trim().min(1).max(200).describe('A short name for people, e.g. "Proactive second contact after 30 days"'),
  share: z.number().gt(0).max(1).describe('The share of eligible inquiries drawn into this arm; the shares sum to 1'),
  instruction: z.strictObject({
    sv: z.string().trim().min(1).max(2000),
    en: z.string().trim().min(1).max(2000),
  }).describe('What the caseworker does with a case in this arm, in Swedish and English (shown in the case\'s language)'),
}).meta({ id: 'ExperimentArmInput' });

export const eligibilityInputSchema = z.strictObject({
  counties: z.array(z.string().trim().min(1).max(60)).max(21).optional().describe('Counties (SE-M, 12 or Skåne); empty or left out: all'),
  topics: z.array(z.string().trim().min(1).max(100)).max(50).optional().describe('Topic ids (see /v1/topics), matched against the top classified topic; empty or left out: all'),
  sizeBands: z.array(z.enum(SIZE_BANDS)).max(SIZE_BANDS.length).optional().describe('Employees: 0-9, 10-49, 50-249, 250+, unknown; empty or left out: all'),
  firstTimeOnly: z.boolean().optional().describe('Only companies asking for the first time (no earlier inquiry with the same organisation number); inquiries without a number are then not eligible'),
}).meta({ id: 'ExperimentEligibilityInput' });

const definitionFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(5000).describe('The hypothesis and what will be compared, as pre-registered'),
  eligibility: eligibilityInputSchema.optional(),
  arms: z.array(armInputSchema).min(2).max(10).describe('At least two arms, with unique ids; the first is usually the standard handling'),
  startsAt: instant.describe('RFC 3339; must be in the future: an experiment is registered before it starts'),
  endsAt: instant.describe('RFC 3339, after startsAt; inquiries arriving at or after it are not drawn'),
  seed: z.string().min(16).max(200).optional().describe('The key of the draw; left out, a random one is made. Keep it: with it every assignment can be recomputed'),
};

export const newExperimentSchema = z.strictObject({
  id: slug.describe('A slug, e.g. `second-contact-2027`'),
  ...definitionFields,
}).meta({ id: 'NewExperiment' });
export type NewExperiment = z.infer<typeof newExperimentSchema>;

export const experimentPatchSchema = z.strictObject({
  name: definitionFields.name.optional(),
  description: definitionFields.description.optional(),
  eligibility: definitionFields.eligibility,
  arms: definitionFields.arms.optional(),
  startsAt: definitionFields.startsAt.optional(),
  endsAt: definitionFields.endsAt.optional(),
  seed: definitionFields.seed,
}).meta({ id: 'ExperimentPatch' });
export type ExperimentPatch = z.infer<typeof experimentPatchSchema>;

export const experimentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  eligibility: z.object({
    counties: z.array(z.string()).describe('ISO 3166-2 codes; empty: all'),
    topics: z.array(z.string()).describe('Topic ids; empty: all'),
    sizeBands: z.array(z.enum(SIZE_BANDS)).describe('Empty: all'),
    firstTimeOnly: z.boolean(),
  }),
  arms: z.array(z.object({
    id: z.string(), label: z.string(), share: z.number(),
    instruction: z.object({ sv: z.string(), en: z.string() }),
  })),
  seed: z.string().describe('The key of the draw: HMAC-SHA256(seed, inquiry id), first 48 bits / 2^48, against the cumulative shares'),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  stoppedAt: z.iso.datetime().nullable(),
  state: z.enum(['scheduled', 'running', 'ended', 'stopped']).describe('scheduled: not started, the definition can change; running; ended: past endsAt; stopped. Only a scheduled experiment can change'),
  createdAt: z.iso.datetime(),
  createdBy: z.string().describe('The API key id of the admin who created it'),
  updatedAt: z.iso.datetime(),
  assignments: z.array(z.object({ armId: z.string(), count: z.number().int() })).describe('Inquiries drawn into each arm so far'),
}).meta({ id: 'Experiment' });
export type ExperimentView = z.infer<typeof experimentSchema>;

export const experimentListSchema = z.object({ items: z.array(experimentSchema) }).meta({ id: 'ExperimentList' });
export const experimentIdParams = z.object({ id: z.string().min(1).max(60) });
