import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { armAt, drawArm, uniformOf } from '../../src/experiments/draw.js';
import { caseWorld, type CaseWorld } from '../cases/helpers.js';
import { experiment, HOUR } from './helpers.js';

// Deterministic ids, so that two separate apps (two databases) give their inquiries the same ids: the id source
// (src/shared/ids.ts, a UUIDv7 from the clock and random bits) is replaced by a counter, nothing else.
const ids = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../src/shared/ids.js', () => ({
  timeOrderedId: () => `01900000-0000-7000-8000-${(++ids.n).toString(16).padStart(12, '0')}`,
}));

/** Within ±4 binomial standard deviations of n·share (fails by chance about once in 16 000 per arm). */
function expectBalanced(counts: Map<string, number>, arms: { id: string; share: number }[], n: number) {
  for (const a of arms) {
    const sd = Math.sqrt(n * a.share * (1 - a.share));
    const got = counts.get(a.id) ?? 0;
    expect(Math.abs(got - n * a.share), `${a.id}: ${got} of ${n}, expected ${n * a.share} ± ${4 * sd}`).toBeLessThanOrEqual(4 * sd);
  }
}

describe('the draw', () => {
  const arms = [{ id: 'standard', share: 0.5 }, { id: 'second-contact', share: 0.3 }, { id: 'visit', share: 0.2 }];

  it('is a pure function of the seed and the inquiry id', () => {
    expect(uniformOf('seed-a', 'inquiry-1')).toBe(uniformOf('seed-a', 'inquiry-1'));
    expect(uniformOf('seed-a', 'inquiry-1')).not.toBe(uniformOf('seed-b', 'inquiry-1'));
    const u = uniformOf('seed-a', 'inquiry-1');
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    expect(armAt(arms, 0).id).toBe('standard');
    expect(armAt(arms, 0.4999).id).toBe('standard');
    expect(armAt(arms, 0.5).id).toBe('second-contact');
    expect(armAt(arms, 0.8).id).toBe('visit');
    expect(armAt(arms, 0.999999999).id).toBe('visit');
    // Shares are normalised: 1/3 each written with three decimals.
    const thirds = [{ id: 'a', share: 0.333 }, { id: 'b', share: 0.333 }, { id: 'c', share: 0.334 }];
    expect(armAt(thirds, 0.9999).id).toBe('c');
  });

  it('is balanced within expected variation on 10,000 simulated inquiries, and the same again', () => {
    const n = 10_000;
    const simulate = () => Array.from({ length: n }, (_, i) => drawArm('pilot-2027-seed', `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`, arms).id);
    const first = simulate();
    const counts = new Map<string, number>();
    for (const a of first) counts.set(a, (counts.get(a) ?? 0) + 1);
    expectBalanced(counts, arms, n);
    expect(simulate()).toEqual(first);
    // Another seed gives another, equally balanced, assignment.
    const other = Array.from({ length: n }, (_, i) => drawArm('another-seed-0000', `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`, arms).id);
    expect(other).not.toEqual(first);
  });

  it('through intake: two separate apps and databases give the same inquiries the same arms, balanced', async () => {
    const run = async (): Promise<{ arms: string[]; w: CaseWorld }> => {
      ids.n = 0;
      const w = await caseWorld();
      const r = await w.post('/v1/admin/experiments', w.tokens.admin, experiment(w, { eligibility: {}, seed: 'reproducible-seed-0123' }));
      expect(r.statusCode, r.body).toBe(201);
      w.clock.advance(2 * HOUR);
      const drawn: string[] = [];
      for (let i = 0; i < 200; i++) {
        const id = await w.submit({ company: { name: 'Test AB', employees: 5 } });
        const a = w.db.$client.prepare('SELECT arm_id FROM experiment_assignments WHERE inquiry_id = ?').pluck().get(id) as string;
        drawn.push(`${id}:${a}`);
      }
      return { arms: drawn, w };
    };
    const a = await run();
    const b = await run();
    try {
      expect(b.arms).toEqual(a.arms);
      const counts = new Map<string, number>();
      for (const x of a.arms) { const arm = x.split(':')[1]!; counts.set(arm, (counts.get(arm) ?? 0) + 1); }
      expectBalanced(counts, [{ id: 'standard', share: 0.5 }, { id: 'second-contact', share: 0.5 }], 200);
      // The admin's view counts the same.
      const view = (await a.w.get('/v1/admin/experiments/second-contact', a.w.tokens.admin)).json();
      expect(view.assignments).toEqual([{ armId: 'standard', count: counts.get('standard') }, { armId: 'second-contact', count: counts.get('second-contact') }]);
    } finally {
      await a.w.close();
      await b.w.close();
    }
  }, 60_000);
});
