import { localDateOf, nextLocalDate, nonWorkingReason, startOfLocalDate } from './calendar.js';
import type { DeadlinePolicy } from './policy.js';

/**
 * A case's deadline state, derived (never stored as truth) from its deadline, first contact and close:
 * - `met`: first contact at or before the deadline; `missed`: first contact after it;
 * - `breached`: the deadline has passed with no first contact, whether the case is still open or was
 *   closed without contact after its deadline (a breach stays a breach);
 * - `closed`: closed without contact at or before its deadline (withdrawn, duplicate, spam): the deadline
 *   no longer applies, so neither on track nor breached (the statistics' closedWithoutContact);
 * - `at-risk`: less than the at-risk window of deadline time is left; `on-track` otherwise.
 * A referral does not restart the clock, so only the inquiry's deadline, first contact and close matter.
 */
export const DEADLINE_STATES = ['on-track', 'at-risk', 'breached', 'met', 'missed', 'closed'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

export interface DeadlineFacts {
  policy: DeadlinePolicy;
  deadlineAt: number;
  firstContactAt: number | null;
  /** When the case was closed; absent or null while open. */
  closedAt?: number | null;
}

export function deadlineState(facts: DeadlineFacts, now: number, atRiskMs: number): DeadlineState {
  if (facts.firstContactAt !== null) return facts.firstContactAt <= facts.deadlineAt ? 'met' : 'missed';
  if (facts.closedAt != null) return facts.closedAt > facts.deadlineAt ? 'breached' : 'closed';
  if (now > facts.deadlineAt) return 'breached';
  return deadlineTimeLeft(facts.policy, now, facts.deadlineAt) < atRiskMs ? 'at-risk' : 'on-track';
}

/**
 * Deadline time left between two instants: elapsed time under `24h`, working time only under
 * `working-day` (a Friday evening with the deadline on Monday morning has only Monday's hours left).
 */
export function deadlineTimeLeft(policy: DeadlinePolicy, from: number, to: number): number {
  if (to <= from) return 0;
  if (policy === '24h') return to - from;
  let total = 0;
  let cursor = from;
  let date = localDateOf(from);
  for (let guard = 0; guard < 400 && cursor < to; guard++) {
    const next = nextLocalDate(date);
    const dayEnd = Math.min(startOfLocalDate(next), to);
    if (nonWorkingReason(date) === null) total += dayEnd - cursor;
    cursor = dayEnd;
    date = next;
  }
  return total;
}

/** The instant a case becomes at risk: when `atRiskMs` of deadline time is left. */
export function atRiskFrom(policy: DeadlinePolicy, deadlineAt: number, receivedAt: number, atRiskMs: number): number {
  if (policy === '24h') return deadlineAt - atRiskMs;
  // Walk back from the deadline over working time only.
  let remaining = atRiskMs;
  let cursor = deadlineAt;
  for (let guard = 0; guard < 60 && remaining > 0 && cursor > receivedAt; guard++) {
    const date = localDateOf(cursor - 1);
    const dayStart = Math.max(startOfLocalDate(date), receivedAt);
    if (nonWorkingReason(date) === null) {
      const available = cursor - dayStart;
      if (remaining <= available) return cursor - remaining;
      remaining -= available;
    }
    cursor = dayStart;
  }
  return Math.max(cursor, receivedAt);
}
