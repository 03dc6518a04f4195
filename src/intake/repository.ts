import type { Database, Statement } from 'better-sqlite3';
import type { Db } from '../db/client.js';

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

/** Work shared by the writes of one group commit, finished once before it commits (the statistics' cells). */
export interface GroupWork { flush(): void }

interface PendingWrite<W> { fn: (group: W) => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }

export function createIntakeRepository<W extends GroupWork>(db: Db, startGroup: () => W) {
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
    insertIdempotencyKey: client.prepare('INSERT INTO idempotency_keys (key, request_hash, inquiry_id, created_at) VALUES (?, ?, ?, ?)'),
    insertClaim: client.prepare('INSERT INTO case_work (inquiry_id, claimed_by_key_id, claimed_at) VALUES (?, ?, ?)'),
  };

  let pending: PendingWrite<W>[] = [];
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
      const insert = client.prepare('INSERT INTO inquiry_events (inquiry_id, type, at, by, by_role, data) VALUES (?, ?, ?, ?, ?, ?)');
      for (const e of events) insert.run(inquiryId, e.type, e.at, e.by, e.byRole, JSON.stringify(e.data));
    },
    insertIdempotencyKey(key: string, requestHash: string, inquiryId: string, createdAt: number): void {
      statements.insertIdempotencyKey.run(key, requestHash, inquiryId, createdAt);
    },
    /** A registered inquiry held by the caseworker who registered it. */
    insertClaim(inquiryId: string, keyId: string, at: number): void {
      statements.insertClaim.run(inquiryId, keyId, at);
    },
    /**
     * Runs fn in a write transaction shared with the other intake writes of the same event-loop turn
     * (group commit): one COMMIT for a burst of inquiries instead of one each. fn runs inside its own
     * savepoint, so a failing inquiry rolls back alone; the promise settles only after the COMMIT, so a
     * 201 is never sent for an inquiry that is not durably stored. The writes of a group share `group`,
     * flushed once after the last of them, inside the transaction (the statistics' cells are written once
     * per group); fn adds to it as its last step, so a write that fails adds nothing.
     */
    inWriteTransaction<T>(fn: (group: W) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
  };

  function flush(): void {
    const batch = pending;
    pending = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      // BEGIN IMMEDIATE, so a second instance on the same file waits (busy timeout) rather than conflicts.
      client.transaction(() => {
        const group = startGroup();
        for (const write of batch) {
          try {
            outcomes.push({ ok: true, value: client.transaction(write.fn)(group) }); // nested: a savepoint
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
        group.flush();
      }).immediate();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.value);
    });
  }
}

export type IntakeRepository<W extends GroupWork> = ReturnType<typeof createIntakeRepository<W>>;
