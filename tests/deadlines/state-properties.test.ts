import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDeadline, DEADLINE_POLICIES } from '../../src/deadlines/policy.js';
import { atRiskFrom, deadlineState, deadlineTimeLeft } from '../../src/deadlines/state.js';
import { isoWeekOf } from '../../src/stats/service.js';

/**
 * The sweeper, the metrics and the statistics classify cases in SQL from two stored instants
 * (deadline_at and at_risk_at). These properties check that this agrees with deadlineState's
 * deadline arithmetic for any arrival, moment and first contact, across weekends, holidays and DST.
 */
const HOUR = 3_600_000;
const instant = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') });

function sqlState(f: { deadlineAt: number; atRiskAt: number; firstContactAt: number | null }, now: number) {
  if (f.firstContactAt !== null) return f.firstContactAt <= f.deadlineAt ? 'met' : 'missed';
  if (f.deadlineAt < now) return 'breached';
  if (f.atRiskAt < now) return 'at-risk';
  return 'on-track';
}

describe('deadline state from stored instants vs deadline arithmetic', () => {
  it('agrees with deadlineState for every policy, arrival, moment, contact and at-risk window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEADLINE_POLICIES), instant, fc.integer({ min: 0, max: 8 * 24 * HOUR }),
        fc.option(fc.integer({ min: 0, max: 8 * 24 * HOUR })), fc.integer({ min: 0, max: 24 }),
        (policy, receivedAt, later, contactAfter, riskHours) => {
          const atRiskMs = riskHours * HOUR;
          const { deadlineAt } = computeDeadline(policy, receivedAt);
          const atRiskAt = atRiskFrom(policy, deadlineAt, receivedAt, atRiskMs);
          const now = receivedAt + later;
          const firstContactAt = contactAfter === null ? null : receivedAt + contactAfter;
          expect(sqlState({ deadlineAt, atRiskAt, firstContactAt }, now)).toBe(deadlineState({ policy, deadlineAt, firstContactAt }, now, atRiskMs));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a working-day deadline holds exactly 24 hours of working time, and at-risk starts with the window left', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 24 }), (receivedAt, riskHours) => {
        const { deadlineAt } = computeDeadline('working-day', receivedAt);
        expect(deadlineTimeLeft('working-day', receivedAt, deadlineAt)).toBe(24 * HOUR);
        const atRiskAt = atRiskFrom('working-day', deadlineAt, receivedAt, riskHours * HOUR);
        expect(deadlineTimeLeft('working-day', atRiskAt, deadlineAt)).toBe(riskHours * HOUR);
      }),
      { numRuns: 500 },
    );
  });

  it("a case closed without contact is breached when closed after its deadline (for good), otherwise 'closed', as the statistics count it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEADLINE_POLICIES), instant, fc.integer({ min: 0, max: 8 * 24 * HOUR }), fc.integer({ min: 0, max: 8 * 24 * HOUR }),
        (policy, receivedAt, closedAfter, laterStill) => {
          const { deadlineAt } = computeDeadline(policy, receivedAt);
          const closedAt = receivedAt + closedAfter;
          const state = deadlineState({ policy, deadlineAt, firstContactAt: null, closedAt }, closedAt + laterStill, 4 * HOUR);
          // compliance: closed_overdue (part of openOverdue) when closed_at > deadline_at, else closedWithoutContact.
          expect(state).toBe(closedAt > deadlineAt ? 'breached' : 'closed');
          // Contact decides before the close does.
          expect(deadlineState({ policy, deadlineAt, firstContactAt: receivedAt, closedAt }, closedAt + laterStill, 4 * HOUR)).toBe('met');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('ISO weeks: known dates', () => {
    expect(isoWeekOf('2026-01-01')).toBe('2026-W01');
    expect(isoWeekOf('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOf('2026-10-25')).toBe('2026-W43');
    expect(isoWeekOf('2026-10-26')).toBe('2026-W44');
  });
});
