import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeDeadline } from '../../src/deadlines/policy.js';
import { isWorkingDay, localDateOf, nonWorkingReason } from '../../src/deadlines/calendar.js';
import { deadlineTimeLeft } from '../../src/deadlines/state.js';

const due = (policy: 'working-day' | '24h', iso: string) => new Date(computeDeadline(policy, Date.parse(iso)).deadlineAt).toISOString();
const HOUR = 3_600_000;

describe('the working-day policy', () => {
  it.each([
    ['an ordinary Wednesday morning', '2026-11-25T08:00:00Z', '2026-11-26T08:00:00.000Z'],
    ['Friday 15:00 is due Monday 15:00', '2026-11-27T14:00:00Z', '2026-11-30T14:00:00.000Z'],
    ['Saturday is due at the end of Monday', '2026-11-28T10:00:00Z', '2026-11-30T23:00:00.000Z'],
    ['Sunday is due at the end of Monday', '2026-11-29T20:00:00Z', '2026-11-30T23:00:00.000Z'],
    ['Friday before spring DST: Monday same wall-clock time, one hour less elapsed', '2026-03-27T12:00:00Z', '2026-03-30T11:00:00.000Z'],
    ['Friday before autumn DST: Monday same wall-clock time', '2026-10-23T12:00:00Z', '2026-10-26T13:00:00.000Z'],
    ['Saturday night just after midnight local in October (DST weekend)', '2026-10-23T22:30:00Z', '2026-10-26T23:00:00.000Z'],
    ['Maundy Thursday skips Easter (Good Friday to Easter Monday)', '2026-04-02T12:00:00Z', '2026-04-07T12:00:00.000Z'],
    ['the day before midsommarafton skips the midsummer weekend', '2026-06-18T10:00:00Z', '2026-06-22T10:00:00.000Z'],
    ['23 December skips Christmas', '2026-12-23T09:00:00Z', '2026-12-28T09:00:00.000Z'],
    ['30 December skips nyårsafton and nyårsdagen', '2026-12-30T09:00:00Z', '2027-01-04T09:00:00.000Z'],
    ['Ascension Day (Kristi himmelsfärd) is skipped', '2026-05-13T09:00:00Z', '2026-05-15T09:00:00.000Z'],
    ['National Day on a Saturday changes nothing', '2026-06-05T09:00:00Z', '2026-06-08T09:00:00.000Z'],
  ])('%s', (_label, received, expected) => {
    expect(due('working-day', received)).toBe(expected);
  });

  it('records the days it skipped and why', () => {
    const d = computeDeadline('working-day', Date.parse('2026-12-23T09:00:00Z'));
    expect(d.skippedDays).toEqual([
      { date: '2026-12-24', reason: 'julafton' },
      { date: '2026-12-25', reason: 'juldagen' },
      { date: '2026-12-26', reason: 'annandag jul' },
      { date: '2026-12-27', reason: 'Sunday' },
    ]);
  });

  it('knows the Swedish calendar', () => {
    expect(nonWorkingReason('2026-06-19')).toBe('midsommarafton');
    expect(nonWorkingReason('2026-06-06')).toBe('nationaldagen');
    expect(isWorkingDay('2026-04-30')).toBe(true); // Valborg is a working day
    expect(isWorkingDay('2026-01-05')).toBe(true); // trettondagsafton too
    expect(isWorkingDay('2026-01-06')).toBe(false);
    expect(isWorkingDay('2027-03-26')).toBe(false); // långfredagen 2027
  });
});

describe('the 24h policy', () => {
  it('is 24 elapsed hours, across weekends and DST', () => {
    expect(due('24h', '2026-11-27T14:00:00Z')).toBe('2026-11-28T14:00:00.000Z');
    expect(due('24h', '2026-03-28T12:00:00Z')).toBe('2026-03-29T12:00:00.000Z');
  });
});

describe('properties of deadline arithmetic', () => {
  // Instants from 2024 to 2030, covering many DST changes and holidays.
  const instant = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') });

  it('a working-day deadline is never earlier than 24 elapsed hours and holds exactly 24 hours of working time', () => {
    fc.assert(fc.property(instant, (start) => {
      const { deadlineAt } = computeDeadline('working-day', start);
      expect(deadlineAt).toBeGreaterThanOrEqual(start + 24 * HOUR);
      expect(deadlineTimeLeft('working-day', start, deadlineAt)).toBe(24 * HOUR);
    }), { numRuns: 2000 });
  });

  it('a working-day deadline never falls inside a non-working day', () => {
    fc.assert(fc.property(instant, (start) => {
      const { deadlineAt } = computeDeadline('working-day', start);
      // The instant just before the deadline is working time.
      expect(isWorkingDay(localDateOf(deadlineAt - 1))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('is monotonic: a later arrival is never due earlier', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 0, max: 7 * 24 * HOUR }), (start, delta) => {
      expect(computeDeadline('working-day', start + delta).deadlineAt).toBeGreaterThanOrEqual(computeDeadline('working-day', start).deadlineAt);
    }), { numRuns: 2000 });
  });

  it('arrivals on the same non-working stretch share one deadline', () => {
    const saturday = Date.parse('2026-11-28T08:00:00Z');
    fc.assert(fc.property(fc.integer({ min: 0, max: 30 * HOUR }), (offset) => {
      expect(computeDeadline('working-day', saturday + offset).deadlineAt).toBe(Date.parse('2026-11-30T23:00:00Z'));
    }));
  });
});
