import Holidays from 'date-holidays';
import { TZDate } from '@date-fns/tz';

/**
 * The Swedish working-day calendar, in Europe/Stockholm.
 * Non-working: Saturdays, Sundays, statutory public holidays (Lag 1989:253) and the eves that are days
 * off in practice: midsommarafton, julafton and nyårsafton (typed `bank` in date-holidays' SE data).
 */
export const STOCKHOLM = 'Europe/Stockholm';

const holidays = new Holidays('SE');
const nonWorkingByYear = new Map<number, Map<string, string>>();

function holidaysOf(year: number): Map<string, string> {
  let days = nonWorkingByYear.get(year);
  if (!days) {
    days = new Map();
    for (const h of holidays.getHolidays(year)) {
      if (h.type === 'public' || h.type === 'bank') days.set(h.date.slice(0, 10), h.name);
    }
    nonWorkingByYear.set(year, days);
  }
  return days;
}

/** A calendar date in Stockholm, as YYYY-MM-DD. */
export type LocalDate = string;

// One formatter, reused: creating Intl formatters (or TZDates) per call dominated the intake path.
// The sv-SE locale formats dates as YYYY-MM-DD.
const localDateFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: STOCKHOLM, year: 'numeric', month: '2-digit', day: '2-digit' });

// Memoised per UTC hour: Stockholm's offset from UTC is a whole number of hours and changes only on
// the hour, so every instant of a UTC hour has the same local date. Intake, deadlines, the sweeper and
// imports of millions of cases all ask this, mostly for the same few hours.
const localDateByHour = new Map<number, LocalDate>();

export function localDateOf(instantMs: number): LocalDate {
  const hour = Math.floor(instantMs / 3_600_000);
  let date = localDateByHour.get(hour);
  if (date === undefined) {
    date = localDateFormat.format(instantMs);
    if (localDateByHour.size >= 100_000) localDateByHour.clear(); // bounded: about eleven years of hours
    localDateByHour.set(hour, date);
  }
  return date;
}

export function formatLocalDate(year: number, month: number, day: number): LocalDate {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instant a Stockholm calendar date begins (local midnight), in UTC milliseconds. */
const startOfDateCache = new Map<LocalDate, number>();

export function startOfLocalDate(date: LocalDate): number {
  let start = startOfDateCache.get(date);
  if (start === undefined) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    start = new TZDate(y, m - 1, d, STOCKHOLM).getTime();
    if (startOfDateCache.size > 20_000) startOfDateCache.clear(); // bounded: ~55 years of dates
    startOfDateCache.set(date, start);
  }
  return start;
}

/** The Stockholm calendar date after the given one. */
export function nextLocalDate(date: LocalDate): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return formatLocalDate(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
}

/** Why a date is not a working day (e.g. "Saturday", "midsommarafton"), or null for a working day. */
export function nonWorkingReason(date: LocalDate): string | null {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const holiday = holidaysOf(y).get(date);
  if (holiday) return holiday;
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  if (weekday === 6) return 'Saturday';
  if (weekday === 0) return 'Sunday';
  return null;
}

export function isWorkingDay(date: LocalDate): boolean {
  return nonWorkingReason(date) === null;
}
