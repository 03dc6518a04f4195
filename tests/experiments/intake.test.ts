import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawArm } from '../../src/experiments/draw.js';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';
import { experiment, HOUR } from './helpers.js';

/** A valid organisation number (Luhn) from a counter, so each test company is new. */
let next = 1000;
function orgNumber(): string {
  const body = `556${String(next++).padStart(6, "0")}`;
  const sum = [...body].reduce((s, c, i) => {
    const d = Number(c) * (i % 2 === 0 ? 2 : 1);
    return s + (d > 9 ? d - 9 : d);
  }, 0);
  const n = `${body}${(10 - (sum % 10)) % 10}`;
  return `${n.slice(0, 6)}-${n.slice(6)}`;
}

const EXPORT = 'Hej! Vi vill börja exportera till Tyskland och behöver hitta kunder och partner där.';

describe('experiments at intake', () => {
  let w: CaseWorld;
  let n = 0;
  const sql = () => w.db.$client;
  const armOf = (id: string) => (sql().prepare('SELECT experiment_id AS experimentId, arm_id AS armId FROM experiment_assignments WHERE inquiry_id = ?').get(id) ?? null) as
    { experimentId: string; armId: string } | null;
  const events = (id: string, type: string) =>
    (sql().prepare('SELECT at, by, data FROM inquiry_events WHERE inquiry_id = ? AND type = ? ORDER BY id').all(id, type) as { at: number; by: string; data: string }[])
      .map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
  const submit = (o: Record<string, unknown> = {}) => w.submit({ company: { name: 'Test AB', orgNumber: orgNumber(), employees: 12 }, ...o });

  /** Registers an experiment starting in an hour, moves the clock into it, and returns its id and definition. */
  async function running(overrides: Record<string, unknown> = {}) {
    const body = experiment(w, { id: `exp-${++n}`, ...overrides });
    const r = await w.post('/v1/admin/experiments', w.tokens.admin, body);
    expect(r.statusCode, r.body).toBe(201);
    w.clock.advance(2 * HOUR);
    return r.json() as { id: string; seed: string; arms: { id: string; share: number }[] };
  }
  const stop = (id: string) => w.post(`/v1/admin/experiments/${id}/stop`, w.tokens.admin);

  beforeAll(async () => { w = await caseWorld(); });
  afterAll(() => w.close());

  it('draws an eligible inquiry into an arm, reproducibly from the seed and the id, and records it in the history without personal data', async () => {
    const e = await running({ eligibility: {} });
    const id = await submit();
    const a = armOf(id);
    expect(a).toEqual({ experimentId: e.id, armId: drawArm(e.seed, id, e.arms).id });
    const [event] = events(id, 'experiment-assigned');
    expect(event).toMatchObject({ by: 'system', data: { experimentId: e.id, armId: a!.armId } });
    expect(Object.keys(event!.data).sort()).toEqual(['armId', 'experimentId']);
    // After the rest of the intake history, at the arrival.
    const types = (sql().prepare('SELECT type FROM inquiry_events WHERE inquiry_id = ? ORDER BY id').all(id) as { type: string }[]).map((x) => x.type);
    expect(types.at(-1)).toBe('experiment-assigned');
    expect((await w.get(`/v1/admin/experiments/${e.id}`, w.tokens.admin)).json().assignments.reduce((s: number, x: { count: number }) => s + x.count, 0)).toBe(1);
    await stop(e.id);
  });

  it('shows caseworkers the arm and its instruction in the case\'s language, and never the company', async () => {
    const e = await running({ eligibility: {}, arms: [
      { id: 'standard', label: 'Standard', share: 0.5, instruction: { sv: 'Som vanligt.', en: 'As usual.' } },
      { id: 'call-again', label: 'Call again', share: 0.5, instruction: { sv: 'Ring igen efter 30 dagar.', en: 'Call again after 30 days.' } },
    ] });
    const sv = await submit();
    const r = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, language: 'en', company: { name: 'English Ltd', orgNumber: orgNumber(), employees: 5 } }) });
    expect(r.statusCode, r.body).toBe(201);
    const en = r.json().id as string;
    const say = { standard: { sv: 'Som vanligt.', en: 'As usual.' }, 'call-again': { sv: 'Ring igen efter 30 dagar.', en: 'Call again after 30 days.' } } as const;
    for (const [id, language] of [[sv, 'sv'], [en, 'en']] as const) {
      const c = await w.get(`/v1/cases/${id}`, w.tokens.almi);
      expect(c.statusCode, c.body).toBe(200);
      const armId = armOf(id)!.armId as keyof typeof say;
      expect(c.json().experiment).toEqual({ id: e.id, name: 'Proactive second contact', armId, armLabel: armId === 'standard' ? 'Standard' : 'Call again', instruction: say[armId][language] });
    }
    // The company's status page says nothing of it.
    const status = await w.get(new URL(r.json().statusUrl).pathname, null);
    expect(status.statusCode).toBe(200);
    expect(status.body).not.toMatch(/experiment|As usual|Call again/i);
    await stop(e.id);
    // A case outside any experiment: null.
    const none = await submit();
    expect((await w.get(`/v1/cases/${none}`, w.tokens.almi)).json().experiment).toBeNull();
  });

  it('draws only inquiries in its counties, topics and size bands', async () => {
    const loan = (await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN }) })).json().topics[0].id as string;
    const e = await running({ eligibility: { counties: ['Skåne', 'Halland'], topics: [loan], sizeBands: ['0-9', '10-49'] } });
    const company = (employees: number | undefined) => ({ name: 'Test AB', orgNumber: orgNumber(), ...(employees === undefined ? {} : { employees }) });
    const skane = await submit();
    const halland = await submit({ county: 'Halland' });
    const stockholm = await submit({ county: 'Stockholm' });
    const otherTopic = await submit({ message: EXPORT });
    const small = await submit({ company: company(3) });
    const large = await submit({ company: company(300) });
    const unknownSize = await submit({ company: company(undefined) });
    expect([skane, halland, small].map((id) => armOf(id)?.experimentId)).toEqual([e.id, e.id, e.id]);
    expect([stockholm, otherTopic, large, unknownSize].map(armOf)).toEqual([null, null, null, null]);
    expect(events(stockholm, 'experiment-assigned')).toEqual([]);
    await stop(e.id);
  });

  it('draws only first-time inquirers when asked to: not a company that asked before, nor one without a number', async () => {
    const e = await running({ eligibility: { firstTimeOnly: true } });
    const number = orgNumber();
    const first = await w.submit({ company: { name: 'Ny AB', orgNumber: number, employees: 12 } });
    const again = await w.submit({ company: { name: 'Ny AB', orgNumber: number, employees: 12 } });
    const noNumber = await w.submit({ company: { name: 'Utan nummer AB', employees: 12 } });
    // The default test company asked many times before this experiment.
    const regular = await w.submit();
    expect(armOf(first)?.experimentId).toBe(e.id);
    expect([again, noNumber, regular].map(armOf)).toEqual([null, null, null]);
    await stop(e.id);
  });

  it('draws only within its window and never once stopped; at most one experiment per inquiry, the earliest started', async () => {
    const start = w.clock.now + HOUR;
    const early = experiment(w, { id: 'window', eligibility: {}, startsAt: new Date(start).toISOString(), endsAt: new Date(start + 2 * HOUR).toISOString() });
    expect((await w.post('/v1/admin/experiments', w.tokens.admin, early)).statusCode).toBe(201);
    const later = experiment(w, { id: 'window-later', eligibility: {}, startsAt: new Date(start + HOUR).toISOString(), endsAt: new Date(start + 5 * HOUR).toISOString() });
    expect((await w.post('/v1/admin/experiments', w.tokens.admin, later)).statusCode).toBe(201);
    const before = await submit();
    w.clock.set(new Date(start).toISOString());
    const atStart = await submit();
    w.clock.advance(90 * 60_000); // both running: the earlier started one draws
    const both = await submit();
    w.clock.set(new Date(start + 2 * HOUR).toISOString()); // 'window' ended (endsAt excluded): 'window-later' draws
    const afterEnd = await submit();
    expect(armOf(before)).toBeNull();
    expect([atStart, both, afterEnd].map((id) => armOf(id)?.experimentId)).toEqual(['window', 'window', 'window-later']);
    expect(events(both, 'experiment-assigned')).toHaveLength(1);
    await stop('window-later');
    expect(armOf(await submit())).toBeNull();
    // The database refuses changing a definition once an inquiry was drawn, whatever the clock says.
    expect(() => sql().prepare("UPDATE experiments SET name = 'x' WHERE id = 'window'").run()).toThrow(/frozen/);
    await stop('window');
  });

  it('draws inquiries registered through POST /v1/cases too, by the instant the company asked', async () => {
    const e = await running({ eligibility: { counties: ['Skåne'] } });
    const register = async (receivedAt: number) => {
      const r = await w.post('/v1/cases', w.tokens.almi, {
        channel: 'phone', receivedAt: new Date(receivedAt).toISOString(), county: 'Skåne', message: LOAN,
        company: { name: 'Ringde AB', orgNumber: orgNumber(), employees: 4 }, contact: { name: 'Per Persson', email: 'per@ringde.se' },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const during = await register(w.clock.now - 30 * 60_000);
    const beforeStart = await register(w.clock.now - 3 * HOUR);
    expect(armOf(during)).toEqual({ experimentId: e.id, armId: drawArm(e.seed, during, e.arms).id });
    expect(armOf(beforeStart)).toBeNull();
    const [event] = events(during, 'experiment-assigned');
    expect(event).toMatchObject({ by: 'system', at: w.clock.now, data: { experimentId: e.id } });
    expect((await w.get(`/v1/cases/${during}`, w.tokens.almi)).json().experiment.id).toBe(e.id);
    await stop(e.id);
  });
});
