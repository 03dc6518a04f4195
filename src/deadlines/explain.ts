import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseFacts, deadlineEscalations, inquiries, inquiryEvents } from '../db/schema/index.js';
import { computeDeadline, type DeadlinePolicy, type SkippedDay } from './policy.js';
import { atRiskFrom, deadlineState, deadlineTimeLeft, type DeadlineState } from './state.js';

/**
 * How a case's deadline was computed and where it stands: the policy recorded at arrival, the start,
 * the days the clock did not run on, the deadline, when it becomes at risk, its state now, and the
 * escalations recorded in its history. For GET /v1/cases/{id} (cases) and GET /v1/cases/{id}/deadline.
 */
export interface DeadlineExplanation {
  policy: DeadlinePolicy;
  startAt: string;
  deadlineAt: string;
  skippedDays: SkippedDay[];
  atRiskFrom: string;
  state: DeadlineState;
  /** Deadline time left now (working time under `working-day`), in hours; 0 once passed, contacted or closed. */
  hoursLeft: number;
  firstContactAt: string | null;
  escalations: { kind: 'at-risk' | 'breached'; at: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function explainDeadline(db: Pick<Db, 'select'>, inquiryId: string, now: number, atRiskMs: number): DeadlineExplanation | null {
  const row = db.select({
    receivedAt: inquiries.receivedAt, deadlinePolicy: inquiries.deadlinePolicy, deadlineAt: inquiries.deadlineAt, firstContactAt: inquiries.firstContactAt,
    closedAt: inquiries.closedAt,
  }).from(inquiries).where(eq(inquiries.id, inquiryId)).get();
  if (!row) return null;
  const policy = row.deadlinePolicy as DeadlinePolicy;
  // What was recorded when the deadline was set is the record; recomputing is the fallback (imports).
  const recorded = db.select({ data: inquiryEvents.data }).from(inquiryEvents)
    .where(and(eq(inquiryEvents.inquiryId, inquiryId), eq(inquiryEvents.type, 'deadline-set'))).orderBy(asc(inquiryEvents.id)).get();
  const data = recorded?.data as { startAt?: string; skippedDays?: SkippedDay[] } | undefined;
  const startAt = data?.startAt ? Date.parse(data.startAt) : row.receivedAt;
  const skippedDays = data?.skippedDays ?? computeDeadline(policy, startAt).skippedDays;
  const facts = { policy, deadlineAt: row.deadlineAt, firstContactAt: row.firstContactAt, closedAt: row.closedAt };
  const atRiskAt = db.select({ atRiskAt: caseFacts.atRiskAt }).from(caseFacts).where(eq(caseFacts.inquiryId, inquiryId)).get()?.atRiskAt
    ?? atRiskFrom(policy, row.deadlineAt, startAt, atRiskMs);
  const escalations = db.select().from(deadlineEscalations).where(eq(deadlineEscalations.inquiryId, inquiryId)).orderBy(asc(deadlineEscalations.at)).all();
  return {
    policy,
    startAt: iso(startAt),
    deadlineAt: iso(row.deadlineAt),
    skippedDays,
    atRiskFrom: iso(atRiskAt),
    state: deadlineState(facts, now, atRiskMs),
    hoursLeft: row.firstContactAt === null && row.closedAt === null ? Math.round((deadlineTimeLeft(policy, now, row.deadlineAt) / 3_600_000) * 100) / 100 : 0,
    firstContactAt: row.firstContactAt === null ? null : iso(row.firstContactAt),
    escalations: escalations.map((e) => ({ kind: e.kind, at: iso(e.at) })),
  };
}
