import { and, asc, desc, eq, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, caseNotes, caseWork, inquiries } from '../db/schema/index.js';
import type { Tx } from '../history/events.js';
import type { DeadlineState } from '../deadlines/state.js';
import type { CursorPosition } from './cursor.js';
import type { CaseStatus } from './state-machine.js';

/** Which cases a caller sees: an actor's (caseworkers), or a set of counties (coordinators; null = all). */
export type CaseScope =
  | { kind: 'actor'; actorId: string; counties: string[] | null }
  | { kind: 'counties'; counties: string[] | null };

export type CaseOrder = 'deadline-desc' | 'deadline-asc' | 'updated';

export interface ListFilter {
  scope: CaseScope;
  statuses?: CaseStatus[] | undefined;
  counties?: string[] | undefined;
  topics?: string[] | undefined;
  updatedSince?: number | undefined;
  /** Narrows in SQL to cases that can be in one of these states now; the service checks exactly. */
  deadlineStates?: { states: DeadlineState[]; now: number; atRiskMs: number } | undefined;
  /** The coordinator's queue: cases without an actor, and breached ones, not closed. */
  triageQueueAt?: number | undefined;
}

/** The longest run of non-working days (Christmas, Easter) plus margin: deadline time left is never more than elapsed time left. */
const LONGEST_BREAK_MS = 7 * 24 * 60 * 60 * 1000;

const workColumns = {
  claimedByKeyId: caseWork.claimedByKeyId,
  claimedAt: caseWork.claimedAt,
  outcome: caseWork.outcome,
  claimLabel: apiKeys.label,
  claimRevokedAt: apiKeys.revokedAt,
};

const summaryColumns = {
  id: inquiries.id,
  reference: inquiries.reference,
  status: inquiries.status,
  receivedAt: inquiries.receivedAt,
  channel: inquiries.channel,
  entryPoint: inquiries.entryPoint,
  updatedAt: inquiries.updatedAt,
  version: inquiries.version,
  countyCode: inquiries.countyCode,
  companyName: inquiries.companyName,
  deadlinePolicy: inquiries.deadlinePolicy,
  deadlineAt: inquiries.deadlineAt,
  firstContactAt: inquiries.firstContactAt,
  firstResponseAt: inquiries.firstResponseAt,
  closedAt: inquiries.closedAt,
  assignedActorId: inquiries.assignedActorId,
  firstAssignedActorId: inquiries.firstAssignedActorId,
  classification: inquiries.classification,
  triageReason: inquiries.triageReason,
  ...workColumns,
};

type InquiryRow = typeof inquiries.$inferSelect;
export interface WorkColumns { claimedByKeyId: string | null; claimedAt: number | null; outcome: string | null; claimLabel: string | null; claimRevokedAt: number | null }
export type CaseSummaryRow = Pick<InquiryRow, 'id' | 'reference' | 'status' | 'receivedAt' | 'channel' | 'entryPoint' | 'updatedAt' | 'version' | 'countyCode' | 'companyName' | 'deadlinePolicy' | 'deadlineAt' | 'firstContactAt' | 'firstResponseAt' | 'closedAt' | 'assignedActorId' | 'firstAssignedActorId' | 'classification' | 'triageReason'> & WorkColumns;
export type CaseRow = InquiryRow & WorkColumns;

export interface NoteRow { id: string; kind: string; text: string | null; authorKeyId: string; authorRole: string; createdAt: number; erasedAt: number | null }

function scopeCondition(scope: CaseScope): SQL | undefined {
  const counties = scope.counties ? inArray(inquiries.countyCode, scope.counties) : undefined;
  return scope.kind === 'actor' ? and(eq(inquiries.assignedActorId, scope.actorId), counties) : counties;
}

function deadlineCondition({ states, now, atRiskMs }: NonNullable<ListFilter['deadlineStates']>): SQL | undefined {
  const noContact = isNull(inquiries.firstContactAt);
  const parts = states.map((state): SQL | undefined => {
    switch (state) {
      case 'met': return and(isNotNull(inquiries.firstContactAt), sql`${inquiries.firstContactAt} <= ${inquiries.deadlineAt}`);
      case 'missed': return and(isNotNull(inquiries.firstContactAt), sql`${inquiries.firstContactAt} > ${inquiries.deadlineAt}`);
      case 'breached': return and(noContact, sql`${inquiries.deadlineAt} < ${now}`, sql`(${inquiries.closedAt} IS NULL OR ${inquiries.closedAt} > ${inquiries.deadlineAt})`);
      // Deadline time left (working time) is at most the elapsed time left, so these bounds are safe.
      case 'at-risk': return and(noContact, isNull(inquiries.closedAt), sql`${inquiries.deadlineAt} >= ${now}`, sql`${inquiries.deadlineAt} < ${now + atRiskMs + LONGEST_BREAK_MS}`);
      case 'on-track': return and(noContact, isNull(inquiries.closedAt), sql`${inquiries.deadlineAt} >= ${now + atRiskMs}`);
      case 'closed': return and(noContact, sql`${inquiries.closedAt} <= ${inquiries.deadlineAt}`);
    }
  });
  return or(...parts);
}

function topicCondition(topics: string[]): SQL {
  return sql`EXISTS (SELECT 1 FROM json_each(${inquiries.classification}, '$.topics') AS t WHERE json_extract(t.value, '$.id') IN (${sql.join(topics.map((t) => sql`${t}`), sql`, `)}))`;
}

function filterCondition(f: ListFilter): SQL | undefined {
  return and(
    scopeCondition(f.scope),
    f.statuses?.length ? inArray(inquiries.status, f.statuses) : undefined,
    f.counties?.length ? inArray(inquiries.countyCode, f.counties) : undefined,
    f.topics?.length ? topicCondition(f.topics) : undefined,
    f.updatedSince !== undefined ? sql`${inquiries.updatedAt} >= ${f.updatedSince}` : undefined,
    f.deadlineStates ? deadlineCondition(f.deadlineStates) : undefined,
    f.triageQueueAt !== undefined
      ? and(ne(inquiries.status, 'closed'), or(isNull(inquiries.assignedActorId), and(isNull(inquiries.firstContactAt), sql`${inquiries.deadlineAt} < ${f.triageQueueAt}`)))
      : undefined,
  );
}

/** Row-value comparisons, so SQLite walks the (…, key, id) indexes from the cursor on. */
function keyset(order: CaseOrder, after: CursorPosition | undefined): SQL | undefined {
  if (!after) return undefined;
  switch (order) {
    case 'deadline-desc': return sql`(${inquiries.deadlineAt}, ${inquiries.id}) < (${after.key}, ${after.id})`;
    case 'deadline-asc': return sql`(${inquiries.deadlineAt}, ${inquiries.id}) > (${after.key}, ${after.id})`;
    case 'updated': return sql`(${inquiries.updatedAt}, ${inquiries.id}) > (${after.key}, ${after.id})`;
  }
}

function orderBy(order: CaseOrder) {
  switch (order) {
    case 'deadline-desc': return [desc(inquiries.deadlineAt), desc(inquiries.id)];
    case 'deadline-asc': return [asc(inquiries.deadlineAt), asc(inquiries.id)];
    case 'updated': return [asc(inquiries.updatedAt), asc(inquiries.id)];
  }
}

export function sortKey(order: CaseOrder, row: { deadlineAt: number; updatedAt: number; id: string }): CursorPosition {
  return { key: order === 'updated' ? row.updatedAt : row.deadlineAt, id: row.id };
}

export function createCaseRepository(db: Db) {
  return {
    /** One page of summaries in the filter's order, starting after the cursor position. */
    list(filter: ListFilter, order: CaseOrder, after: CursorPosition | undefined, limit: number): CaseSummaryRow[] {
      return db.select(summaryColumns).from(inquiries)
        .leftJoin(caseWork, eq(caseWork.inquiryId, inquiries.id))
        .leftJoin(apiKeys, eq(apiKeys.id, caseWork.claimedByKeyId))
        .where(and(filterCondition(filter), keyset(order, after)))
        .orderBy(...orderBy(order))
        .limit(limit)
        .all() as CaseSummaryRow[];
    },

    /** The case if it is in the scope; undefined otherwise (the caller cannot tell the difference). */
    find(id: string, scope: CaseScope, tx: Tx = db): CaseRow | undefined {
      const row = tx.select({ inquiry: inquiries, work: workColumns }).from(inquiries)
        .leftJoin(caseWork, eq(caseWork.inquiryId, inquiries.id))
        .leftJoin(apiKeys, eq(apiKeys.id, caseWork.claimedByKeyId))
        .where(and(eq(inquiries.id, id), scopeCondition(scope)))
        .get();
      if (!row) return undefined;
      return { ...row.inquiry, ...(row.work as WorkColumns) } as CaseRow;
    },

    /** Applies a change and bumps the version; false when the version moved (never inside one write transaction). */
    update(tx: Tx, id: string, expectedVersion: number, set: Partial<Omit<InquiryRow, 'id' | 'version'>> & { updatedAt: number }): boolean {
      const result = tx.update(inquiries)
        .set({ ...set, version: sql`${inquiries.version} + 1` })
        .where(and(eq(inquiries.id, id), eq(inquiries.version, expectedVersion)))
        .run() as unknown as { changes: number };
      return result.changes === 1;
    },

    setClaim(tx: Tx, inquiryId: string, keyId: string | null, at: number | null): void {
      tx.insert(caseWork).values({ inquiryId, claimedByKeyId: keyId, claimedAt: at })
        .onConflictDoUpdate({ target: caseWork.inquiryId, set: { claimedByKeyId: keyId, claimedAt: at } }).run();
    },

    setOutcome(tx: Tx, inquiryId: string, outcome: string): void {
      tx.insert(caseWork).values({ inquiryId, outcome })
        .onConflictDoUpdate({ target: caseWork.inquiryId, set: { outcome } }).run();
    },

    insertNote(tx: Tx, note: { id: string; inquiryId: string; kind: string; text: string; authorKeyId: string; authorRole: string; createdAt: number }): void {
      tx.insert(caseNotes).values(note).run();
    },

    notesOf(inquiryId: string): NoteRow[] {
      return db.select({
        id: caseNotes.id, kind: caseNotes.kind, text: caseNotes.text, authorKeyId: caseNotes.authorKeyId,
        authorRole: caseNotes.authorRole, createdAt: caseNotes.createdAt, erasedAt: caseNotes.erasedAt,
      }).from(caseNotes).where(eq(caseNotes.inquiryId, inquiryId)).orderBy(asc(caseNotes.createdAt)).all();
    },

    keyLabels(ids: string[]): Map<string, string> {
      if (ids.length === 0) return new Map();
      const rows = db.select({ id: apiKeys.id, label: apiKeys.label }).from(apiKeys).where(inArray(apiKeys.id, ids)).all();
      return new Map(rows.map((r) => [r.id, r.label]));
    },
  };
}

export type CaseRepository = ReturnType<typeof createCaseRepository>;
