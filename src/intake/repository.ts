import type { Database, Statement } from 'better-sqlite3';
import type { Db } from '../db/client.js';
import { groupCommit, type GroupWork } from '../db/group-commit.js';

/**
 * The intake write path with statements prepared once. Intake is the hottest write in the service:
 * preparing SQL and building queries per request cost more than classification and routing together,
 * so these few statements bypass the query builder. Reads elsewhere use drizzle.
 */
export interface NewInquiry {
  id: string; reference: string; receivedAt: number; updatedAt: number; channel: string; entryPoint: string | null; status: string;
  countyCode: string | null; municipalityCode: string | null; countySource: string | null;
  companyName: string; orgNumber: string | null; orgNumberIsPersonal: boolean; employees: number | null;
  contactName: string; contactEmail: string; contactPhone: string | null;
  subject: string | null; message: string; language: string;
  deadlinePolicy: string; deadlineAt: number; assignedActorId: string | null;
  classification: unknown; confidence: number; alternatives: string[]; triageReason: string | null; statusTokenHash: string;
}

export interface IntakeEvent { type: string; by: string; data: Record<string, unknown> }

export type { GroupWork };

/**
 * `groupKey` and `startGroup`: the work shared by the writes of one group commit (the statistics' unit of work,
 * whose cells are written once per group), made on first use and flushed before the COMMIT.
 */
export function createIntakeRepository<W extends GroupWork>(db: Db, groupKey: object, startGroup: () => W) {
  const client: Database = db.$client;
  const statements = {
    nextReference: client.prepare(
      'INSERT INTO reference_counters (year, last) VALUES (?, 1) ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last',
    ) as Statement<[number], { last: number }>,
    insertInquiry: client.prepare(`INSERT INTO inquiries (
        id, reference, received_at, channel, entry_point, updated_at, version, status, county_code, municipality_code, county_source,
        company_name, org_number, org_number_is_personal, employees, contact_name, contact_email, contact_phone,
        subject, message, language, deadline_policy, deadline_at, assigned_actor_id, first_assigned_actor_id,
        classification, confidence, alternatives, triage_reason, status_token_hash)
      VALUES (@id, @reference, @receivedAt, @channel, @entryPoint, @updatedAt, 1, @status, @countyCode, @municipalityCode, @countySource,
        @companyName, @orgNumber, @orgNumberIsPersonal, @employees, @contactName, @contactEmail, @contactPhone,
        @subject, @message, @language, @deadlinePolicy, @deadlineAt, @assignedActorId, @assignedActorId,
        @classification, @confidence, @alternatives, @triageReason, @statusTokenHash)`),
    insertClaim: client.prepare('INSERT INTO case_work (inquiry_id, claimed_by_key_id, claimed_at) VALUES (?, ?, ?)'),
    appendEventRow: client.prepare('INSERT INTO inquiry_events (inquiry_id, type, at, by, by_role, data) VALUES (?, ?, ?, ?, ?, ?)'),
    insertIdempotencyKey: client.prepare('INSERT INTO idempotency_keys (key, request_hash, inquiry_id, created_at) VALUES (?, ?, ?, ?)'),
    findIdempotencyKey: client.prepare('SELECT request_hash AS requestHash, inquiry_id AS inquiryId FROM idempotency_keys WHERE key = ?') as
      Statement<[string], { requestHash: string; inquiryId: string }>,
  };

  const writes = groupCommit(client);
  const insertEventsByCount = new Map<number, Statement>();
  const insertEvents = (count: number): Statement => {
    let statement = insertEventsByCount.get(count);
    if (!statement) {
      const rows = Array.from({ length: count }, () => '(?, ?, ?, ?, NULL, ?)').join(', ');
      statement = client.prepare(`INSERT INTO inquiry_events (inquiry_id, type, at, by, by_role, data) VALUES ${rows}`);
      insertEventsByCount.set(count, statement);
    }
    return statement;
  };

  return {
    nextReferenceNumber: (year: number): number => statements.nextReference.get(year)!.last,
    insertInquiry(row: NewInquiry): void {
      statements.insertInquiry.run({
        ...row,
        orgNumberIsPersonal: row.orgNumberIsPersonal ? 1 : 0,
        classification: JSON.stringify(row.classification),
        alternatives: JSON.stringify(row.alternatives),
      });
    },
    /**
     * The first events of an inquiry's history, in order, in one multi-row INSERT (same table and shape
     * as history/events.ts appendEvent). Ids are assigned in row order, so the order is kept.
     */
    appendEvents(inquiryId: string, at: number, events: IntakeEvent[]): void {
      const params: unknown[] = [];
      for (const e of events) params.push(inquiryId, e.type, at, e.by, JSON.stringify(e.data));
      insertEvents(events.length).run(params);
    },
    /** Events with their own instants and roles (a registration: the arrival is in the past, the rest now). */
    appendEventRows(inquiryId: string, events: { type: string; at: number; by: string; byRole: string | null; data: Record<string, unknown> }[]): void {
      for (const e of events) statements.appendEventRow.run(inquiryId, e.type, e.at, e.by, e.byRole, JSON.stringify(e.data));
    },
    /** A registered inquiry held by the caseworker who registered it. */
    insertClaim(inquiryId: string, keyId: string, at: number): void {
      statements.insertClaim.run(inquiryId, keyId, at);
    },
    /** The stored use of an idempotency slot, if any (looked up twice per keyed inquiry, so prepared once). */
    findIdempotencyKey(key: string): { requestHash: string; inquiryId: string } | undefined {
      return statements.findIdempotencyKey.get(key);
    },
    insertIdempotencyKey(key: string, requestHash: string, inquiryId: string, createdAt: number): void {
      statements.insertIdempotencyKey.run(key, requestHash, inquiryId, createdAt);
    },
    /**
     * Runs fn in a write transaction shared with the other writes of the same event-loop turn (group commit,
     * db/group-commit.ts): one COMMIT, so one fsync, for a burst of inquiries instead of one each. fn runs inside
     * its own savepoint, so a failing inquiry rolls back alone; the promise settles only after the COMMIT, so a
     * 201 is never sent for an inquiry that is not durably stored. The writes of a group share `group` (the
     * statistics' unit of work), flushed once after the last write of the group, inside the transaction; fn adds to
     * it as its last step, so a write that fails adds nothing.
     */
    inWriteTransaction<T>(fn: (group: W) => T): Promise<T> {
      return writes.run(() => fn(writes.shared(groupKey, startGroup)));
    },
  };
}

export type IntakeRepository<W extends GroupWork> = ReturnType<typeof createIntakeRepository<W>>;
