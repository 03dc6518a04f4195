import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { createSweeper } from '../../src/deadlines/sweeper.js';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

const events = (t: TestApp, id: string) =>
  t.db.$client.prepare("SELECT type, at FROM inquiry_events WHERE inquiry_id = ? AND type LIKE 'deadline-%' AND type <> 'deadline-set' ORDER BY id").all(id) as { type: string; at: number }[];

describe('the escalation sweeper', () => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await buildTestApp();
    // Wednesday 2026-11-25 09:00 Stockholm: due Thursday 09:00; at risk from Thursday 05:00.
    t.clock.set('2026-11-25T08:00:00Z');
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) });
    expect(res.statusCode).toBe(201);
    id = res.json().id;
  });
  afterAll(async () => t.close());

  it('records nothing while on track, then at-risk once, then breached once, across two instances on one file', async () => {
    const sweeper = createSweeper({ db: t.db });
    // A second instance: its own connection and app on the same database file.
    const db2 = openDatabase(t.config.DATABASE_PATH);
    migrateDatabase(db2);
    const app2 = await buildApp({ config: t.config, db: db2, clock: t.clock.fn });
    await app2.ready();
    const sweeper2 = createSweeper({ db: db2, batchSize: 1 });

    expect(sweeper.sweep(Date.parse('2026-11-26T03:59:00Z'))).toEqual({ atRisk: 0, breached: 0 });
    const atRiskAt = Date.parse('2026-11-26T04:30:00Z');
    const first = sweeper.sweep(atRiskAt);
    const second = sweeper2.sweep(atRiskAt);
    expect(first.atRisk + second.atRisk).toBe(1);
    expect(sweeper.sweep(atRiskAt + 60_000)).toEqual({ atRisk: 0, breached: 0 });
    expect(events(t, id).map((e) => e.type)).toEqual(['deadline-at-risk']);

    const late = Date.parse('2026-11-26T08:00:01Z');
    expect(sweeper2.sweep(late).breached + sweeper.sweep(late).breached).toBe(1);
    expect(sweeper.sweep(late + 3_600_000)).toEqual({ atRisk: 0, breached: 0 });
    expect(events(t, id)).toEqual([{ type: 'deadline-at-risk', at: atRiskAt }, { type: 'deadline-breached', at: late }]);

    await app2.close();
    db2.$client.close();
  });

  it('keeps the breach in history and the metrics after a late first contact; the statistics count it late', async () => {
    // The assigned actor reaches the company two hours after the deadline.
    const contactAt = Date.parse('2026-11-26T10:00:00Z');
    t.clock.set('2026-11-26T10:00:00Z');
    const almi = t.app.apiKeys.create({ role: 'caseworker', label: 'almi', actorId: 'almi' }, 'test').token;
    const contacted = await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/first-contact`, headers: { authorization: `Bearer ${almi}` }, payload: { channel: 'phone' } });
    expect(contacted.statusCode).toBe(200);
    expect(createSweeper({ db: t.db }).sweep(contactAt + 86_400_000)).toEqual({ atRisk: 0, breached: 0 });
    expect(events(t, id).map((e) => e.type)).toEqual(['deadline-at-risk', 'deadline-breached']);
    t.clock.set('2026-11-27T08:00:00Z');
    const scraper = t.app.apiKeys.create({ role: 'metrics', label: 'Prometheus' }, 'test');
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${scraper.token}` } })).body;
    expect(metrics).toContain('en_dorr_in_deadline_breaches 1');
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'a' }, 'test').token;
    const stats = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-11-25&to=2026-11-25', headers: { authorization: `Bearer ${analyst}` } });
    expect(stats.json().total).toMatchObject({ received: 1, contactedLate: 1, openOverdue: 0, complianceRate: 0, medianHoursToFirstContact: 26 });
  });

  it('explains the deadline: policy, start, skipped days, state and escalations', async () => {
    const coordinator = t.app.apiKeys.create({ role: 'coordinator', label: 'c', counties: ['SE-M'] }, 'test').token;
    const res = await t.app.inject({ method: 'GET', url: `/v1/cases/${id}/deadline`, headers: { authorization: `Bearer ${coordinator}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      policy: 'working-day', startAt: '2026-11-25T08:00:00.000Z', deadlineAt: '2026-11-26T08:00:00.000Z', skippedDays: [],
      atRiskFrom: '2026-11-26T04:00:00.000Z', state: 'missed', escalations: [{ kind: 'at-risk' }, { kind: 'breached' }],
    });
    const elsewhere = t.app.apiKeys.create({ role: 'coordinator', label: 'ab', counties: ['SE-AB'] }, 'test').token;
    expect((await t.app.inject({ method: 'GET', url: `/v1/cases/${id}/deadline`, headers: { authorization: `Bearer ${elsewhere}` } })).statusCode).toBe(404);
  });

  it('shows a Friday inquiry skipping the weekend', async () => {
    t.clock.set('2026-11-27T14:00:00Z'); // Friday 15:00
    const created = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) })).json();
    const coordinator = t.app.apiKeys.create({ role: 'coordinator', label: 'c2', counties: ['SE-M'] }, 'test').token;
    const res = (await t.app.inject({ method: 'GET', url: `/v1/cases/${created.id}/deadline`, headers: { authorization: `Bearer ${coordinator}` } })).json();
    expect(res).toMatchObject({ deadlineAt: '2026-11-30T14:00:00.000Z', state: 'on-track', hoursLeft: 24 });
    expect(res.skippedDays.map((d: { date: string }) => d.date)).toEqual(['2026-11-28', '2026-11-29']);
  });
});
