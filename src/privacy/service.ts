import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.js';
import type { Principal } from '../auth/service.js';
import { appendEvent, SYSTEM, type EventActor } from '../history/events.js';
import { parseOrgNumber } from '../intake/org-number.js';
import type { StatsProjection } from '../stats/projection.js';
import { notFound } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { walTruncator } from '../db/client.js';
import { createErasureRepository, type ErasureCandidate } from './repository.js';
import type { EraseReason } from './schemas.js';
import type { AuditLog } from '../audit/service.js';
import type { Notifier } from '../notifications/outbox.js';

/**
 * Erasure of personal data (GDPR art. 17) and retention, one mechanism for both. Erasing an inquiry erases its
 * personal data in every place listed in personal-data.ts: the contact's name, e-mail and phone, the subject and
 * the message (the company name and number too unless the number is a legal entity's) are replaced by a marker,
 * the caseworkers' note texts and the company's feedback comment are blanked, its idempotency key is forgotten.
 * The version is bumped (pollers see the change) and `personal-data-erased` is recorded in the history: which
 * places, why, by whom; never the data itself. The history, case_facts and everything the statistics count stay.
 * Of a sole trader's personnummer not even a keyed hash stays (the statistics keep a bare company id).
 *
 * Erasure is a state: an erased case refuses new free text (personal-data.ts, refuseIfErased), and erasing again
 * erases whatever is still there (written before such writes were refused, or by a path that forgot to refuse):
 * it is a no-op, reporting `alreadyErased`, exactly when nothing is left. Retention erases closed cases
 * RETENTION_DAYS after closing and, in the same runs, whatever is left in cases erased before.
 *
 * Who: admin keys everywhere; coordinator keys within their counties. A case outside the caller's counties is
 * "not found", as in the cases API. Retention runs as the system.
 *
 * After each erasure the write-ahead log is truncated (db/client.ts, truncateWal): it held the erased values
 * in earlier frames, and with secure_delete on the database file keeps no copy of them in freed space.
 */
export const ERASED_FIELDS = ['contact.name', 'contact.email', 'contact.phone', 'subject', 'message'] as const;

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export interface ErasureDeps {
  db: Db;
  clock: Clock;
  /** Every erasure, done or found done already, is recorded in the audit log (without the organisation number). */
  audit: Pick<AuditLog, 'record'>;
  /** The statistics' projection: an erased sole trader's company keeps its id and loses its keyed hash. */
  projection: StatsProjection;
  batchSize?: number;
  /** Cancels and blanks the company's queued mail and tells webhook receivers, in the erasure's transaction. */
  notify?: Pick<Notifier, 'caseChanged'> | undefined;
}

export function createErasureService({ db, clock, audit, projection, batchSize = 200, notify }: ErasureDeps) {
  const repository = createErasureRepository(db);
  const wal = walTruncator(db);

  const inScope = (p: Principal, c: ErasureCandidate) =>
    p.role === 'admin' || p.counties === null || (c.countyCode !== null && p.counties.includes(c.countyCode));

  /** Erases what is left of one inquiry inside the caller's transaction; false when nothing was left. */
  function eraseOne(id: string, at: number, actor: EventActor, reason: EraseReason, requestReference?: string): boolean {
    const erasedBefore = repository.find(id)?.erasedAt ?? null;
    const done = repository.erase(id, at);
    if (!done) return false;
    projection.personalDataErased(id);
    appendEvent(db, id, 'personal-data-erased', at, actor, {
      reason, fields: [...ERASED_FIELDS, 'company (unless a legal entity)', 'notes', 'feedback comment'],
      notesErased: done.notes ?? 0, feedbackCommentErased: (done['feedback comment'] ?? 0) > 0,
      erased: done,
      ...(erasedBefore !== null ? { leftAfterEarlierErasure: true } : {}),
      ...(requestReference ? { requestReference } : {}),
    });
    notify?.caseChanged({ type: 'personal-data-erased', inquiryId: id, at });
    return true;
  }

  const eraseBatch = db.$client.transaction((ids: string[], at: number, actor: EventActor, reason: EraseReason, requestReference?: string) =>
    ids.filter((id) => eraseOne(id, at, actor, reason, requestReference)).length);

  /** One case on request, with its audit record in the same transaction. */
  const eraseCaseTx = db.$client.transaction((id: string, at: number, actor: EventActor, requestReference?: string) => {
    const erased = eraseOne(id, at, actor, 'request', requestReference);
    audit.record({ by: actor.by, byRole: actor.byRole ?? null }, { action: 'case-erased', target: id, data: { erased, ...(requestReference ? { requestReference } : {}) } }, at);
    return erased;
  });

  /** One retention batch: cases closed before the cut-off, then erased cases with something left. */
  const expiredBatch = db.$client.transaction((closedBefore: number, at: number) => {
    const expired = repository.expired(closedBefore, batchSize);
    const ids = expired.length < batchSize ? [...expired, ...repository.leftovers(batchSize - expired.length)] : expired;
    const erased = ids.filter((id) => eraseOne(id, at, SYSTEM, 'retention'));
    if (erased.length > 0) {
      audit.record({ by: SYSTEM.by }, { action: 'retention-erased', data: { cases: erased.length, closedBefore: iso(closedBefore), caseIds: erased } }, at);
    }
    return { candidates: ids.length, erased: erased.length };
  });

  return {
    /** Erases one case's personal data on request. */
    eraseCase(p: Principal, id: string, requestReference?: string) {
      const found = repository.find(id);
      if (!found || !inScope(p, found)) throw notFound('No case with this id.');
      const at = clock();
      const erased = eraseCaseTx.immediate(id, at, { by: p.keyId, byRole: p.role }, requestReference);
      if (erased) wal.truncate();
      return { id, erasedAt: iso(repository.find(id)!.erasedAt!), alreadyErased: !erased };
    },

    /**
     * Erases every inquiry of one company (by organisation number or personnummer) within the caller's counties. A
     * sole trader's inquiries erased before cannot be found again (nothing of the number is kept): they are done.
     */
    eraseCompany(p: Principal, orgNumber: string, requestReference?: string) {
      const normalized = parseOrgNumber(orgNumber)!.normalized;
      const all = repository.ofCompany(normalized);
      const mine = all.filter((c) => inScope(p, c));
      // Every one of them, erased before or not: what was written to an erased case since is erased too.
      const pending = mine.map((c) => c.id);
      const at = clock();
      let erased = 0;
      for (let i = 0; i < pending.length; i += batchSize) {
        erased += eraseBatch.immediate(pending.slice(i, i + batchSize), at, { by: p.keyId, byRole: p.role }, 'request', requestReference);
      }
      if (erased > 0) wal.truncate();
      const report = { matched: mine.length, erased, alreadyErased: mine.length - erased, outsideYourCounties: all.length - mine.length };
      // The number itself is not recorded: a sole trader's is a personnummer.
      audit.record({ by: p.keyId, byRole: p.role }, { action: 'company-erased', data: { ...report, ...(requestReference ? { requestReference } : {}) } }, at);
      return report;
    },

    /**
     * Retention: erases the personal data of cases closed more than `retentionDays` before `now`, and whatever is
     * left in cases erased before, in write transactions of `batchSize`. `maxBatches` bounds one call; the count
     * erased is returned. The write-ahead log is truncated after each batch that erased anything.
     */
    eraseExpired(now: number, retentionDays: number, maxBatches = Number.POSITIVE_INFINITY): number {
      let total = 0;
      for (let batch = 0; batch < maxBatches; batch++) {
        const { candidates, erased } = expiredBatch.immediate(now - retentionDays * DAY_MS, now);
        total += erased;
        if (erased > 0) wal.truncate();
        if (candidates < batchSize) break;
      }
      return total;
    },
  };
}

export type ErasureService = ReturnType<typeof createErasureService>;

/**
 * Runs retention every `intervalMs` while the app runs, like the deadline sweeper: first run when the app is
 * ready, timer unref'd, stopped in onClose. Each tick erases in batches and yields to the event loop between
 * them, so a large backlog (a first run over years of imported cases) never stalls requests. Logged as counts only.
 */
export function scheduleRetention(app: FastifyInstance, erasure: ErasureService, clock: Clock, intervalMs: number, retentionDays: number): void {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let closing = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      let total = 0;
      for (;;) {
        if (closing) break;
        const n = erasure.eraseExpired(clock(), retentionDays, 1);
        total += n;
        if (n === 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (total > 0) app.log.info({ erased: total, retentionDays }, 'retention: personal data of closed cases erased');
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, 'retention run failed');
    } finally {
      running = false;
    }
  };
  app.addHook('onReady', async () => {
    void run();
    timer = setInterval(() => void run(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    closing = true;
    if (timer) clearInterval(timer);
    timer = null;
  });
}
