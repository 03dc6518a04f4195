import { z } from 'zod';
import { actorRefSchema, companySchema, countyRefSchema, inquiryRequestSchema } from '../intake/schemas.js';

/**
 * The preview takes what the intake form has before the company sends it: the intake body without
 * contact details and consent, and of the company at most its name and size (size can rule an actor out).
 */
export const routingPreviewRequestSchema = inquiryRequestSchema
  .omit({ contact: true, consent: true })
  .extend({ company: companySchema.pick({ name: true, employees: true }).partial().optional() })
  .meta({ id: 'RoutingPreviewRequest' });

export type RoutingPreviewRequest = z.infer<typeof routingPreviewRequestSchema>;

export const routingPreviewSchema = z
  .object({
    status: z.enum(['assigned', 'triage']).describe('assigned: goes straight to an actor; triage: a person at the export centre routes it'),
    triage: z.boolean(),
    triageReason: z.enum(['out-of-scope', 'unclear', 'no-actor-in-county']).nullable(),
    assignedActor: actorRefSchema.nullable(),
    alternatives: z.array(actorRefSchema).describe('Other actors offering a similar service, or serving a second need in the message'),
    topicId: z.string().nullable().describe('The topic that decided'),
    topics: z.array(z.object({
      id: z.string(),
      name: z.string(),
      score: z.number().describe('0..1'),
      rawScore: z.number(),
      matchedWords: z.array(z.string()).describe('The words in the text that decided, folded (lower case, no diacritics)'),
    })),
    confidence: z.number().describe('The probability that this decision is right (calibrated on held-out data by cross-validation); below the triage threshold the inquiry goes to triage'),
    probabilities: z.array(z.object({
      id: z.string().describe('An actor id (`chamber`: any chamber of commerce) or `out-of-scope`'),
      probability: z.number().describe('Combined probability of the rules and the learned layer, before the constraints'),
      learnedWords: z.array(z.object({ word: z.string(), weight: z.number() })).optional()
        .describe("The learned layer's strongest words for this class (the three most probable classes)"),
    })).describe('Every class the router chooses between, most probable first'),
    addressedTo: z.string().nullable().describe('The one actor the question is addressed to when it names no clearer need'),
    outOfScope: z.object({ id: z.string(), name: z.string(), matchedWords: z.array(z.string()) }).nullable()
      .describe("Signs that no actor handles the question (tax, employment, registration, permits, private, spam, import)"),
    county: countyRefSchema.nullable(),
    countySource: z.enum(['county', 'municipality', 'text']).nullable().describe('How the county was found: form field, municipality field or place names in the text'),
    municipalityCode: z.string().nullable(),
    placeEvidence: z.array(z.string()).describe('Place names in the text that decided the county, as written'),
    ambiguousPlaces: z.array(z.string()).describe('Place names found that could not decide (several counties, landscapes)'),
    explanation: z.string().describe("The router's explanation"),
    excluded: z.array(z.object({ actor: z.string(), why: z.string() })).describe('Actors ruled out, and why (size, amount, not present in the county)'),
  })
  .meta({ id: 'RoutingPreview' });

export type RoutingPreview = z.infer<typeof routingPreviewSchema>;
