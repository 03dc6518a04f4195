import { createHmac, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseFacts, inquiries, settings } from '../db/schema/index.js';
import { localDateOf } from '../deadlines/calendar.js';
import { atRiskFrom } from '../deadlines/state.js';
import type { DeadlinePolicy } from '../deadlines/policy.js';

/**
 * The per-case facts row behind the statistics, the sweeper and the metrics (table `case_facts`).
 * Written here when an inquiry is stored (intake, import); afterwards triggers keep first contact,
 * close, referrals, triage, first actor and county current in the same transaction as the change.
 */
type InquiryRow = typeof inquiries.$inferSelect;
export type FactsTx = Pick<Db, 'insert' | 'select' | 'update'>;

/** ISO 8601 week of a calendar date (YYYY-MM-DD), as YYYY-Www (the week's Thursday decides the year). */
export function isoWeekOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0
  day.setUTCDate(day.getUTCDate() - weekday + 3); // the Thursday of this week
  const weekYear = day.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((day.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

/** Calendar fields of an arrival instant, in Europe/Stockholm (localDateOf is memoised per UTC hour). */
type ArrivalFields = { localDate: string; localMonth: string; isoWeek: string };

export function arrivalFields(receivedAt: number): ArrivalFields {
  const localDate = localDateOf(receivedAt);
  return { localDate, localMonth: localDate.slice(0, 7), isoWeek: isoWeekOf(localDate) };
}

const SECRET_KEY = 'stats_company_key_secret';

/** Keyed hashing of organisation numbers: the key lives in the database, the numbers never leave `inquiries`. */
export function companyKeyer(db: Db): (orgNumber: string | null) => number | null {
  let secret = db.select().from(settings).where(eq(settings.key, SECRET_KEY)).get()?.value;
  if (!secret) {
    db.insert(settings).values({ key: SECRET_KEY, value: randomBytes(32).toString('base64url') }).onConflictDoNothing().run();
    secret = db.select().from(settings).where(eq(settings.key, SECRET_KEY)).get()!.value;
  }
  const key = secret;
  // 48 bits: an exact integer in JS and SQLite; collisions are negligible at national volumes.
  return (orgNumber) => (orgNumber ? createHmac('sha256', key).update(orgNumber).digest().readUIntBE(0, 6) : null);
}

export interface CaseFactsInput {
  inquiryId: string;
  receivedAt: number;
  countyCode: string | null;
  firstActorId: string | null;
  topTopicId: string | null;
  orgNumber: string | null;
  deadlinePolicy: DeadlinePolicy;
  deadlineAt: number;
  firstContactAt?: number | null;
  firstContactActorId?: string | null;
  closedAt?: number | null;
  referrals?: number;
  triaged?: boolean;
  feedback?: 'yes' | 'partly' | 'no' | null;
  imported?: boolean;
}

export function topTopicOf(classification: unknown): string | null {
  const topics = (classification as { topics?: { id?: unknown }[] } | null)?.topics;
  const id = Array.isArray(topics) ? topics[0]?.id : undefined;
  return typeof id === 'string' ? id : null;
}

export function createCaseFacts(db: Db, options: { atRiskMs: number }) {
  const keyOf = companyKeyer(db);

  function values(input: CaseFactsInput): typeof caseFacts.$inferInsert {
    return {
      inquiryId: input.inquiryId,
      receivedAt: input.receivedAt,
      ...arrivalFields(input.receivedAt),
      countyCode: input.countyCode,
      firstActorId: input.firstActorId,
      firstContactActorId: input.firstContactAt != null ? (input.firstContactActorId ?? input.firstActorId) : null,
      topTopicId: input.topTopicId,
      orgKey: keyOf(input.orgNumber),
      deadlineAt: input.deadlineAt,
      atRiskAt: atRiskFrom(input.deadlinePolicy, input.deadlineAt, input.receivedAt, options.atRiskMs),
      firstContactAt: input.firstContactAt ?? null,
      closedAt: input.closedAt ?? null,
      referrals: input.referrals ?? 0,
      triaged: input.triaged ? 1 : 0,
      feedback: input.feedback ?? null,
      imported: input.imported ? 1 : 0,
    };
  }

  // Prepared once: intake writes one facts row per inquiry, and building the query each time cost
  // more than the insert itself.
  const columns = Object.keys(values({ inquiryId: '', receivedAt: 0, countyCode: null, firstActorId: null, topTopicId: null, orgNumber: null, deadlinePolicy: '24h', deadlineAt: 0 }));
  const insertPrepared = db.insert(caseFacts)
    .values(Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)])) as unknown as typeof caseFacts.$inferInsert)
    .onConflictDoNothing()
    .prepare();

  /** Facts of a freshly stored inquiry row; call inside the transaction that inserts it (on the same connection). */
  function recordInquiry(_tx: FactsTx, row: InquiryRow): void {
    insertPrepared.run(values({
      inquiryId: row.id, receivedAt: row.receivedAt, countyCode: row.countyCode, firstActorId: row.firstAssignedActorId,
      topTopicId: topTopicOf(row.classification), orgNumber: row.orgNumber,
      deadlinePolicy: row.deadlinePolicy as DeadlinePolicy, deadlineAt: row.deadlineAt,
      firstContactAt: row.firstContactAt, firstContactActorId: row.assignedActorId, closedAt: row.closedAt,
      triaged: row.status === 'triage',
    }));
  }

  /**
   * Facts for inquiries stored before this table existed (or by a path that did not record them):
   * derived from the row and its history. Runs at start-up; a no-op when nothing is missing.
   */
  function backfill(): number {
    let total = 0;
    for (;;) {
      const rows = db.select().from(inquiries)
        .where(sql`NOT EXISTS (SELECT 1 FROM case_facts f WHERE f.inquiry_id = ${inquiries.id})`)
        .limit(1000).all();
      if (rows.length === 0) return total;
      db.transaction((tx) => {
        for (const row of rows) {
          const counts = tx.get<{ referrals: number; triaged: number }>(sql`
            SELECT COALESCE(SUM(type = 'referred'), 0) AS referrals, COALESCE(MAX(type = 'sent-to-triage'), 0) AS triaged
            FROM inquiry_events WHERE inquiry_id = ${row.id}`);
          tx.insert(caseFacts).values(values({
            inquiryId: row.id, receivedAt: row.receivedAt, countyCode: row.countyCode, firstActorId: row.firstAssignedActorId,
            topTopicId: topTopicOf(row.classification), orgNumber: row.orgNumber,
            deadlinePolicy: row.deadlinePolicy as DeadlinePolicy, deadlineAt: row.deadlineAt,
            firstContactAt: row.firstContactAt, firstContactActorId: row.assignedActorId, closedAt: row.closedAt,
            referrals: counts.referrals, triaged: counts.triaged === 1,
          })).onConflictDoNothing().run();
        }
      });
      total += rows.length;
    }
  }

  return { values, recordInquiry, backfill, keyOf };
}

export type CaseFacts = ReturnType<typeof createCaseFacts>;
