import { z } from 'zod';
import { msg } from '../shared/i18n.js';

/** The follow-up waves' questions and coded answers (the same in the API, the e-mails and the statistics). */
export const EXPORTING = ['started', 'continued', 'no'] as const;
export const EXPORT_SHARES = ['none', 'under-10', '10-24', '25-49', '50-plus', 'dont-know'] as const;
export const CONTRIBUTIONS = ['yes', 'partly', 'no', 'dont-know'] as const;
export const WAVE_STATES = ['scheduled', 'open', 'answered', 'expired', 'cancelled'] as const;

export const QUESTIONS = {
  exporting: {
    sv: 'Har företaget börjat exportera sedan ni kontaktade exportcentrumet? (started: ja, började; continued: exporterade redan och fortsätter; no: nej)',
    en: 'Has the company started exporting since it contacted the export centre? (started: yes; continued: already exported and still does; no)',
  },
  newMarkets: {
    sv: 'Vilka nya exportmarknader (länder) har företaget gått in på sedan dess? ISO-landskoder, t.ex. DE, NO; tom lista om inga.',
    en: 'Which new export markets (countries) has the company entered since? ISO country codes, e.g. DE, NO; an empty list if none.',
  },
  exportShare: {
    sv: 'Ungefär hur stor del av omsättningen är export? (none, under-10, 10-24, 25-49, 50-plus procent, dont-know)',
    en: 'Roughly what share of turnover is exports? (none, under-10, 10-24, 25-49, 50-plus per cent, dont-know)',
  },
  contribution: {
    sv: 'Bidrog hjälpen ni fick till det? (yes, partly, no, dont-know)',
    en: 'Did the help you got contribute to this? (yes, partly, no, dont-know)',
  },
} as const;

// Regions ICU names that are no country one exports to (and Sweden itself).
const NOT_COUNTRIES = new Set(['SE', 'EU', 'EZ', 'UN', 'ZZ', 'QO']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
/** ISO 3166-1 alpha-2: two letters that name a region (ICU knows them); SE itself is not a new export market. */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  try {
    return regionNames.of(code) !== code;
  } catch {
    return false;
  }
}

export const waveAnswerSchema = z
  .strictObject({
    exporting: z.enum(EXPORTING).describe('started: began exporting since the inquiry; continued: already exported before; no'),
    newMarkets: z.array(z.string().trim().toUpperCase().refine(isCountryCode, {
      message: msg('Not an ISO 3166-1 alpha-2 country code (other than SE), e.g. DE or NO', 'Inte en landskod enligt ISO 3166-1 alfa-2 (annan än SE), t.ex. DE eller NO'),
    })).max(60).describe('New export markets entered since, as ISO 3166-1 alpha-2 codes; [] for none'),
    exportShare: z.enum(EXPORT_SHARES).describe('Exports as a share of turnover, in per cent bands'),
    contribution: z.enum(CONTRIBUTIONS).describe('Did the help contribute: yes, partly, no, dont-know'),
    comment: z.string().trim().max(2000).optional().describe('Optional free text; personal data, erased with the case and never part of statistics'),
  })
  .meta({ id: 'FollowUpWaveAnswer' });
export type WaveAnswer = z.infer<typeof waveAnswerSchema>;

const codedAnswer = z.object({
  exporting: z.enum(EXPORTING), newMarkets: z.array(z.string()), exportShare: z.enum(EXPORT_SHARES), contribution: z.enum(CONTRIBUTIONS),
});

export const waveViewSchema = z.object({
  months: z.number().int().describe('Months after closing'),
  state: z.enum(WAVE_STATES).describe('scheduled: not yet due; open: can be answered now; answered; expired: the answer window passed; cancelled: consent withdrawn'),
  dueAt: z.iso.datetime(),
  openedAt: z.iso.datetime().nullable(),
  answerBy: z.iso.datetime().nullable().describe('The end of the answer window, once opened'),
  answeredAt: z.iso.datetime().nullable(),
  answer: codedAnswer.nullable(),
  answerUrl: z.string().describe('POST the answer here (relative to the API base) while the wave is open'),
}).meta({ id: 'FollowUpWave' });

export const followUpViewSchema = z.object({
  consent: z.object({
    given: z.boolean().describe('Whether the company agreed at intake to follow-up questions over months'),
    givenAt: z.iso.datetime().nullable(),
    withdrawnAt: z.iso.datetime().nullable(),
  }),
  withdrawUrl: z.string().nullable().describe('POST here to withdraw the consent (one click; relative to the API base); null without consent'),
  questions: z.object(Object.fromEntries(Object.keys(QUESTIONS).map((k) => [k, z.object({ sv: z.string(), en: z.string() })])) as Record<keyof typeof QUESTIONS, z.ZodObject<{ sv: z.ZodString; en: z.ZodString }>>),
  options: z.object({ exporting: z.array(z.string()), exportShare: z.array(z.string()), contribution: z.array(z.string()) }),
  waves: z.array(waveViewSchema).describe('Planned when the case is closed (FOLLOW_UP_WAVES_MONTHS after closing); empty before'),
}).meta({ id: 'FollowUpWaves' });
export type FollowUpView = z.infer<typeof followUpViewSchema>;

export const withdrawalSchema = z.object({
  withdrawnAt: z.iso.datetime(),
  cancelledWaves: z.number().int().describe('Waves that will now never be sent'),
}).meta({ id: 'FollowUpWithdrawal' });
