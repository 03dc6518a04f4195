import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import { CELL_COUNTS, snakeCase } from '../db/schema/stats.js';
import { CELL_DIMENSIONS, type CellDimension } from './cells.js';

/**
 * The statistics' SQL, prepared once: the per-case facts, the cells, the company ids and what the projection reads
 * of a case to derive its facts. Everything else in src/stats works on plain objects.
 */
export interface ReferralFact { from: string | null; to: string | null; kind: 'misrouted' | 'additional-need' | null }

/** One row of case_facts, as the projection derives it (see projection.ts for what each field means). */
export interface CaseFacts {
  inquiryId: string;
  receivedAt: number;
  localDate: string;
  countyCode: string | null;
  firstActorId: string | null;
  topTopicId: string | null;
  channel: string;
  entryPoint: string | null;
  sizeBand: string;
  triageReason: string | null;
  isTest: number;
  companyId: number | null;
  deadlineAt: number;
  atRiskAt: number;
  firstResponseAt: number | null;
  firstContactAt: number | null;
  firstContactActorId: string | null;
  firstContactBackdated: number;
  closedAt: number | null;
  outcome: string | null;
  referrals: number;
  referralsMisrouted: number;
  referralList: ReferralFact[] | null;
  triaged: number;
  jointWork: number;
  contactChannels: number;
  feedbackRightActor: string | null;
  feedbackHelp: string | null;
  escalated: number;
}

const FACT_FIELDS = [
  'inquiryId', 'receivedAt', 'localDate', 'countyCode', 'firstActorId', 'topTopicId', 'channel', 'entryPoint', 'sizeBand',
  'triageReason', 'isTest', 'companyId', 'deadlineAt', 'atRiskAt', 'firstResponseAt', 'firstContactAt', 'firstContactActorId',
  'firstContactBackdated', 'closedAt', 'outcome', 'referrals', 'referralsMisrouted', 'referralList', 'triaged', 'jointWork',
  'contactChannels', 'feedbackRightActor', 'feedbackHelp', 'escalated',
] as const satisfies readonly (keyof CaseFacts)[];

export const FACT_SELECT = FACT_FIELDS.map((f) => `${snakeCase(f)} AS ${f}`).join(', ');

/** A raw facts row (referral_list still JSON text) as a CaseFacts. */
export function factsFromRow(row: Record<string, unknown>): CaseFacts {
  const list = row.referralList;
  return { ...(row as unknown as CaseFacts), referralList: typeof list === 'string' ? JSON.parse(list) as ReferralFact[] : null };
}

/** A cell's identity: grain, date, the seven dimensions ('' for none or not in the grain) and the test flag. */
export interface CellKey { grain: string; localDate: string; dims: string[]; test: number }

export interface CellRow extends CellKey { counts: number[]; delays: Buffer | null; companies: Buffer | null }

const CELL_KEY_COLUMNS = ['grain', 'local_date', ...CELL_DIMENSIONS.map(snakeCase), 'test'];
const COUNT_COLUMNS = CELL_COUNTS.map(snakeCase);

export function createStatsRepository(db: Db) {
  const client: Database.Database = db.$client;
  const keyWhere = CELL_KEY_COLUMNS.map((c) => `${c} = ?`).join(' AND ');
  const cellColumns = [...CELL_KEY_COLUMNS, ...COUNT_COLUMNS, 'delays', 'companies'];
  const s = {
    factsGet: client.prepare(`SELECT ${FACT_SELECT} FROM case_facts WHERE inquiry_id = ?`),
    factsPut: client.prepare(`INSERT INTO case_facts (${FACT_FIELDS.map(snakeCase).join(', ')}) VALUES (${FACT_FIELDS.map((f) => `@${f}`).join(', ')})
      ON CONFLICT (inquiry_id) DO UPDATE SET ${FACT_FIELDS.slice(1).map((f) => `${snakeCase(f)} = excluded.${snakeCase(f)}`).join(', ')}`),
    cellGet: client.prepare(`SELECT ${[...COUNT_COLUMNS, 'delays', 'companies'].join(', ')} FROM stats_cells WHERE ${keyWhere}`).raw(true),
    cellPut: client.prepare(`INSERT INTO stats_cells (${cellColumns.join(', ')}) VALUES (${cellColumns.map(() => '?').join(', ')})
      ON CONFLICT (${CELL_KEY_COLUMNS.join(', ')}) DO UPDATE SET ${[...COUNT_COLUMNS, 'delays', 'companies'].map((c) => `${c} = excluded.${c}`).join(', ')}`),
    cellDelete: client.prepare(`DELETE FROM stats_cells WHERE ${keyWhere}`),
    companyByKey: client.prepare('SELECT id FROM stats_companies WHERE org_key = ?').pluck(),
    companyInsert: client.prepare('INSERT INTO stats_companies (org_key) VALUES (?) RETURNING id').pluck(),
    companyForget: client.prepare(`UPDATE stats_companies SET org_key = NULL
      WHERE id = (SELECT company_id FROM case_facts WHERE inquiry_id = @id)
        AND EXISTS (SELECT 1 FROM inquiries WHERE id = @id AND org_number_is_personal = 1)`),
    caseRecord: client.prepare(`SELECT id, received_at AS receivedAt, county_code AS countyCode, first_assigned_actor_id AS firstAssignedActorId,
      classification, channel, entry_point AS entryPoint, employees, deadline_policy AS deadlinePolicy, deadline_at AS deadlineAt,
      closed_at AS closedAt, org_number AS orgNumber FROM inquiries WHERE id = ?`),
    events: client.prepare('SELECT type, at, data FROM inquiry_events WHERE inquiry_id = ? ORDER BY id'),
    outcome: client.prepare('SELECT outcome FROM case_work WHERE inquiry_id = ?').pluck(),
    feedback: client.prepare('SELECT answer AS help, right_actor_in_time AS rightActor FROM case_feedback WHERE inquiry_id = ?'),
    isTest: client.prepare('SELECT 1 FROM stats_mystery_tests WHERE inquiry_id = ?').pluck(),
    markStale: client.prepare('INSERT INTO stats_stale (grain, period) VALUES (?, ?) ON CONFLICT DO NOTHING'),
  };
  const keyParams = (k: CellKey) => [k.grain, k.localDate, ...k.dims, k.test];

  return {
    client,
    getFacts(inquiryId: string): CaseFacts | undefined {
      const row = s.factsGet.get(inquiryId) as Record<string, unknown> | undefined;
      return row ? factsFromRow(row) : undefined;
    },
    putFacts(f: CaseFacts): void {
      s.factsPut.run({ ...f, referralList: f.referralList ? JSON.stringify(f.referralList) : null });
    },
    getCell(key: CellKey): { counts: number[]; delays: Buffer | null; companies: Buffer | null } | undefined {
      const row = s.cellGet.get(...keyParams(key)) as unknown[] | undefined;
      if (!row) return undefined;
      return { counts: row.slice(0, COUNT_COLUMNS.length) as number[], delays: row[COUNT_COLUMNS.length] as Buffer | null, companies: row[COUNT_COLUMNS.length + 1] as Buffer | null };
    },
    putCell(cell: CellRow): void {
      s.cellPut.run(...keyParams(cell), ...cell.counts, cell.delays, cell.companies);
    },
    deleteCell(key: CellKey): void {
      s.cellDelete.run(...keyParams(key));
    },
    /** A roll-up (grain such as c@m, period such as 2026-05) must be made again before it is used. */
    markStale(grain: string, period: string): void {
      s.markStale.run(grain, period);
    },
    /** The company id for a keyed organisation number, made when new. */
    companyIdFor(orgKey: number): number {
      const id = s.companyByKey.get(orgKey) as number | undefined;
      return id ?? (s.companyInsert.get(orgKey) as number);
    },
    /** A company id without a key (a company that can no longer be recognised, e.g. after erasure). */
    newAnonymousCompany(): number {
      return s.companyInsert.get(null) as number;
    },
    /** Forgets the keyed hash of an inquiry's company when its number is a sole trader's personnummer. */
    forgetCompanyKeyOfSoleTrader(inquiryId: string): void {
      s.companyForget.run({ id: inquiryId });
    },
    caseRecord(inquiryId: string) {
      return s.caseRecord.get(inquiryId) as (CaseRecordRow & { orgNumber: string | null }) | undefined;
    },
    events(inquiryId: string): { type: string; at: number; data: Record<string, unknown> }[] {
      return (s.events.all(inquiryId) as { type: string; at: number; data: string }[]).map((e) => ({ type: e.type, at: e.at, data: JSON.parse(e.data) as Record<string, unknown> }));
    },
    outcome: (inquiryId: string) => (s.outcome.get(inquiryId) as string | null | undefined) ?? null,
    feedback: (inquiryId: string) => s.feedback.get(inquiryId) as { help: string; rightActor: string | null } | undefined,
    isTest: (inquiryId: string) => s.isTest.get(inquiryId) !== undefined,
  };
}

/** What the projection reads of an inquiry row (classification still JSON text). */
export interface CaseRecordRow {
  id: string; receivedAt: number; countyCode: string | null; firstAssignedActorId: string | null; classification: unknown;
  channel: string; entryPoint: string | null; employees: number | null; deadlinePolicy: string; deadlineAt: number; closedAt: number | null;
}

export type StatsRepository = ReturnType<typeof createStatsRepository>;
export { CELL_KEY_COLUMNS, COUNT_COLUMNS, type CellDimension };
