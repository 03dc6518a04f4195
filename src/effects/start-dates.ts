import { z } from 'zod';
import type { Statement } from 'better-sqlite3';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { AuditLog } from '../audit/service.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { localDateOf } from '../deadlines/calendar.js';
import type { ReferenceService } from '../reference/service.js';
import { msg } from '../shared/i18n.js';
import { problemResponses } from '../shared/problems.js';

/**
 * The export centres' start dates, reference data for evaluation: the audit found that none were
 * recorded when the centres started, so that a before/after comparison was "in practice impossible".
 *
 * Seed: the pilot waves in RiR 2019:3 (copied from ../shared/DOMAIN.md): 2016 Dalarna, Kronoberg, Skåne,
 * Västerbotten, Västra Götaland, Östergötland; 2017 Gävleborg, Örebro; 2018 Blekinge, Jämtland Härjedalen,
 * Jönköping, Kalmar, Norrbotten, Stockholm, Uppsala, Värmland, Västernorrland; "later" Gotland, Halland,
 * Södermanland, Västmanland (no year known). Only years are known: admins set the exact dates.
 */
export const PILOT_WAVES: Record<string, number | null> = {
  'SE-W': 2016, 'SE-G': 2016, 'SE-M': 2016, 'SE-AC': 2016, 'SE-O': 2016, 'SE-E': 2016,
  'SE-X': 2017, 'SE-T': 2017,
  'SE-K': 2018, 'SE-Z': 2018, 'SE-F': 2018, 'SE-H': 2018, 'SE-BD': 2018, 'SE-AB': 2018, 'SE-C': 2018, 'SE-S': 2018, 'SE-Y': 2018,
  'SE-I': null, 'SE-N': null, 'SE-D': null, 'SE-U': null,
};
const SEED_SOURCE = 'RiR 2019:3 (pilot waves; year only)';

export interface CentreStart { countyCode: string; startYear: number | null; startedOn: string | null; source: string }

/** Whether the centre had started on a Stockholm date: by the exact date when known, else by the year (null within the start year or when unknown). */
export function centreStartedOn(start: CentreStart | undefined, date: string): boolean | null {
  if (!start) return null;
  if (start.startedOn) return date >= start.startedOn;
  if (start.startYear === null) return null;
  const year = Number(date.slice(0, 4));
  return year > start.startYear ? true : year < start.startYear ? false : null;
}

export function createStartDates(db: Db, clock: () => number) {
  const client = db.$client;
  const seed = client.prepare('INSERT INTO export_centre_starts (county_code, start_year, started_on, source, updated_at) VALUES (?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING');
  const all = client.prepare('SELECT county_code AS countyCode, start_year AS startYear, started_on AS startedOn, source FROM export_centre_starts ORDER BY county_code') as Statement<[], CentreStart>;
  const set = client.prepare(`INSERT INTO export_centre_starts (county_code, start_year, started_on, source, updated_at) VALUES (@countyCode, @startYear, @startedOn, @source, @at)
    ON CONFLICT (county_code) DO UPDATE SET start_year = excluded.start_year, started_on = excluded.started_on, source = excluded.source, updated_at = excluded.updated_at`);
  let cache: Map<string, CentreStart> | null = null;
  const byCounty = () => (cache ??= new Map(all.all().map((s) => [s.countyCode, s])));

  return {
    seed(): void {
      client.transaction(() => {
        for (const [code, year] of Object.entries(PILOT_WAVES)) seed.run(code, year, SEED_SOURCE, clock());
      })();
      cache = null;
    },
    list: (): CentreStart[] => [...byCounty().values()],
    get: (countyCode: string | null) => (countyCode ? byCounty().get(countyCode) : undefined),
    /** Whether the county's centre had started at an instant (intake records it). */
    startedAt(countyCode: string | null, at: number): boolean | null {
      return countyCode ? centreStartedOn(byCounty().get(countyCode), localDateOf(at)) : null;
    },
    set(countyCode: string, value: { startedOn: string | null; source: string }): CentreStart {
      const startYear = value.startedOn ? Number(value.startedOn.slice(0, 4)) : (byCounty().get(countyCode)?.startYear ?? null);
      set.run({ countyCode, startYear, startedOn: value.startedOn, source: value.source, at: clock() });
      cache = null;
      return byCounty().get(countyCode)!;
    },
  };
}
export type StartDates = ReturnType<typeof createStartDates>;

const startSchema = z.object({
  countyCode: z.string(), startYear: z.number().int().nullable(), startedOn: z.string().nullable().describe('YYYY-MM-DD, when known'), source: z.string(),
}).meta({ id: 'ExportCentreStart' });

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: msg('A calendar date, YYYY-MM-DD', 'Ett datum, ÅÅÅÅ-MM-DD') })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), { message: msg('Not a calendar date', 'Inte ett datum som finns') });

export const startDateRoutes: FastifyPluginAsyncZod<{ startDates: StartDates; reference: ReferenceService; audit: Pick<AuditLog, 'record'> }> = async (app, { startDates, reference, audit }) => {
  app.get('/v1/export-centres/start-dates', {
    schema: {
      operationId: 'listExportCentreStartDates', tags: ['reference'],
      summary: "Each county's export-centre start: year (pilot waves) and exact date when known",
      description: 'Reference data for evaluation: when each county\'s export centre started (the pilot waves give the year; admins set the exact date). Each inquiry records whether its county\'s centre had started. Public, like the other reference data.',
      response: { 200: z.object({ items: z.array(startSchema) }), ...problemResponses(400) },
    },
    handler: async () => ({ items: startDates.list() }),
  });

  app.put('/v1/admin/export-centres/:county/start-date', {
    onRequest: requireRole('admin'),
    schema: {
      operationId: 'adminSetExportCentreStartDate', tags: ['admin'],
      summary: "Set a county's export-centre start date",
      description: 'The exact date the centre started (Stockholm calendar date), with its source (a decision, an agreement). ' +
        'Inquiries arriving from then on record that the centre had started; earlier inquiries keep what they recorded.',
      security: BEARER,
      params: z.object({ county: z.string().min(1).max(60) }),
      body: z.strictObject({ startedOn: date.nullable(), source: z.string().trim().min(1).max(300) }),
      response: { 200: startSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const county = reference.requireCounty(request.params.county);
      const p = principalOf(request);
      const result = startDates.set(county.code, request.body);
      audit.record({ by: p.keyId, byRole: p.role }, { action: 'export-centre-start-set', target: county.code, data: { startedOn: result.startedOn, source: result.source } });
      return result;
    },
  });
};
