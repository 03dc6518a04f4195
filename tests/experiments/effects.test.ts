import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';
import { experiment, HOUR } from './helpers.js';

const SECRET = 'experiments-research-key-0123456789-abcdef';

/** Effects by arm (with the same small-cell suppression) and the arm in the research extract. */
describe('experiments in the effect statistics and the research extract', () => {
  let w: CaseWorld;
  let researcher: string;
  let assigned: string;
  let armOfAssigned: string;
  let outside: string;

  beforeAll(async () => {
    w = await caseWorld({ RESEARCH_PSEUDONYM_SECRET: SECRET });
    researcher = w.app.apiKeys.create({ role: 'researcher', label: 'Tillväxtverket' }, 'test').token;
    outside = await w.submit(); // before the experiment
    expect((await w.post('/v1/admin/experiments', w.tokens.admin, experiment(w, { eligibility: {} }))).statusCode).toBe(201);
    w.clock.advance(2 * HOUR);
    const r = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, followUpConsent: true }) });
    expect(r.statusCode, r.body).toBe(201);
    assigned = r.json().id;
    armOfAssigned = w.db.$client.prepare('SELECT arm_id FROM experiment_assignments WHERE inquiry_id = ?').pluck().get(assigned) as string;
  });
  afterAll(() => w.close());

  it('copies the arm into the follow-up waves when the case is closed', async () => {
    expect((await w.post(`/v1/cases/${assigned}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${assigned}/close`, w.tokens.almi, { outcome: 'helped' })).statusCode).toBe(200);
    const arms = w.db.$client.prepare('SELECT DISTINCT arm FROM follow_up_waves WHERE inquiry_id = ?').pluck().all(assigned);
    expect(arms).toEqual([`second-contact:${armOfAssigned}`]);
  });

  it('groups effects by arm, suppressing cells of fewer than 5 companies', async () => {
    let n = 0;
    const seed = (arm: string | null, answered: boolean, exporting: string) => {
      n++;
      w.db.$client.prepare(`INSERT INTO follow_up_waves (id, inquiry_id, months, due_at, invited_at, emailed, answered_at, cohort_month, county_code, actor_id, topic_id,
          size_band, outcome, channel, company_id, arm, exporting, new_markets, export_share, contribution)
        VALUES (@id, NULL, 6, 0, 1, 1, @answeredAt, '2026-05', 'SE-M', 'almi', 'loans-growth-finance', '10-49', 'helped', 'form', @company, @arm, @exporting, @markets, @share, @contribution)`)
        .run({ id: `seeded-${n}`, answeredAt: answered ? 2 : null, company: 5000 + n, arm, exporting: answered ? exporting : null,
          markets: answered ? '' : null, share: answered ? 'none' : null, contribution: answered ? 'yes' : null });
    };
    // standard: 8 asked, 6 answered, 2 started; second-contact: 7 asked, 6 answered, 4 started; a third arm with 3: suppressed.
    for (let i = 0; i < 8; i++) seed('pilot:standard', i < 6, i < 2 ? 'started' : 'no');
    for (let i = 0; i < 7; i++) seed('pilot:second-contact', i < 6, i < 4 ? 'started' : 'no');
    for (let i = 0; i < 3; i++) seed('pilot:visit', true, 'started');
    for (let i = 0; i < 6; i++) seed(null, true, 'no');
    const r = await w.get('/v1/stats/effects?cohortFrom=2026-05&cohortTo=2026-05&groupBy=arm', w.tokens.analyst);
    expect(r.statusCode, r.body).toBe(200);
    const rows = r.json().rows as { row: string; arm?: string | null; invitations: number | null; responses: number | null; shareStartedExporting: number | null; suppressed: boolean }[];
    const group = (arm: string | null) => rows.find((x) => x.row === 'group' && x.arm === arm);
    expect(r.json().groupBy).toEqual(['arm']);
    expect(group('pilot:second-contact')).toMatchObject({ invitations: 7, responses: 6, shareStartedExporting: 0.6667 });
    expect(group('pilot:visit')).toMatchObject({ invitations: null, responses: null, shareStartedExporting: null, suppressed: true });
    // Complementary suppression: the next smallest group loses the figures that would give the visit arm away.
    expect(rows.filter((x) => x.row === 'group' && x.suppressed).length).toBeGreaterThanOrEqual(2);
    expect(group(null)).toBeTruthy();
    // Combined with another dimension, and as CSV.
    const csv = await w.get('/v1/stats/effects?cohortFrom=2026-05&cohortTo=2026-05&groupBy=county,arm', w.tokens.analyst, { accept: 'text/csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.slice(1).split('\r\n')[0]).toMatch(/^row;months;county;arm;/);
    const bad = await w.get('/v1/stats/effects?cohortFrom=2026-05&cohortTo=2026-05&groupBy=arms', w.tokens.analyst);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().invalidParams[0].name).toMatch(/groupBy/);
  });

  it('gives the extract experimentId and experimentArm, null outside any experiment', async () => {
    const r = await w.get('/v1/research/extract', researcher, { accept: 'application/x-ndjson' });
    expect(r.statusCode, r.body).toBe(200);
    const rows = r.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    expect(rows.map((x) => [x.experimentId, x.experimentArm])).toEqual([[null, null], ['second-contact', armOfAssigned]]);
    const csv = await w.get('/v1/research/extract', researcher, { accept: 'text/csv' });
    expect(csv.body.slice(1).split('\r\n')[0]).toContain(';experimentId;experimentArm;orgPseudonym');
    expect(outside).toBeTruthy();
  });
});
