import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, LOAN, type CaseWorld } from '../cases/helpers.js';
import { CELL_COUNTS, snakeCase } from '../../src/db/schema/stats.js';
import { decodeCompanies, decodeHistogram, GRAINS } from '../../src/stats/cells.js';
import { cellKeysOf, delayMinutesOf, figuresOf } from '../../src/stats/projection.js';
import { rebuild } from '../../src/stats/rebuild.js';
import { openStatsProjection } from '../../src/stats/open.js';
import { factsFromRow, FACT_SELECT, type CaseFacts } from '../../src/stats/repository.js';
import { isoWeekOf } from '../../src/stats/service.js';
import { createCompactor } from '../../src/stats/compaction.js';

/**
 * The projection's bookkeeping: after every kind of write (intake in group commits, registration, contacts,
 * misrouted and additional-need referrals, notes, closes, feedback, test registration, erasure, import), the cells
 * hold exactly the sums of what each inquiry adds (`figuresOf`), and they are exactly what a rebuild from the
 * inquiries and their history makes. So the incremental path (deltas, once per transaction) and the definitions
 * (derived again from the history) never drift apart.
 */
let w: CaseWorld;
const DAY = 24 * HOUR;

type CellSnapshot = Record<string, unknown>;
/** The day cells (the roll-ups by month and week, grains such as `c@m`, are checked on their own below). */
function cells(): CellSnapshot[] {
  return (w.db.$client.prepare("SELECT * FROM stats_cells WHERE grain NOT LIKE '%@%' ORDER BY grain, local_date, county, actor, topic, channel, entry_point, size_band, triage_reason, test").all() as Record<string, unknown>[])
    .map((r) => ({ ...r, delays: Object.fromEntries(decodeHistogram(r.delays as Buffer | null)), companies: Object.fromEntries(decodeCompanies(r.companies as Buffer | null)) }));
}
function facts(): CaseFacts[] {
  return (w.db.$client.prepare(`SELECT ${FACT_SELECT} FROM case_facts ORDER BY inquiry_id`).all() as Record<string, unknown>[]).map(factsFromRow);
}

/** The cells computed here from the facts, independently of how the projection got there. */
function expectedCells(all: CaseFacts[]): CellSnapshot[] {
  const map = new Map<string, CellSnapshot & { delays: Record<number, number>; companies: Record<number, [number, number]> }>();
  for (const f of all) {
    const figures = figuresOf(f);
    for (const key of cellKeysOf(f)) {
      const id = JSON.stringify(key);
      let cell = map.get(id);
      if (!cell) {
        const dims = ['county', 'actor', 'topic', 'channel', 'entry_point', 'size_band', 'triage_reason'];
        cell = {
          grain: key.grain, local_date: key.localDate, ...Object.fromEntries(dims.map((d, i) => [d, key.dims[i]])), test: key.test,
          ...Object.fromEntries(CELL_COUNTS.map((c) => [snakeCase(c), 0])), delays: {}, companies: {},
        } as CellSnapshot & { delays: Record<number, number>; companies: Record<number, [number, number]> };
        map.set(id, cell);
      }
      for (const c of CELL_COUNTS) (cell[snakeCase(c)] as number) += figures[c];
      const minute = delayMinutesOf(f);
      if (minute !== null) cell.delays[minute] = (cell.delays[minute] ?? 0) + 1;
      if (f.companyId !== null) {
        const [cases, helped] = cell.companies[f.companyId] ?? [0, 0];
        cell.companies[f.companyId] = [cases + 1, helped + +(f.outcome === 'helped')];
      }
    }
  }
  const order = (c: CellSnapshot) => [c.grain, c.local_date, c.county, c.actor, c.topic, c.channel, c.entry_point, c.size_band, c.triage_reason, c.test].join('\u0001');
  return [...map.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

const check = () => expect(cells()).toEqual(expectedCells(facts()));

beforeAll(async () => {
  w = await caseWorld();
});
afterAll(async () => { await w.close(); });

const etag = async (id: string, token: string) => (await w.get(`/v1/cases/${id}`, token)).headers.etag as string;

describe('the statistics projection', () => {
  it('keeps the cells equal to the sums of the facts through every kind of write', async () => {
    // A burst of web inquiries in one event-loop turn: one group commit, one write per touched cell.
    const burst = await Promise.all([
      w.post('/v1/inquiries', null, { company: { name: 'A AB', orgNumber: '556036-0793', employees: 3 }, contact: { name: 'A', email: 'a@example.se' }, message: LOAN, county: 'Skåne', consent: true, entryPoint: 'skane-form' }),
      w.post('/v1/inquiries', null, { company: { name: 'A AB', orgNumber: '556036-0793', employees: 3 }, contact: { name: 'A', email: 'a@example.se' }, message: LOAN, county: 'Skåne', consent: true }),
      w.post('/v1/inquiries', null, { company: { name: 'B AB', orgNumber: '556016-0680', employees: 400 }, contact: { name: 'B', email: 'b@example.se' }, message: 'Vi vill hitta distributörer i Tyskland.', county: 'Halland', consent: true }),
      w.post('/v1/inquiries', null, { company: { name: 'C' }, contact: { name: 'C', email: 'c@example.se' }, message: 'Hur fungerar momsen vid export?', county: 'Skåne', consent: true }),
      w.post('/v1/inquiries', null, { company: { name: 'Greta', orgNumber: '121212-1212' }, contact: { name: 'G', email: 'g@example.se' }, message: LOAN, county: 'Skåne', consent: true }),
    ]);
    expect(burst.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const [a1, a2, b, oos, greta] = burst.map((r) => r.json().id as string) as [string, string, string, string, string];
    check();

    w.clock.advance(HOUR);
    // A contact naming another actor, then an additional-need referral: the contact stays.
    expect((await w.post(`/v1/cases/${a1}/first-contact`, w.tokens.almi, { channel: 'meeting', withActors: ['business-sweden'] })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${a1}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'additional-need', reason: 'Also wants buyers' })).statusCode).toBe(200);
    // A contact, then a misrouted referral: the contact no longer counts; the receiving actor's does, a day later.
    expect((await w.post(`/v1/cases/${a2}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    check();
    expect((await w.post(`/v1/cases/${a2}/refer`, w.tokens.almi, { toActor: 'een', kind: 'misrouted', reason: 'EU rules, not a loan' })).statusCode).toBe(200);
    check();
    w.clock.advance(DAY);
    const een = w.app.apiKeys.create({ role: 'caseworker', label: 'EEN', actorId: 'een' }, 'test').token;
    expect((await w.post(`/v1/cases/${a2}/first-contact`, een, { channel: 'email' })).statusCode).toBe(200);
    // A backdated contact with a note naming actors, a close, a coordinator's triage routing.
    expect((await w.post(`/v1/cases/${b}/note`, w.tokens.coordHalland, { text: 'Joint meeting planned', withActors: ['almi', 'een'] })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${a1}/close`, w.tokens.bs, { outcome: 'helped' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${oos}/assign`, w.tokens.coordSkane, { actor: 'almi' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${greta}/first-contact`, w.tokens.almi, { channel: 'phone', at: new Date(w.clock.now - DAY - 30 * 60_000).toISOString() })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${greta}/close`, w.tokens.almi, { outcome: 'referred-outside' })).statusCode).toBe(200);
    check();

    // Feedback on the closed case; a phone inquiry registered a week late; a test registered; an erasure; an import.
    const token = new URL((burst[0]!.json() as { statusUrl: string }).statusUrl).pathname.split('/').pop();
    expect((await w.post(`/v1/status/${token}/feedback`, null, { rightActorInTime: 'unsure', gotHelp: 'yes' })).statusCode).toBe(201);
    const registered = await w.post('/v1/cases', w.tokens.almi, {
      channel: 'phone', receivedAt: new Date(w.clock.now - 7 * DAY).toISOString(), county: 'Skåne', message: LOAN,
      company: { name: 'D AB', orgNumber: '556703-7485', employees: 20 }, contact: { name: 'D', email: 'd@example.se' },
    });
    expect(registered.statusCode).toBe(201);
    expect((await w.post('/v1/stats/tests', w.tokens.analyst, { reference: registered.json().reference, expectedActor: 'almi' })).statusCode).toBe(201);
    expect((await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: '121212-1212' })).statusCode).toBe(200);
    const imported = await w.app.inject({
      method: 'POST', url: '/v1/admin/import', headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/x-ndjson' },
      payload: [
        { externalId: 'I1', receivedAt: '2026-03-02T09:00:00+01:00', county: 'SE-M', actor: 'almi', orgNumber: '556036-0793', firstContactAt: '2026-03-02T10:00:00+01:00', referralDetails: [{ from: 'almi', to: 'ekn', misrouted: true }], rightActorContactAt: '2026-03-04T10:00:00+01:00', closedAt: '2026-03-10T10:00:00+01:00', outcome: 'helped', gotHelp: 'partly', rightActorInTime: 'no' },
        { externalId: 'I2', receivedAt: '2026-03-02T11:00:00+01:00', county: 'SE-M', actor: null, triaged: true, triageReason: 'tax', employees: 7 },
      ].map((l) => JSON.stringify(l)).join('\n'),
    });
    expect(imported.json()).toMatchObject({ imported: 2, failed: 0 });
    check();
    expect(cells().length).toBeGreaterThan(10);
    expect(new Set(cells().map((c) => c.grain))).toEqual(new Set(GRAINS.map((g) => g.id)));
  });

  it('is what a rebuild from the inquiries and their history makes', () => {
    const before = { cells: cells(), facts: facts() };
    const { projection } = openStatsProjection(w.db, w.config);
    expect(rebuild(projection, 'facts')).toBe(before.facts.length);
    expect(facts()).toEqual(before.facts);
    expect(cells()).toEqual(before.cells);
  });

  it('keeps month and week roll-ups that are the exact sums of their day cells, and never reads a stale one', async () => {
    const rollups = () => (w.db.$client.prepare("SELECT * FROM stats_cells WHERE grain LIKE '%@%' ORDER BY grain, local_date, county, actor, topic, channel, entry_point, size_band, triage_reason, test").all() as Record<string, unknown>[])
      .map((r) => ({ ...r, delays: Object.fromEntries(decodeHistogram(r.delays as Buffer | null)), companies: Object.fromEntries(decodeCompanies(r.companies as Buffer | null)) }));
    /** The roll-ups summed here from the day cells, independently of the compactor. */
    const expectedRollups = () => {
      const map = new Map<string, CellSnapshot & { delays: Record<number, number>; companies: Record<number, [number, number]> }>();
      for (const day of cells()) {
        for (const [period, key] of [['m', (day.local_date as string).slice(0, 7)], ['w', isoWeekOf(day.local_date as string)]] as const) {
          const grain = `${day.grain as string}@${period}`;
          const dims = ['county', 'actor', 'topic', 'channel', 'entry_point', 'size_band', 'triage_reason', 'test'];
          const id = [grain, key, ...dims.map((d) => day[d])].join('\u0001');
          let sum = map.get(id);
          if (!sum) {
            sum = { grain, local_date: key, ...Object.fromEntries(dims.map((d) => [d, day[d]])), ...Object.fromEntries(CELL_COUNTS.map((c) => [snakeCase(c), 0])), delays: {}, companies: {} } as never;
            map.set(id, sum!);
          }
          for (const c of CELL_COUNTS) (sum![snakeCase(c)] as number) += day[snakeCase(c)] as number;
          for (const [m, n] of Object.entries(day.delays as Record<number, number>)) sum!.delays[Number(m)] = (sum!.delays[Number(m)] ?? 0) + n;
          for (const [c, [cases, helped]] of Object.entries(day.companies as Record<number, [number, number]>)) {
            const [a, b] = sum!.companies[Number(c)] ?? [0, 0];
            sum!.companies[Number(c)] = [a + cases, b + helped];
          }
        }
      }
      const order = (c: CellSnapshot) => [c.grain, c.local_date, c.county, c.actor, c.topic, c.channel, c.entry_point, c.size_band, c.triage_reason, c.test].join('\u0001');
      return [...map.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
    };
    const stale = () => w.db.$client.prepare('SELECT COUNT(*) FROM stats_stale').pluck().get() as number;
    const report = async (groupBy: string) => {
      const r = await w.get(`/v1/stats/compliance?from=2026-01-01&to=2026-12-31&groupBy=${groupBy}`, w.tokens.analyst);
      expect(r.statusCode).toBe(200);
      return r.json() as { groups: { received: number }[] };
    };
    const { projection } = openStatsProjection(w.db, w.config);
    const compactor = createCompactor(projection);
    compactor.compact();
    expect(stale()).toBe(0);
    expect(rollups()).toEqual(expectedRollups());
    const before = { month: await report('county,month'), week: await report('actor,week'), none: await report('channel') };

    // A write marks its month and week stale in its own transaction: the query reads those days' cells meanwhile.
    await w.submit({ county: 'Halland' });
    expect(stale()).toBeGreaterThan(0);
    const during = { month: await report('county,month'), week: await report('actor,week'), none: await report('channel') };
    const total = (r: { groups: { received: number }[] }) => r.groups.reduce((n, g) => n + g.received, 0);
    for (const k of ['month', 'week', 'none'] as const) expect(total(during[k])).toBe(total(before[k]) + 1);
    expect(compactor.compact()).toBeGreaterThan(0);
    expect(stale()).toBe(0);
    expect(rollups()).toEqual(expectedRollups());
    expect({ month: await report('county,month'), week: await report('actor,week'), none: await report('channel') }).toEqual(during);
  });

  it('derives the ISO week in TypeScript exactly as SQLite does', () => {
    const week = w.db.$client.prepare("SELECT strftime('%G-W%V', ?) AS w").pluck();
    for (let day = Date.UTC(2000, 0, 1); day < Date.UTC(2041, 0, 1); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      if (week.get(date) !== isoWeekOf(date)) expect(`${date}: ${String(week.get(date))}`).toBe(`${date}: ${isoWeekOf(date)}`);
    }
  });

  it('refuses a write that would make a cell negative, and leaves nothing of it', () => {
    const { projection } = openStatsProjection(w.db, w.config);
    const f = facts()[0]!;
    const before = cells();
    const broken = w.db.$client.transaction(() => {
      // Facts claiming a contact the cells never saw: taking them out would go below zero somewhere.
      w.db.$client.prepare('UPDATE case_facts SET first_contact_at = received_at + 60000, first_contact_actor_id = first_actor_id, closed_at = NULL WHERE inquiry_id = ?').run(f.inquiryId);
      w.db.$client.prepare("UPDATE inquiries SET county_code = 'SE-Z' WHERE id = ?").run(f.inquiryId);
      const unit = projection.unit();
      unit.caseChanged(f.inquiryId);
      unit.flush();
    });
    expect(() => broken()).toThrow(/negative/);
    expect(cells()).toEqual(before);
  });
});
