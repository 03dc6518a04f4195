import type { CaseWorld } from '../cases/helpers.js';

export const HOUR = 3_600_000;

/** A two-arm experiment starting an hour after the test clock's now, for a week; override what a test is about. */
export function experiment(w: Pick<CaseWorld, 'clock'>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'second-contact',
    name: 'Proactive second contact',
    description: 'Hypothesis: a proactive second contact after 30 days raises the share of first-time inquirers that start exporting within 12 months.',
    eligibility: { counties: ['Skåne'], sizeBands: ['0-9', '10-49'], firstTimeOnly: false },
    arms: [
      { id: 'standard', label: 'Standard handling', share: 0.5, instruction: { sv: 'Hantera som vanligt.', en: 'Handle as usual.' } },
      { id: 'second-contact', label: 'Proactive second contact after 30 days', share: 0.5,
        instruction: { sv: 'Ring företaget igen 30 dagar efter första kontakten.', en: 'Call the company again 30 days after the first contact.' } },
    ],
    startsAt: new Date(w.clock.now + HOUR).toISOString(),
    endsAt: new Date(w.clock.now + 7 * 24 * HOUR).toISOString(),
    seed: 'test-seed-0123456789abcdef',
    ...overrides,
  };
}
