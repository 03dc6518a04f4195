import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, type CaseWorld } from '../cases/helpers.js';

/**
 * Effect statistics over the follow-up waves: the figures, small-cell suppression (primary and
 * complementary), companies counted once, the coordinator's counties, CSV. The waves are written as
 * the wave sweeper leaves them (rows of follow_up_waves); the end-to-end path from intake to an answer
 * is in follow-up.test.ts.
 */
interface Seed { county: string; months?: number; cohort?: string; answered?: boolean; exporting?: string; newMarkets?: string; contribution?: string; orgKey?: number | null; sizeBand?: string }

describe('effect statistics', () => {
  let w: CaseWorld;
  let n = 0;
  function seed(s: Seed) {
    n++;
    const answered = s.answered ?? true;
    w.db.$client.prepare(`INSERT INTO follow_up_waves (id, inquiry_id, months, due_at, invited_at, emailed, answered_at, cohort_month, county_code, actor_id, topic_id,
        size_band, outcome, channel, company_id, exporting, new_markets, export_share, contribution)
      VALUES (@id, NULL, @months, 0, 1, 1, @answeredAt, @cohort, @county, 'almi', 'loans-growth-finance', @sizeBand, 'helped', 'form', @orgKey, @exporting, @newMarkets, @share, @contribution)`).run({
      id: `w-${n}`, months: s.months ?? 6, answeredAt: answered ? 2 : null, cohort: s.cohort ?? '2026-03', county: s.county, sizeBand: s.sizeBand ?? '10-49',
      orgKey: s.orgKey === undefined ? 1000 + n : s.orgKey,
      exporting: answered ? s.exporting ?? 'no' : null, newMarkets: answered ? s.newMarkets ?? '' : null, share: answered ? 'none' : null,
      contribution: answered ? s.contribution ?? 'dont-know' : null,
    });
  }
  const report = async (query: string, token = w.tokens.analyst, accept = 'application/json') => w.get(`/v1/stats/effects?${query}`, token, { accept });

  beforeAll(async () => {
    w = await caseWorld();
    // Skåne: 7 companies asked, 6 answered: 3 started exporting (2 in new markets), 2 continued, 1 not; contribution 3 yes, 2 partly, 1 don't know.
    const skane: Partial<Seed>[] = [
      { exporting: 'started', newMarkets: 'DE', contribution: 'yes' }, { exporting: 'started', newMarkets: 'DE,NO', contribution: 'yes' },
      { exporting: 'started', contribution: 'yes' }, { exporting: 'continued', contribution: 'partly' }, { exporting: 'continued', contribution: 'partly' },
      { exporting: 'no' }, { answered: false },
    ];
    for (const s of skane) seed({ county: 'SE-M', ...s });
    // Halland: 3 asked, 2 answered: too few.
    for (const answered of [true, true, false]) seed({ county: 'SE-N', answered });
    // Stockholm: 8 asked, 5 answered; one company asked twice (two inquiries, one organisation number) counts once.
    for (const answered of [true, true, true, true, true, false, false]) seed({ county: 'SE-AB', answered });
    seed({ county: 'SE-AB', orgKey: 1, answered: false });
    seed({ county: 'SE-AB', orgKey: 1, answered: false });
    // Outside the cohorts asked for, and a 12-month wave.
    seed({ county: 'SE-M', cohort: '2025-12' });
    for (let i = 0; i < 5; i++) seed({ county: 'SE-M', months: 12 });
  });
  afterAll(() => w.close());

  it('gives per wave the invitations, response rate, shares exporting and with new markets, and the contribution answers', async () => {
    const r = await report('cohortFrom=2026-01&cohortTo=2026-06');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.minCellSize).toBe(5);
    const six = body.rows.find((x: { row: string; months: number }) => x.row === 'total' && x.months === 6);
    expect(six).toEqual({
      row: 'total', months: 6, invitations: 18, responses: 13, responseRate: 0.7222,
      shareStartedExporting: 0.2308, shareExporting: 0.3846, shareNewMarkets: 0.1538,
      contributionYes: 0.2308, contributionPartly: 0.1538, contributionNo: 0, contributionDontKnow: 0.6154, suppressed: false,
    });
    // The 12-month wave: 5 asked, 5 answered, shown.
    expect(body.rows.find((x: { months: number }) => x.months === 12)).toMatchObject({ invitations: 5, responses: 5, suppressed: false });
  });

  it('suppresses cells describing fewer than 5 companies, and the next smallest when one alone is suppressed', async () => {
    const body = (await report('cohortFrom=2026-01&cohortTo=2026-06&groupBy=county')).json();
    const six = (county: string) => body.rows.find((x: { row: string; months: number; county: string }) => x.row === 'group' && x.months === 6 && x.county === county);
    // Halland: 3 asked, 2 answered: nothing shown.
    expect(six('SE-N')).toMatchObject({ invitations: null, responses: null, responseRate: null, shareExporting: null, contributionYes: null, suppressed: true });
    // Skåne (7 asked, the smallest other) loses its invitation count, so that 18 − 8 − 7 cannot give Halland's 3;
    // Stockholm (5 answers, the smallest other) loses its answers, so that 13 − 6 − 5 cannot give Halland's 2.
    expect(six('SE-M')).toMatchObject({ invitations: null, responses: 6, responseRate: null, shareExporting: 0.8333, suppressed: true });
    expect(six('SE-AB')).toMatchObject({ invitations: 8, responses: null, shareExporting: null, suppressed: true });
    // The company asked twice counts once: Stockholm has 9 waves, 8 companies.
    expect(body.rows.find((x: { row: string; months: number }) => x.row === 'total' && x.months === 6).invitations).toBe(18);
  });

  it('shows a regional coordinator only its counties, and refuses callers without the right role or with a bad query', async () => {
    const body = (await report('cohortFrom=2026-01&cohortTo=2026-06&groupBy=county', w.tokens.coordSkane)).json();
    expect(new Set(body.rows.map((x: { county?: string }) => x.county).filter(Boolean))).toEqual(new Set(['SE-M']));
    expect(body.rows.find((x: { row: string; months: number }) => x.row === 'total' && x.months === 6)).toMatchObject({ invitations: 7, responses: 6 });
    expect((await report('cohortFrom=2026-01&cohortTo=2026-06', w.tokens.almi)).statusCode).toBe(403);
    expect((await w.get('/v1/stats/effects?cohortFrom=2026-01&cohortTo=2026-06', null)).statusCode).toBe(401);
    const bad = await report('cohortFrom=2026-01&cohortTo=2026-06&groupBy=county,colour');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body).toContain('colour');
    expect((await report('cohortFrom=2026-13&cohortTo=2026-06')).statusCode).toBe(400);
  });

  it('gives CSV for Swedish spreadsheets: BOM, semicolons, decimal comma, empty suppressed cells', async () => {
    const r = await report('cohortFrom=2026-01&cohortTo=2026-06&groupBy=county', w.tokens.analyst, 'text/csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.body.charCodeAt(0)).toBe(0xfeff);
    const lines = r.body.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('row;months;county;invitations;responses;responseRate;shareStartedExporting;shareExporting;shareNewMarkets;contributionYes;contributionPartly;contributionNo;contributionDontKnow;suppressed');
    expect(lines).toContain('group;6;SE-N;;;;;;;;;;;true');
    expect(lines).toContain('total;6;;18;13;0,7222;0,2308;0,3846;0,1538;0,2308;0,1538;0;0,6154;false');
  });
});
