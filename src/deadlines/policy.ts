import { localDateOf, nextLocalDate, nonWorkingReason, startOfLocalDate, type LocalDate } from './calendar.js';

/**
 * The first-contact deadline: "inom en arbetsdag (24 timmar)".
 * - `24h`: 24 elapsed hours from arrival.
 * - `working-day`: 24 hours counted only on Stockholm working days, so Friday 15:00 is due Monday 15:00,
 *   and an inquiry that arrives on a Saturday is due at the end of Monday.
 * The policy in force when an inquiry arrives is recorded with it, so a later change never moves a deadline.
 */
export const DEADLINE_POLICIES = ['working-day', '24h'] as const;
export type DeadlinePolicy = (typeof DEADLINE_POLICIES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SkippedDay { date: LocalDate; reason: string }

export interface Deadline {
  policy: DeadlinePolicy;
  startAt: number;
  deadlineAt: number;
  /** Non-working days the clock did not run on, with the reason (holiday name or weekday). */
  skippedDays: SkippedDay[];
}

export function computeDeadline(policy: DeadlinePolicy, startAt: number): Deadline {
  if (policy === '24h') return { policy, startAt, deadlineAt: startAt + DAY_MS, skippedDays: [] };

  const skippedDays: SkippedDay[] = [];
  let remaining = DAY_MS;
  let cursor = startAt;
  let date = localDateOf(startAt);
  // Bounded: no run of non-working days in the Swedish calendar is longer than a few days.
  for (let guard = 0; guard < 60; guard++) {
    const nextDate = nextLocalDate(date);
    const dayEnd = startOfLocalDate(nextDate);
    const reason = nonWorkingReason(date);
    if (reason !== null) {
      skippedDays.push({ date, reason });
    } else {
      // Real elapsed time, so a day of 23 or 25 hours would count as it is.
      const available = dayEnd - cursor;
      if (remaining <= available) return { policy, startAt, deadlineAt: cursor + remaining, skippedDays };
      remaining -= available;
    }
    cursor = dayEnd;
    date = nextDate;
  }
  throw new Error('deadline computation did not converge');
}
