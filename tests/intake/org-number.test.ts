import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseOrgNumber } from '../../src/intake/org-number.js';

/** Luhn check digit over nine digits, weights 2,1 from the left: the rule the library must follow. */
function luhnDigit(nine: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const legalEntityPrefix = fc.tuple(
  fc.constantFrom('2', '5', '7', '8', '9'),
  fc.integer({ min: 0, max: 9 }),
  fc.integer({ min: 2, max: 9 }), // third digit >= 2: a legal entity, never a personnummer
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }),
).map(([a, b, c, rest]) => `${a}${b}${c}${rest.join('')}`);

describe('organisation numbers', () => {
  it('accepts every number with a correct Luhn digit, in all written forms', () => {
    fc.assert(fc.property(legalEntityPrefix, (nine) => {
      const ten = nine + luhnDigit(nine);
      for (const form of [ten, `${ten.slice(0, 6)}-${ten.slice(6)}`, `16${ten}`, `16${ten.slice(0, 6)}-${ten.slice(6)}`]) {
        const parsed = parseOrgNumber(form);
        expect(parsed?.normalized).toBe(ten);
        expect(parsed?.isPersonnummer).toBe(false);
      }
    }), { numRuns: 500 });
  });

  it('rejects every number with a wrong check digit', () => {
    fc.assert(fc.property(legalEntityPrefix, fc.integer({ min: 1, max: 9 }), (nine, offset) => {
      const wrong = nine + ((luhnDigit(nine) + offset) % 10);
      expect(parseOrgNumber(wrong)).toBeNull();
    }), { numRuns: 500 });
  });

  it('rejects text that is not ten or twelve digits', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
      fc.pre(!/^(\d{2})?\d{6}[-+]?\d{4}$/.test(s.trim()));
      expect(parseOrgNumber(s)).toBeNull();
    }), { numRuns: 500 });
  });

  it('knows real numbers and flags personnummer', () => {
    expect(parseOrgNumber('556036-0793')).toEqual({ normalized: '5560360793', formatted: '556036-0793', isPersonnummer: false });
    expect(parseOrgNumber('212000-0142')?.isPersonnummer).toBe(false);
    expect(parseOrgNumber('121212-1212')?.isPersonnummer).toBe(true);
    expect(parseOrgNumber('19121212-1212')?.isPersonnummer).toBe(true);
  });
});
