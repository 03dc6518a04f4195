import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/shared/ids.js';

describe('timeOrderedId', () => {
  it('is a UUID version 7 (RFC 9562) whose first 48 bits are the instant, unique, and ordered by millisecond', () => {
    const at = Date.parse('2026-12-06T04:00:00.123Z');
    const id = timeOrderedId(at);
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)).toBe(true); // RFC 9562 variant
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    const many = Array.from({ length: 10_000 }, () => timeOrderedId(at));
    expect(new Set(many).size).toBe(10_000);
    expect(timeOrderedId(at + 1) > timeOrderedId(at)).toBe(true);
    expect([timeOrderedId(at + 2), timeOrderedId(at)].sort()[0]!.startsWith(id.slice(0, 13))).toBe(true);
  });
});
