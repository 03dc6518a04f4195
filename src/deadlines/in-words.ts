import { STOCKHOLM } from './calendar.js';

/**
 * Instants as a person says them, in Stockholm local time: "måndag 30 november kl. 15.00" and
 * "Monday 30 November at 15:00". Used wherever people read a time (e-mails, pages), never in the API,
 * which speaks RFC 3339. Swedish writes the time with a full stop (Språkrådet); a deadline at local
 * midnight is said as the end of the day before ("kl. 24.00"), which is how a working-day deadline
 * that ends a day reads naturally.
 */
export type Language = 'sv' | 'en';

type Parts = { weekday: string; day: string; month: string; year: string; hour: string; minute: string };

const formats: Record<Language, Intl.DateTimeFormat> = {
  sv: new Intl.DateTimeFormat('sv-SE', { timeZone: STOCKHOLM, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: STOCKHOLM, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
};

function partsOf(instantMs: number, language: Language): Parts {
  const parts = Object.fromEntries(formats[language].formatToParts(instantMs).map((p) => [p.type, p.value])) as Partial<Parts>;
  return { weekday: parts.weekday!, day: parts.day!, month: parts.month!, year: parts.year!, hour: parts.hour!, minute: parts.minute! };
}

export interface InWordsOptions {
  /** Add the year ("30 november 2026"); by default only when the instant is not in `now`'s year. */
  withYear?: boolean;
  /** The reader's present, for deciding whether to say the year. */
  now?: number;
}

/** "måndag 30 november kl. 15.00" / "Monday 30 November at 15:00" (Stockholm time). */
export function instantInWords(instantMs: number, language: Language, options: InWordsOptions = {}): string {
  let p = partsOf(instantMs, language);
  let hour = p.hour;
  // Local midnight is the end of the previous day: "måndag … kl. 24.00" rather than "tisdag … kl. 00.00".
  if (p.hour === '00' && p.minute === '00') {
    p = partsOf(instantMs - 60_000, language);
    hour = '24';
    p.minute = '00';
  }
  const sameYear = options.now === undefined || partsOf(options.now, language).year === p.year;
  const year = (options.withYear ?? !sameYear) ? ` ${p.year}` : '';
  return language === 'sv'
    ? `${p.weekday} ${p.day} ${p.month}${year} kl. ${hour}.${p.minute}`
    : `${p.weekday} ${p.day} ${p.month}${year} at ${hour}:${p.minute}`;
}

/** "senast måndag 30 november kl. 15.00" / "by Monday 30 November at 15:00". */
export function deadlineInWords(deadlineMs: number, language: Language, options: InWordsOptions = {}): string {
  return `${language === 'sv' ? 'senast' : 'by'} ${instantInWords(deadlineMs, language, options)}`;
}
