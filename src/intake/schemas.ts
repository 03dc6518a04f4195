import { z } from 'zod';
import { parseOrgNumber } from './org-number.js';
import { followUpSchema } from '../stats/feedback.js';
import { msg } from '../shared/i18n.js';
import { CASE_STATUSES } from '../cases/state-machine.js';

/**
 * The intake contract that regional forms are built against. Field names are fixed; unknown fields
 * are rejected so that a typo in a form ("emial") fails loudly instead of silently losing data.
 */
const text = (max: number) => z.string().trim().min(1).max(max);

export const companySchema = z.strictObject({
  name: text(200).describe("The company's name"),
  orgNumber: z
    .string()
    .max(20)
    .refine((v) => parseOrgNumber(v) !== null, {
      message: msg('Not a valid Swedish organisation number: 10 or 12 digits, optional hyphen, last digit a Luhn check',
        'Inte ett giltigt svenskt organisationsnummer: 10 eller 12 siffror, eventuellt bindestreck, sista siffran en kontrollsiffra'),
    })
    .optional()
    .describe('Organisationsnummer, NNNNNN-NNNN or 12 digits. A sole trader may give a personnummer, which is treated as personal data.'),
  employees: z.number().int().min(0).max(1_000_000).optional().describe('Number of employees, if the form asks'),
});

export const contactSchema = z.strictObject({
  name: text(200).describe('Who the caseworker should contact'),
  email: z.email({ message: msg('Not a valid e-mail address', 'Inte en giltig e-postadress') }).max(254),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, { message: msg('Not a valid phone number: digits, spaces, +, - and parentheses, 5 to 30 characters', 'Inte ett giltigt telefonnummer: siffror, mellanslag, +, - och parenteser, 5 till 30 tecken') })
    .optional(),
});

/** Which regional page or form sent the inquiry: a short slug the region chooses (e.g. skane-export-form). */
export const entryPointSchema = z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, { message: msg('A short slug: lower-case letters, digits and -, at most 60', 'En kort beteckning: små bokstäver, siffror och -, högst 60') })
  .describe('Which regional page or form sent it, as a short slug (e.g. skane-exportcentrum-form): statistics can be grouped by it');

export const inquiryRequestSchema = z
  .strictObject({
    company: companySchema,
    contact: contactSchema,
    county: z.string().trim().min(1).max(60).optional().describe('County: ISO 3166-2 (SE-M), SCB code (12) or name (Skåne, Skåne län), any case, with or without diacritics'),
    municipality: z.string().trim().min(1).max(60).optional().describe('Municipality name (Lund) or SCB code (1281)'),
    subject: z.string().trim().max(200).optional(),
    message: text(5000).describe('The question, in Swedish or English'),
    language: z.enum(['sv', 'en']).optional(),
    entryPoint: entryPointSchema.optional(),
    consent: z.literal(true, { message: msg('Consent must be true: the company agrees that its inquiry and contact details are handled to answer it', 'Samtycke krävs (true): företaget godkänner att förfrågan och kontaktuppgifterna hanteras för att besvara den') }),
    followUpConsent: z.boolean().optional().describe(
      'Separate, optional consent (forms show it as its own unticked checkbox): the company agrees to a few short questions ' +
      'about exports FOLLOW_UP_WAVES_MONTHS after its case is closed (default 6, 12 and 24 months), by e-mail with a private link. ' +
      'Withdrawn with one click from every message. Absent or false: no such questions.'),
    website: z.string().max(2000).optional().describe(
      'Honeypot: leave empty. Forms render it hidden from people (and autocomplete="off"); bots that fill every field fill it. ' +
      'A filled one is refused with 422 suspected-bot and nothing is stored.'),
  })
  .meta({ id: 'InquiryRequest' });

export type InquiryRequest = z.infer<typeof inquiryRequestSchema>;

export const actorRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['core', 'public', 'chamber']),
}).meta({ id: 'ActorRef' });

export const countyRefSchema = z.object({ code: z.string(), scbCode: z.string(), name: z.string() }).meta({ id: 'CountyRef' });

export const inquiryCreatedSchema = z
  .object({
    id: z.string().uuid(),
    reference: z.string().describe('Short reference to quote on the phone, e.g. REC-2026-000123'),
    status: z.enum(['assigned', 'triage']),
    receivedAt: z.iso.datetime(),
    deadlineAt: z.iso.datetime().describe('When first contact is due under the recorded policy'),
    deadlinePolicy: z.enum(['working-day', '24h']),
    county: countyRefSchema.nullable(),
    topics: z.array(z.object({ id: z.string(), name: z.string(), score: z.number() })),
    assignedActor: actorRefSchema.nullable(),
    alternatives: z.array(actorRefSchema).describe('Other actors in the county offering a similar service: the company is told about all of them'),
    statusUrl: z.url().describe("The company's private link to follow its inquiry; unguessable, shown only here"),
    statusToken: z.string().describe('The token in statusUrl, for clients that call GET /v1/status/{token} themselves; as secret as the link'),
  })
  .meta({ id: 'InquiryCreated' });

export type InquiryCreated = z.infer<typeof inquiryCreatedSchema>;

export const statusViewSchema = z
  .object({
    reference: z.string(),
    status: z.string(),
    receivedAt: z.iso.datetime(),
    deadlineAt: z.iso.datetime(),
    county: countyRefSchema.nullable(),
    assignedActor: actorRefSchema.nullable(),
    alternatives: z.array(actorRefSchema),
    history: z.array(z.object({ type: z.string(), at: z.iso.datetime() })).describe('Milestones only: nothing written by caseworkers'),
    followUp: followUpSchema,
  })
  .meta({ id: 'InquiryStatus' });

/** The doors other than the web form, through which a caseworker or coordinator registers an inquiry. */
export const REGISTRATION_CHANNELS = ['phone', 'email', 'visit', 'event'] as const;
export const INQUIRY_CHANNELS = ['form', ...REGISTRATION_CHANNELS, 'import'] as const;
export type InquiryChannel = (typeof INQUIRY_CHANNELS)[number];

export const caseRegistrationSchema = z
  .strictObject({
    channel: z.enum(REGISTRATION_CHANNELS).describe('How the inquiry reached you: phone, email, visit (the company came by or you visited it), event'),
    receivedAt: z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))
      .describe('When the company asked (RFC 3339): not in the future, at most MAX_BACKDATED_DAYS (default 14) days ago. The deadline runs from it'),
    company: companySchema,
    contact: contactSchema,
    county: z.string().trim().min(1).max(60).describe('County: ISO 3166-2 (SE-M), SCB code (12) or name'),
    municipality: z.string().trim().min(1).max(60).optional().describe('Municipality name (Lund) or SCB code (1281)'),
    subject: z.string().trim().max(200).optional(),
    message: text(5000).describe('The question, in the words the company used as far as possible: it is classified like any inquiry'),
    language: z.enum(['sv', 'en']).optional(),
    entryPoint: entryPointSchema.optional(),
    assignTo: z.string().trim().min(1).max(60).optional().describe(
      '`routing`: let routing choose the actor (or triage) as for a web inquiry; an actor id: that actor (active, present in the county). ' +
      "Default: a caseworker's own actor holds it (claimed by the caseworker); for a coordinator, routing chooses"),
  })
  .meta({ id: 'CaseRegistration' });

export type CaseRegistration = z.infer<typeof caseRegistrationSchema>;

export const registrationCreatedSchema = inquiryCreatedSchema
  .extend({
    status: z.enum(CASE_STATUSES).describe('claimed: held by the caseworker who registered it; a replay (same Idempotency-Key) gives the status now'),
    channel: z.enum(REGISTRATION_CHANNELS),
  })
  .meta({ id: 'RegisteredInquiry' });

export type RegistrationCreated = z.infer<typeof registrationCreatedSchema>;
