import type { Database, Statement } from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type { Eligibility } from './draw.js';

export interface Arm { id: string; label: string; share: number; instruction: { sv: string; en: string } }

export interface ExperimentRow {
  id: string; name: string; description: string; eligibility: Eligibility; arms: Arm[]; seed: string;
  startsAt: number; endsAt: number; stoppedAt: number | null; createdAt: number; createdBy: string; updatedAt: number;
}

interface RawRow extends Omit<ExperimentRow, 'eligibility' | 'arms'> { eligibility: string; arms: string }

const COLUMNS = `id, name, description, eligibility, arms, seed, starts_at AS startsAt, ends_at AS endsAt, stopped_at AS stoppedAt,
  created_at AS createdAt, created_by AS createdBy, updated_at AS updatedAt`;

const parse = (r: RawRow): ExperimentRow => ({ ...r, eligibility: JSON.parse(r.eligibility) as Eligibility, arms: JSON.parse(r.arms) as Arm[] });

/** The experiments' SQL: prepared once (the active list is read on every intake). */
export function createExperimentRepository(db: Db) {
  const client: Database = db.$client;
  const s = {
    all: client.prepare(`SELECT ${COLUMNS} FROM experiments ORDER BY starts_at, id`) as Statement<[], RawRow>,
    one: client.prepare(`SELECT ${COLUMNS} FROM experiments WHERE id = ?`) as Statement<[string], RawRow>,
    // Active at an instant, the earliest started first (intake takes the first eligible one).
    activeAt: client.prepare(`SELECT ${COLUMNS} FROM experiments WHERE stopped_at IS NULL AND starts_at <= @at AND ends_at > @at
      ORDER BY starts_at, created_at, id`) as Statement<[{ at: number }], RawRow>,
    insert: client.prepare(`INSERT INTO experiments (id, name, description, eligibility, arms, seed, starts_at, ends_at, stopped_at, created_at, created_by, updated_at)
      VALUES (@id, @name, @description, @eligibility, @arms, @seed, @startsAt, @endsAt, NULL, @createdAt, @createdBy, @updatedAt) ON CONFLICT DO NOTHING`),
    update: client.prepare(`UPDATE experiments SET name = @name, description = @description, eligibility = @eligibility, arms = @arms, seed = @seed,
      starts_at = @startsAt, ends_at = @endsAt, updated_at = @updatedAt WHERE id = @id AND stopped_at IS NULL`),
    stop: client.prepare('UPDATE experiments SET stopped_at = @at, updated_at = @at WHERE id = @id AND stopped_at IS NULL'),
    counts: client.prepare('SELECT arm_id AS armId, COUNT(*) AS count FROM experiment_assignments WHERE experiment_id = ? GROUP BY arm_id') as
      Statement<[string], { armId: string; count: number }>,
    hasAssignments: client.prepare('SELECT 1 FROM experiment_assignments WHERE experiment_id = ? LIMIT 1').pluck() as Statement<[string], number>,
    assign: client.prepare('INSERT INTO experiment_assignments (inquiry_id, experiment_id, arm_id, assigned_at) VALUES (?, ?, ?, ?)'),
    assignmentOf: client.prepare('SELECT experiment_id AS experimentId, arm_id AS armId FROM experiment_assignments WHERE inquiry_id = ?') as
      Statement<[string], { experimentId: string; armId: string }>,
    // Another inquiry with the same organisation number (indexed: inquiries_org_number_idx).
    askedBefore: client.prepare('SELECT 1 FROM inquiries WHERE org_number = ? AND id <> ? LIMIT 1').pluck() as Statement<[string, string], number>,
  };
  const serialise = (r: ExperimentRow) => ({ ...r, eligibility: JSON.stringify(r.eligibility), arms: JSON.stringify(r.arms) });

  return {
    list: (): ExperimentRow[] => s.all.all().map(parse),
    get: (id: string): ExperimentRow | undefined => { const r = s.one.get(id); return r ? parse(r) : undefined; },
    activeAt: (at: number): ExperimentRow[] => s.activeAt.all({ at }).map(parse),
    /** False when the id is taken. */
    insert: (r: ExperimentRow): boolean => s.insert.run(serialise(r)).changes === 1,
    update: (r: ExperimentRow): boolean => s.update.run(serialise(r)).changes === 1,
    stop: (id: string, at: number): boolean => s.stop.run({ id, at }).changes === 1,
    counts: (id: string) => s.counts.all(id),
    hasAssignments: (id: string): boolean => s.hasAssignments.get(id) !== undefined,
    assign(inquiryId: string, experimentId: string, armId: string, at: number): void {
      s.assign.run(inquiryId, experimentId, armId, at);
    },
    assignmentOf: (inquiryId: string) => s.assignmentOf.get(inquiryId),
    askedBefore: (orgNumber: string, inquiryId: string): boolean => s.askedBefore.get(orgNumber, inquiryId) !== undefined,
  };
}

export type ExperimentRepository = ReturnType<typeof createExperimentRepository>;
