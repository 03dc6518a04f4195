import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import type { ReferenceService } from '../reference/service.js';
import { badRequest, conflict, notFound } from '../shared/problems.js';
import { both, msg } from '../shared/i18n.js';
import type { Principal } from '../auth/service.js';
import type { StatsProjection } from './projection.js';
import { FACT_SELECT, factsFromRow, type CaseFacts } from './repository.js';
import { localDateSchema } from './schemas.js';

/**
 * Tillväxtverket's mystery-shopping test, inside the service. An analyst sends a fictitious question through any
 * real door (a regional form, a phone call a caseworker registers, …), then registers it here with its reference
 * and the actor that should answer it. From then on the inquiry is left out of the analysts' statistics by
 * default, and scored here.
 *
 * Caseworkers and coordinators must not be able to tell: the registration writes only `stats_mystery_tests` and
 * moves the inquiry between the statistics' cells. The inquiry's row, version, history, status link, lists,
 * notifications and the coordinators' statistics (which count tests like any inquiry) stay exactly as they were.
 * That is also why the registration is not an event in the inquiry's history, which caseworkers read.
 */
export const registerTestSchema = z
  .strictObject({
    reference: z.string().trim().min(1).max(40).describe('The inquiry\'s reference, as the test got it (e.g. REC-2026-000123)'),
    expectedActor: z.string().trim().min(1).max(60).describe('The actor that should answer this question (id, e.g. ekn)'),
  })
  .meta({ id: 'MysteryTestRegistration' });

export const registeredTestSchema = z
  .object({ reference: z.string(), expectedActor: z.string(), registeredAt: z.iso.datetime() })
  .meta({ id: 'MysteryTest' });

export const testsQuerySchema = z
  .strictObject({
    from: localDateSchema.describe('First arrival date included (Stockholm)'),
    to: localDateSchema.describe('Last arrival date included (Stockholm)'),
  })
  .refine((q) => q.from <= q.to, { message: msg('`from` must not be after `to`', '`from` får inte vara efter `to`'), path: ['from'] });

const scoreSchema = z.object({
  tests: z.number().int().describe('Tests registered for inquiries that arrived in the period'),
  routedToExpected: z.number().int().describe('Routed (first assigned) to the expected actor'),
  contactedInTime: z.number().int().describe('Right-actor contact at or before the deadline, by any actor'),
  expectedActorInTime: z.number().int().describe('Right-actor contact at or before the deadline by the expected actor: what the test asks'),
  expectedActorInTimeRate: z.number().nullable().describe('expectedActorInTime / tests; null when no tests'),
  medianHoursToContact: z.number().nullable().describe('Median hours from arrival to the right-actor contact (PERCENTILE.INC), over tests with one'),
});

export const testsReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    asOf: z.iso.datetime(),
    total: scoreSchema,
    byCounty: z.array(scoreSchema.extend({ county: z.string().nullable() })),
    byActor: z.array(scoreSchema.extend({ expectedActor: z.string() })).describe('By the expected actor'),
    tests: z.array(z.object({
      reference: z.string(),
      receivedAt: z.iso.datetime(),
      channel: z.string(),
      county: z.string().nullable(),
      expectedActor: z.string(),
      routedActor: z.string().nullable().describe('The actor first assigned; null when routing sent it to triage'),
      routedToExpected: z.boolean(),
      contactedBy: z.string().nullable().describe('The actor whose contact counted (the right-actor contact); null when none yet, or a coordinator'),
      contactedAt: z.iso.datetime().nullable(),
      hoursToContact: z.number().nullable(),
      deadlineAt: z.iso.datetime(),
      contactedInTime: z.boolean(),
      expectedActorInTime: z.boolean(),
    })),
    benchmark: z.object({ scope: z.literal('national'), total: scoreSchema }),
  })
  .meta({ id: 'MysteryTestsReport' });

export type TestsReport = z.infer<typeof testsReportSchema>;

export function createMysteryTestService({ db, clock, reference, projection }: { db: Db; clock: Clock; reference: ReferenceService; projection: StatsProjection }) {
  const client = db.$client;
  const byReference = client.prepare('SELECT id, county_code AS countyCode FROM inquiries WHERE reference = ?');
  const insert = client.prepare('INSERT INTO stats_mystery_tests (inquiry_id, expected_actor_id, registered_at, registered_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const scored = client.prepare(`SELECT ${FACT_SELECT.split(', ').map((c) => `f.${c}`).join(', ')}, t.expected_actor_id AS expectedActor, i.reference AS reference
    FROM stats_mystery_tests t JOIN case_facts f ON f.inquiry_id = t.inquiry_id JOIN inquiries i ON i.id = t.inquiry_id
    WHERE f.local_date BETWEEN ? AND ? ORDER BY f.received_at, i.reference`);
  const inScope = (p: Pick<Principal, 'counties'>, county: string | null) => p.counties === null || (county !== null && p.counties.includes(county));

  return {
    register(p: Principal, body: z.infer<typeof registerTestSchema>): z.infer<typeof registeredTestSchema> {
      if (!reference.actor(body.expectedActor)) throw badRequest(both(`Unknown actor "${body.expectedActor}"`, `Okänd aktör "${body.expectedActor}"`), [{ name: 'body.expectedActor', reason: both('Unknown actor id: see GET /v1/actors', 'Okänt aktörs-id: se GET /v1/actors') }]);
      const at = clock();
      client.transaction(() => {
        const inquiry = byReference.get(body.reference) as { id: string; countyCode: string | null } | undefined;
        if (!inquiry || !inScope(p, inquiry.countyCode)) throw notFound(both(`No inquiry has the reference ${body.reference}.`, `Ingen förfrågan har referensen ${body.reference}.`));
        if (insert.run(inquiry.id, body.expectedActor, at, p.keyId).changes === 0) throw conflict(both('This inquiry is already registered as a test.', 'Förfrågan är redan registrerad som test.'));
        const unit = projection.unit();
        unit.caseChanged(inquiry.id);
        unit.flush();
      }).immediate();
      return { reference: body.reference, expectedActor: body.expectedActor, registeredAt: new Date(at).toISOString() };
    },

    score(p: Principal, query: z.infer<typeof testsQuerySchema>): TestsReport {
      type Row = CaseFacts & { expectedActor: string; reference: string };
      const all = (scored.all(query.from, query.to) as Record<string, unknown>[]).map((r) => ({ ...factsFromRow(r), expectedActor: r.expectedActor as string, reference: r.reference as string })) as Row[];
      const mine = all.filter((r) => inScope(p, r.countyCode));
      const judged = (r: Row) => {
        const inTime = r.firstContactAt !== null && r.firstContactAt <= r.deadlineAt;
        return { inTime, expectedInTime: inTime && r.firstContactActorId === r.expectedActor };
      };
      const score = (rows: Row[]) => {
        const hours = rows.filter((r) => r.firstContactAt !== null).map((r) => (r.firstContactAt! - r.receivedAt) / 3_600_000).sort((a, b) => a - b);
        const mid = (hours.length - 1) / 2;
        const expectedActorInTime = rows.filter((r) => judged(r).expectedInTime).length;
        return {
          tests: rows.length,
          routedToExpected: rows.filter((r) => r.firstActorId === r.expectedActor).length,
          contactedInTime: rows.filter((r) => judged(r).inTime).length,
          expectedActorInTime,
          expectedActorInTimeRate: rows.length === 0 ? null : Math.round((expectedActorInTime / rows.length) * 10_000) / 10_000,
          medianHoursToContact: hours.length === 0 ? null : Math.round(((hours[Math.floor(mid)]! + hours[Math.ceil(mid)]!) / 2) * 100) / 100,
        };
      };
      const groupBy = <K extends string | null>(key: (r: Row) => K) => {
        const map = new Map<K, Row[]>();
        for (const r of mine) map.set(key(r), [...(map.get(key(r)) ?? []), r]);
        return [...map.entries()].sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
      };
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return {
        from: query.from,
        to: query.to,
        asOf: new Date(clock()).toISOString(),
        total: score(mine),
        byCounty: groupBy((r) => r.countyCode).map(([county, rows]) => ({ county, ...score(rows) })),
        byActor: groupBy((r) => r.expectedActor).map(([expectedActor, rows]) => ({ expectedActor, ...score(rows) })),
        tests: mine.map((r) => ({
          reference: r.reference,
          receivedAt: iso(r.receivedAt)!,
          channel: r.channel,
          county: r.countyCode,
          expectedActor: r.expectedActor,
          routedActor: r.firstActorId,
          routedToExpected: r.firstActorId === r.expectedActor,
          contactedBy: r.firstContactActorId,
          contactedAt: iso(r.firstContactAt),
          hoursToContact: r.firstContactAt === null ? null : Math.round(((r.firstContactAt - r.receivedAt) / 3_600_000) * 100) / 100,
          deadlineAt: iso(r.deadlineAt)!,
          ...(({ inTime, expectedInTime }) => ({ contactedInTime: inTime, expectedActorInTime: expectedInTime }))(judged(r)),
        })),
        benchmark: { scope: 'national', total: score(all) },
      };
    },
  };
}

export type MysteryTestService = ReturnType<typeof createMysteryTestService>;
