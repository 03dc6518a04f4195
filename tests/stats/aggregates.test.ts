import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { isoWeekOf } from '../../src/stats/facts.js';

/**
 * The maintained compliance aggregates (compliance_daily and its roll-ups) must always equal
 * what the case_facts rows say, after inserts and after every kind of change the triggers see; and the
 * migration's backfill must produce the same from existing facts.
 */
const ndjson = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n');

/** Contacted in time and late, referred, open in time and overdue, closed with and without contact, triage, feedback. */
const CASES = [
  { externalId: 'A', receivedAt: '2026-03-27T15:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-03-30T14:00:00+02:00' },
  { externalId: 'B', receivedAt: '2026-03-28T10:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'markets-abroad', orgNumber: '556016-0680', referrals: 1, firstContactAt: '2026-03-31T11:00:00+02:00', firstContactActor: 'business-sweden' },
  { externalId: 'C', receivedAt: '2026-03-30T09:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793' },
  { externalId: 'D', receivedAt: '2026-10-23T12:00:00+02:00', county: 'SE-AB', actor: 'business-sweden', topic: 'markets-abroad', orgNumber: '556703-7485', firstContactAt: '2026-10-26T11:30:00+01:00', closedAt: '2026-10-27T10:00:00+01:00', feedback: 'yes' },
  { externalId: 'G', receivedAt: '2026-10-30T10:00:00+01:00', county: 'SE-AB', actor: 'business-sweden', closedAt: '2026-10-30T12:00:00+01:00', outcome: 'withdrawn' },
  { externalId: 'L', receivedAt: '2026-09-01T10:00:00+02:00', county: 'SE-AB', actor: 'business-sweden', closedAt: '2026-09-10T12:00:00+02:00', outcome: 'no answer' },
  { externalId: 'F', receivedAt: '2026-11-24T10:00:00+01:00', county: 'SE-AB', actor: null, topic: 'markets-abroad', orgNumber: '556703-7485' },
];

interface FactRow {
  local_date: string; county_code: string | null; first_actor_id: string | null; top_topic_id: string | null;
  first_contact_at: number | null; first_contact_actor_id: string | null; received_at: number; deadline_at: number;
  closed_at: number | null; referrals: number; triaged: number; feedback: string | null; org_key: number | null;
}

const COUNTS = ['received', 'contacted_in_time', 'contacted_late', 'open', 'closed_without_contact', 'closed_overdue', 'referrals', 'right_first', 'triaged', 'feedback_yes', 'feedback_responses'] as const;
type Cell = Record<string, string | number | (number | string)[]> & { key: string };

/** The aggregates computed here, independently of the SQL, from the facts. */
type Grain = 'all' | 'county-actor' | 'topic';
const keyOf = (grain: Grain, r: { local_date: string; county_code: string | null; first_actor_id: string | null; top_topic_id: string | null }) =>
  grain === 'all' ? [r.local_date, r.county_code ?? '', r.first_actor_id ?? '', r.top_topic_id ?? '']
    : grain === 'county-actor' ? [r.local_date, r.county_code ?? '', r.first_actor_id ?? '']
      : [r.local_date, r.top_topic_id ?? ''];
const TABLES: [string, Grain][] = [['compliance_daily', 'all'], ['compliance_daily_county_actor', 'county-actor'], ['compliance_daily_topic', 'topic']];

function expected(facts: FactRow[], grain: Grain): Cell[] {
  const cells = new Map<string, Cell>();
  for (const f of facts) {
    const key = keyOf(grain, f);
    const k = JSON.stringify(key);
    let c = cells.get(k);
    if (!c) {
      c = { key: key.join('|'), delays: [], org_keys: [], ...Object.fromEntries(COUNTS.map((n) => [n, 0])) };
      cells.set(k, c);
    }
    const add = (n: (typeof COUNTS)[number], v: number | boolean) => { (c![n] as number) += Number(v); };
    const contacted = f.first_contact_at !== null;
    add('received', 1);
    add('contacted_in_time', contacted && f.first_contact_at! <= f.deadline_at);
    add('contacted_late', contacted && f.first_contact_at! > f.deadline_at);
    add('open', !contacted && f.closed_at === null);
    add('closed_without_contact', !contacted && f.closed_at !== null && f.closed_at <= f.deadline_at);
    add('closed_overdue', !contacted && f.closed_at !== null && f.closed_at > f.deadline_at);
    add('referrals', f.referrals);
    add('right_first', contacted && f.first_contact_actor_id === f.first_actor_id);
    add('triaged', f.triaged);
    add('feedback_yes', f.feedback === 'yes');
    add('feedback_responses', f.feedback !== null);
    if (contacted) (c.delays as number[]).push(f.first_contact_at! - f.received_at);
    if (f.org_key !== null) (c.org_keys as number[]).push(f.org_key);
  }
  return [...cells.values()].map((c): Cell => ({ ...c, delays: (c.delays as number[]).sort((a, b) => a - b), org_keys: (c.org_keys as number[]).sort((a, b) => a - b) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

describe('maintained compliance aggregates', () => {
  let t: TestApp;
  const sql = (text: string, ...params: unknown[]) => t.db.$client.prepare(text).run(...params);

  function stored(table: string, grain: Grain): Cell[] {
    const rows = t.db.$client.prepare(`SELECT * FROM ${table}`).all() as (Record<string, string | number> & FactRow)[];
    const list = (s: string) => s.split(',').filter(Boolean).map(Number).sort((a, b) => a - b);
    return rows
      .filter((r) => r.received !== 0) // a cell a case moved out of stays, emptied
      .map((r): Cell => ({
        key: keyOf(grain, r).join('|'),
        ...Object.fromEntries(COUNTS.map((n) => [n, r[n]])),
        delays: list(r.delays as string), org_keys: list(r.org_keys as string),
      }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  function check() {
    const facts = t.db.$client.prepare('SELECT * FROM case_facts').all() as FactRow[];
    for (const [table, grain] of TABLES) expect(stored(table, grain)).toEqual(expected(facts, grain));
    for (const [table] of TABLES) {
      const emptied = t.db.$client.prepare(`SELECT * FROM ${table} WHERE received = 0`).all() as Record<string, unknown>[];
      for (const row of emptied) expect(row).toMatchObject({ open: 0, contacted_in_time: 0, referrals: 0, delays: '', org_keys: '' });
    }
  }

  beforeAll(async () => {
    t = await buildTestApp();
    t.clock.set('2026-11-25T08:00:00Z');
    const admin = t.app.apiKeys.create({ role: 'admin', label: 'admin' }, 'test').token;
    const extra = [
      // Two cases of the same company on the same day and cell, with the same delay: lists are multisets.
      { externalId: 'M1', receivedAt: '2026-06-03T10:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-06-03T12:00:00+02:00' },
      { externalId: 'M2', receivedAt: '2026-06-03T11:00:00+02:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', orgNumber: '556036-0793', firstContactAt: '2026-06-03T13:00:00+02:00' },
    ];
    const res = await t.app.inject({
      method: 'POST', url: '/v1/admin/import', payload: ndjson([...CASES, ...extra]),
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/x-ndjson' },
    });
    expect(res.json()).toMatchObject({ imported: 9, failed: 0 });
  });
  afterAll(async () => t.close());

  const idOf = (externalId: string) => (t.db.$client.prepare('SELECT inquiry_id FROM imported_cases WHERE external_id = ?').pluck().get(externalId) as string);

  it('equal the facts after import', () => check());

  it('follow every change the case_facts triggers make: contact, close, referral, triage, actor, county, feedback', () => {
    sql("UPDATE inquiries SET first_contact_at = ?, assigned_actor_id = 'almi' WHERE id = ?", Date.parse('2026-11-20T10:00:00Z'), idOf('C'));
    check();
    sql('UPDATE inquiries SET first_assigned_actor_id = ? WHERE id = ?', 'business-sweden', idOf('F'));
    sql("INSERT INTO inquiry_events (inquiry_id, type, at, by, data) VALUES (?, 'referred', ?, 'test', '{}')", idOf('F'), t.clock.now);
    sql("INSERT INTO inquiry_events (inquiry_id, type, at, by, data) VALUES (?, 'sent-to-triage', ?, 'test', '{}')", idOf('A'), t.clock.now);
    check();
    sql('UPDATE inquiries SET county_code = ? WHERE id = ?', 'SE-O', idOf('M1')); // moves a case, its delay and company to another cell
    sql('UPDATE inquiries SET closed_at = ? WHERE id = ?', Date.parse('2026-11-25T07:00:00Z'), idOf('F'));
    sql("UPDATE case_facts SET feedback = 'no' WHERE inquiry_id = ?", idOf('A'));
    sql('UPDATE case_facts SET escalated = 2 WHERE inquiry_id = ?', idOf('C'));
    check();
    sql('UPDATE inquiries SET county_code = NULL WHERE id = ?', idOf('M2'));
    check();
  });

  it("are what the migrations' backfills compute from existing facts", () => {
    const statements = ['0008_compliance_aggregate_triggers.sql', '0011_compliance_topic_rollup_triggers.sql']
      .flatMap((file) => fs.readFileSync(path.resolve('migrations', file), 'utf8').split('--> statement-breakpoint'))
      .filter((s) => /INSERT INTO compliance_daily\w* \(/.test(s) && /FROM case_facts f/.test(s));
    expect(statements).toHaveLength(3);
    const before = TABLES.map(([table, grain]) => stored(table, grain));
    for (const [table] of TABLES) sql(`DELETE FROM ${table}`);
    for (const statement of statements) t.db.$client.exec(statement);
    expect(TABLES.map(([table, grain]) => stored(table, grain))).toEqual(before);
    check();
  });

  it('answer by topic from the topic roll-up with the same figures as from the facts', async () => {
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'analyst' }, 'test').token;
    const res = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-01-01&to=2026-12-31&groupBy=topic', headers: { authorization: `Bearer ${analyst}` } });
    const facts = t.db.$client.prepare('SELECT * FROM case_facts').all() as FactRow[];
    const topics = [...new Set(facts.map((f) => f.top_topic_id))].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
    expect(res.json().groups.map((g: Record<string, unknown>) => [g.topic, g.received, g.contactedInTime, g.distinctCompanies, g.medianHoursToFirstContact])).toEqual(topics.map((topic) => {
      const of = facts.filter((f) => f.top_topic_id === topic);
      const delays = of.filter((f) => f.first_contact_at !== null).map((f) => (f.first_contact_at! - f.received_at) / 3_600_000).sort((a, b) => a - b);
      const mid = (delays.length - 1) / 2;
      const median = delays.length === 0 ? null : Math.round(((delays[Math.floor(mid)]! + delays[Math.ceil(mid)]!) / 2) * 100) / 100;
      return [topic, of.length, of.filter((f) => f.first_contact_at !== null && f.first_contact_at <= f.deadline_at).length, new Set(of.map((f) => f.org_key).filter((k) => k !== null)).size, median];
    }));
  });

  it("derive the ISO week from the date in SQL exactly as isoWeekOf does", () => {
    const week = t.db.$client.prepare("SELECT strftime('%G-W%V', ?) AS w").pluck();
    for (let day = Date.UTC(2000, 0, 1); day < Date.UTC(2041, 0, 1); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      if (week.get(date) !== isoWeekOf(date)) expect(`${date}: ${String(week.get(date))}`).toBe(`${date}: ${isoWeekOf(date)}`);
    }
  });
});
