import { describe, expect, it } from 'vitest';
import { deadlineInWords, instantInWords } from '../../src/deadlines/in-words.js';

describe('instants in words, in Stockholm time', () => {
  it('says a winter (CET) instant as a person would, in Swedish and English', () => {
    const at = Date.parse('2026-11-30T14:00:00Z'); // 15.00 in Stockholm
    expect(deadlineInWords(at, 'sv', { now: at })).toBe('senast måndag 30 november kl. 15.00');
    expect(deadlineInWords(at, 'en', { now: at })).toBe('by Monday 30 November at 15:00');
  });

  it('uses summer time (CEST) after the change in March, and the winter offset after October', () => {
    expect(instantInWords(Date.parse('2026-03-30T07:30:00Z'), 'sv', { now: Date.parse('2026-03-01T00:00:00Z') })).toBe('måndag 30 mars kl. 09.30');
    expect(instantInWords(Date.parse('2026-10-26T07:30:00Z'), 'sv', { now: Date.parse('2026-10-01T00:00:00Z') })).toBe('måndag 26 oktober kl. 08.30');
  });

  it('says local midnight as the end of the day before', () => {
    const midnight = Date.parse('2026-11-30T23:00:00Z'); // Tuesday 1 December 00.00 in Stockholm
    expect(instantInWords(midnight, 'sv', { now: midnight })).toBe('måndag 30 november kl. 24.00');
    expect(instantInWords(midnight, 'en', { now: midnight })).toBe('Monday 30 November at 24:00');
  });

  it('adds the year only when it is not the reader\'s year', () => {
    const at = Date.parse('2027-01-04T09:00:00Z');
    expect(instantInWords(at, 'sv', { now: Date.parse('2026-12-30T09:00:00Z') })).toBe('måndag 4 januari 2027 kl. 10.00');
    expect(instantInWords(at, 'sv', { now: at })).toBe('måndag 4 januari kl. 10.00');
    expect(instantInWords(at, 'en', { withYear: true })).toBe('Monday 4 January 2027 at 10:00');
  });
});
