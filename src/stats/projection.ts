import type { Db } from '../db/client.js';
import { CELL_COUNTS, type CellCount } from '../db/schema/stats.js';
import { localDateOf } from '../deadlines/calendar.js';
import { atRiskFrom } from '../deadlines/state.js';
import type { DeadlinePolicy } from '../deadlines/policy.js';
import { contactSummary, stepsOf, type CaseStep } from '../cases/right-actor.js';
import { CLOSE_OUTCOMES, type CloseOutcome } from '../cases/schemas.js';
import { CELL_DIMENSIONS, GRAINS, decodeCompanies, decodeHistogram, encodeCompanies, encodeHistogram, periodOf, rollupGrain, type CellDimension } from './cells.js';
import { orgKeyOf } from './company-key.js';
import { createStatsRepository, type CaseFacts, type CaseRecordRow, type CellKey, type ReferralFact } from './repository.js';

/**
 * THE STATISTICS, AS A PROJECTION OF THE CASES AND THEIR HISTORY. Every figure the service reports is defined
 * here, in two steps, and nowhere else:
 *
 * 1. `deriveFacts`: what one inquiry is, for the statistics (table case_facts): from its row and its append-only
 *    history (first contacts, referrals and their kinds, triage, notes naming other actors, the import record),
 *    its outcome, the company's answers, whether it is a mystery-shopping test and its company id.
 * 2. `figuresOf`: what one inquiry adds to each additive count of a group (`received`, `contactedInTime`, …),
 *    to the histogram of delays (minutes to the right-actor contact) and to the company multiset.
 *
 * Every write path calls the projection inside its own write transaction, after its own changes: intake and the
 * registration of inquiries (`inquiryStored`), case actions, feedback, erasure and test registration
 * (`caseChanged`: the facts are derived again from the row and the history, and only the difference is applied),
 * the historical import (`inquiryStored` with its `imported` event). A unit of work collects the changes of a
 * transaction as per-cell deltas and writes each touched cell once (`flush`), so the cells of one intake group
 * commit are written once per batch, however many inquiries it holds.
 *
 * The cells (stats_cells, see cells.ts) are the sums of `figuresOf` over the inquiries of a date and grain cell;
 * the queries (service.ts) add cells up, or, for a grouping no grain has, the same `figuresOf` over the facts.
 * `rebuild` derives everything again from the inquiries and their history (used when the definitions change).
 */
export const PROJECTION_VERSION = 2; // 1: the SQL triggers (migrations 0004, 0008, 0011), replaced by this module

/** Bits of `contactChannels`. */
export const CONTACT_CHANNEL_BITS: Record<string, number> = { phone: 1, email: 2, meeting: 4, video: 8 };

export const SIZE_BANDS = ['0-9', '10-49', '50-249', '250+', 'unknown'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];

export function sizeBandOf(employees: number | null | undefined): SizeBand {
  if (employees === null || employees === undefined) return 'unknown';
  return employees < 10 ? '0-9' : employees < 50 ? '10-49' : employees < 250 ? '50-249' : '250+';
}

export function topTopicOf(classification: unknown): string | null {
  const topics = (classification as { topics?: { id?: unknown }[] } | null)?.topics;
  const id = Array.isArray(topics) ? topics[0]?.id : undefined;
  return typeof id === 'string' ? id : null;
}

/** Unmet demand: an out-of-scope triage counts under its group (tax, permits, …); unclear and no-actor-in-county as such. */
export function triageReasonOf(reason: unknown, classification: unknown): string {
  if (reason === 'out-of-scope') {
    const group = (classification as { outOfScope?: { id?: unknown } | null } | null)?.outOfScope?.id;
    return typeof group === 'string' ? group : 'out-of-scope';
  }
  return typeof reason === 'string' ? reason : 'unspecified';
}

export interface CaseExtras {
  /** The close outcome (case_work), when one of the six codes. */
  outcome: string | null;
  /** The company's answers (case_feedback). */
  feedback: { help: string; rightActor: string | null } | null;
  isTest: boolean;
  companyId: number | null;
  escalated: number;
}

interface EventLike { type: string; at: number; data: Record<string, unknown> }

const HELP = new Set(['yes', 'partly', 'no']);
const RIGHT_ACTOR = new Set(['yes', 'no', 'unsure']);
const outcomeCode = (v: unknown): CloseOutcome | null => ((CLOSE_OUTCOMES as readonly unknown[]).includes(v) ? v as CloseOutcome : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const instant = (v: unknown): number | null => (typeof v === 'string' ? Date.parse(v) : null);

/**
 * The steps of an imported case, from its `imported` event: the first contact (by `firstContactActor`, else the
 * actor), then the referrals (with their kinds when the line said them, else kind unknown), then the right
 * actor's contact when the line gives one (after a misrouted first contact). A spreadsheet does not say in which
 * order a contact and a referral happened: a misrouted referral from the actor that made first contact is read as
 * made after it, so that contact was not with the right actor.
 */
function importedSteps(data: Record<string, unknown>): CaseStep[] {
  const steps: CaseStep[] = [];
  const firstAt = instant(data.firstContactAt);
  if (firstAt !== null) steps.push({ type: 'contact', actorId: str(data.firstContactActor) ?? str(data.actor), at: firstAt, channel: null, backdated: false });
  const details = Array.isArray(data.referralDetails) ? data.referralDetails as Record<string, unknown>[] : null;
  if (details) {
    for (const r of details) steps.push({ type: 'referral', from: str(r.from), to: str(r.to), kind: r.misrouted === true ? 'misrouted' : 'additional-need' });
  } else {
    for (let i = 0; i < (typeof data.referrals === 'number' ? data.referrals : 0); i++) steps.push({ type: 'referral', from: null, to: null, kind: null });
  }
  const rightAt = instant(data.rightActorContactAt);
  if (rightAt !== null) steps.push({ type: 'contact', actorId: str(data.rightActorContactActor), at: rightAt, channel: null, backdated: false });
  return steps;
}

/** One inquiry's facts for the statistics, from its row, its history and the extras (step 1 above). */
export function deriveFacts(record: CaseRecordRow, events: readonly EventLike[], extras: CaseExtras, atRiskMs: number): CaseFacts {
  const classification = typeof record.classification === 'string' ? JSON.parse(record.classification) as unknown : record.classification;
  let steps: CaseStep[] = [];
  let triaged = false;
  let triageReason: string | null = null;
  let jointWork = false;
  let outcome = outcomeCode(extras.outcome);
  let feedback = extras.feedback;
  for (const e of events) {
    if (e.type === 'sent-to-triage') {
      triaged = true;
      triageReason ??= triageReasonOf(e.data.reason, classification);
    } else if (e.type === 'imported') {
      steps = [...importedSteps(e.data), ...steps];
      if (e.data.triaged === true) {
        triaged = true;
        triageReason ??= str(e.data.triageReason) ?? 'unspecified';
      }
      outcome ??= outcomeCode(e.data.outcome);
      const help = str(e.data.gotHelp) ?? str(e.data.feedback);
      if (!feedback && help !== null) feedback = { help, rightActor: str(e.data.rightActorInTime) };
    } else if ((e.type === 'first-contact' || e.type === 'note-added') && Array.isArray(e.data.withActors) && e.data.withActors.length > 0) {
      jointWork = true;
    }
  }
  steps.push(...stepsOf(events));
  const { firstResponse, firstRightContact } = contactSummary(steps);
  const referralList: ReferralFact[] = steps.filter((s) => s.type === 'referral').map((s) => ({ from: s.from, to: s.to, kind: s.kind }));
  let contactChannels = 0;
  for (const s of steps) if (s.type === 'contact' && s.channel) contactChannels |= CONTACT_CHANNEL_BITS[s.channel] ?? 0;

  return {
    inquiryId: record.id,
    receivedAt: record.receivedAt,
    localDate: localDateOf(record.receivedAt),
    countyCode: record.countyCode,
    firstActorId: record.firstAssignedActorId,
    topTopicId: topTopicOf(classification),
    channel: record.channel,
    entryPoint: record.entryPoint,
    sizeBand: sizeBandOf(record.employees),
    triageReason: triaged ? triageReason ?? 'unspecified' : null,
    isTest: extras.isTest ? 1 : 0,
    companyId: extras.companyId,
    deadlineAt: record.deadlineAt,
    atRiskAt: atRiskFrom(record.deadlinePolicy as DeadlinePolicy, record.deadlineAt, record.receivedAt, atRiskMs),
    firstResponseAt: firstResponse?.at ?? null,
    firstContactAt: firstRightContact?.at ?? null,
    firstContactActorId: firstRightContact?.actorId ?? null,
    firstContactBackdated: firstRightContact?.backdated ? 1 : 0,
    closedAt: record.closedAt,
    outcome: record.closedAt === null ? null : outcome,
    referrals: referralList.length,
    referralsMisrouted: referralList.filter((r) => r.kind === 'misrouted').length,
    referralList: referralList.length > 0 ? referralList : null,
    triaged: triaged ? 1 : 0,
    jointWork: jointWork ? 1 : 0,
    contactChannels,
    feedbackRightActor: feedback?.rightActor && RIGHT_ACTOR.has(feedback.rightActor) ? feedback.rightActor : null,
    feedbackHelp: feedback && HELP.has(feedback.help) ? feedback.help : null,
    escalated: extras.escalated,
  };
}

const OUTCOME_COUNTS: Record<CloseOutcome, CellCount> = {
  helped: 'outcomeHelped', 'referred-outside': 'outcomeReferredOutside', 'no-reply': 'outcomeNoReply',
  duplicate: 'outcomeDuplicate', withdrawn: 'outcomeWithdrawn', spam: 'outcomeSpam',
};

/**
 * What one inquiry adds to a group's counts (step 2 above): the definitions of the additive figures.
 * Each inquiry is in exactly one of contactedInTime, contactedLate, open, closedWithoutContact, closedOverdue.
 */
export function figuresOf(f: CaseFacts): Record<CellCount, number> {
  const contacted = f.firstContactAt !== null; // a right-actor contact
  const closed = f.closedAt !== null;
  const offered = closed && f.channel !== 'import'; // the status link offers the questions once the case is closed
  const answered = f.feedbackHelp !== null;
  const counts = Object.fromEntries(CELL_COUNTS.map((c) => [c, 0])) as Record<CellCount, number>;
  counts.received = 1;
  counts.contactedInTime = +(contacted && f.firstContactAt! <= f.deadlineAt);
  counts.contactedLate = +(contacted && f.firstContactAt! > f.deadlineAt);
  counts.open = +(!contacted && !closed);
  counts.closedWithoutContact = +(!contacted && closed && f.closedAt! <= f.deadlineAt);
  counts.closedOverdue = +(!contacted && closed && f.closedAt! > f.deadlineAt);
  counts.firstResponseInTime = +(f.firstResponseAt !== null && f.firstResponseAt <= f.deadlineAt);
  counts.backdatedContacts = +(contacted && f.firstContactBackdated === 1);
  counts.referrals = f.referrals;
  counts.referralsMisrouted = f.referralsMisrouted;
  // The right actor was the one first assigned (nobody before it had to say "misrouted"); null = null for a
  // triage case the coordinator answered itself, as it always was counted.
  counts.rightFirst = +(contacted && f.firstContactActorId === f.firstActorId);
  counts.triaged = f.triaged;
  counts.jointWork = f.jointWork;
  counts.closed = +closed;
  if (f.outcome !== null && f.outcome in OUTCOME_COUNTS) counts[OUTCOME_COUNTS[f.outcome as CloseOutcome]] = 1;
  counts.feedbackOffered = +offered;
  counts.feedbackResponses = +answered;
  counts.feedbackFromOffered = +(offered && answered);
  counts.rightActorYes = +(f.feedbackRightActor === 'yes');
  counts.rightActorNo = +(f.feedbackRightActor === 'no');
  counts.rightActorUnsure = +(f.feedbackRightActor === 'unsure');
  counts.helpYes = +(f.feedbackHelp === 'yes');
  counts.helpPartly = +(f.feedbackHelp === 'partly');
  counts.helpNo = +(f.feedbackHelp === 'no');
  return counts;
}

/** Minutes from arrival to the right-actor contact (whole minutes, rounded down): the histogram's unit. */
export function delayMinutesOf(f: CaseFacts): number | null {
  return f.firstContactAt === null ? null : Math.floor((f.firstContactAt - f.receivedAt) / 60_000);
}

/** The value of a cell dimension for an inquiry ('' for none). */
export function dimensionOf(f: CaseFacts, d: CellDimension): string {
  switch (d) {
    case 'county': return f.countyCode ?? '';
    case 'actor': return f.firstActorId ?? '';
    case 'topic': return f.topTopicId ?? '';
    case 'channel': return f.channel;
    case 'entryPoint': return f.entryPoint ?? '';
    case 'sizeBand': return f.sizeBand;
    case 'triageReason': return f.triageReason ?? '';
  }
}

/** The cells an inquiry belongs to: one per grain. */
export function cellKeysOf(f: CaseFacts): CellKey[] {
  return GRAINS.map((g) => ({
    grain: g.id,
    localDate: f.localDate,
    dims: CELL_DIMENSIONS.map((d) => (g.dims.includes(d) ? dimensionOf(f, d) : '')),
    test: f.isTest,
  }));
}

interface PendingCell { key: CellKey; counts: Float64Array; delays: Map<number, number>; companies: Map<number, [number, number]> }

const sameFacts = (a: CaseFacts, b: CaseFacts) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The deltas of one write transaction, per cell, written once by `flush` (before the transaction commits).
 * An abandoned unit (the transaction failed) is simply dropped.
 */
class CellDeltas {
  private readonly cells = new Map<string, PendingCell>();

  add(f: CaseFacts, sign: 1 | -1): void {
    const figures = figuresOf(f);
    const delay = delayMinutesOf(f);
    for (const key of cellKeysOf(f)) {
      const id = `${key.grain}\u001f${key.localDate}\u001f${key.dims.join('\u001f')}\u001f${key.test}`;
      let cell = this.cells.get(id);
      if (!cell) this.cells.set(id, (cell = { key, counts: new Float64Array(CELL_COUNTS.length), delays: new Map(), companies: new Map() }));
      CELL_COUNTS.forEach((c, i) => { cell!.counts[i]! += sign * figures[c]; });
      if (delay !== null) cell.delays.set(delay, (cell.delays.get(delay) ?? 0) + sign);
      if (f.companyId !== null) {
        const entry = cell.companies.get(f.companyId) ?? [0, 0];
        entry[0] += sign;
        entry[1] += sign * +(f.outcome === 'helped');
        cell.companies.set(f.companyId, entry);
      }
    }
  }

  get size(): number {
    return this.cells.size;
  }

  flush(repository: ReturnType<typeof createStatsRepository>): void {
    const stale = new Set<string>();
    for (const { key, counts, delays, companies } of this.cells.values()) {
      if (counts.every((v) => v === 0) && [...delays.values()].every((v) => v === 0) && [...companies.values()].every(([a, b]) => a === 0 && b === 0)) continue;
      // The month's and the ISO week's roll-ups of this grain no longer hold: compaction makes them again.
      for (const period of ['m', 'w'] as const) stale.add(`${rollupGrain(key.grain, period)}\u001f${periodOf(key.localDate, period)}`);
      const stored = repository.getCell(key);
      const total = CELL_COUNTS.map((_, i) => (stored?.counts[i] ?? 0) + counts[i]!);
      const histogram = decodeHistogram(stored?.delays ?? null);
      for (const [minute, d] of delays) histogram.set(minute, (histogram.get(minute) ?? 0) + d);
      const multiset = decodeCompanies(stored?.companies ?? null);
      for (const [id, [cases, helped]] of companies) {
        const entry = multiset.get(id) ?? [0, 0];
        multiset.set(id, [entry[0] + cases, entry[1] + helped]);
      }
      // A negative count means the projection's bookkeeping is wrong: fail the transaction rather than store it.
      if (total.some((v) => v < 0) || [...histogram.values()].some((v) => v < 0) || [...multiset.values()].some(([a, b]) => a < 0 || b < 0 || b > a)) {
        throw new Error(`statistics projection: a cell would go negative (${key.grain} ${key.localDate} ${key.dims.join('/')})`);
      }
      const delaysBlob = encodeHistogram(histogram);
      const companiesBlob = encodeCompanies(multiset);
      if (total.every((v) => v === 0) && delaysBlob === null && companiesBlob === null) {
        if (stored) repository.deleteCell(key);
      } else {
        repository.putCell({ ...key, counts: total, delays: delaysBlob, companies: companiesBlob });
      }
    }
    for (const s of stale) {
      const [grain, period] = s.split('\u001f') as [string, string];
      repository.markStale(grain, period);
    }
    this.cells.clear();
  }
}

export interface ProjectionOptions { db: Db; atRiskMs: number; orgKeySecret: string }

/** A new inquiry as the write path has it in hand (row fields, and its organisation number). */
export type StoredInquiry = CaseRecordRow & { orgNumber: string | null };

export function createStatsProjection({ db, atRiskMs, orgKeySecret }: ProjectionOptions) {
  const repository = createStatsRepository(db);

  function companyIdOf(orgNumber: string | null): number | null {
    return orgNumber ? repository.companyIdFor(orgKeyOf(orgKeySecret, orgNumber)) : null;
  }

  /** A unit of work: the projection's share of one write transaction. */
  function unit() {
    const deltas = new CellDeltas();
    return {
      /**
       * A new inquiry (intake, registration, import) with the events just appended for it. Call it as the last
       * step of the inquiry's (save)point: it writes the facts row, then buffers the cells' deltas.
       */
      inquiryStored(inquiry: StoredInquiry, events: readonly EventLike[], extras: Partial<CaseExtras> = {}): void {
        const facts = deriveFacts(inquiry, events, {
          outcome: null, feedback: null, isTest: false, escalated: 0, companyId: companyIdOf(inquiry.orgNumber), ...extras,
        }, atRiskMs);
        repository.putFacts(facts);
        deltas.add(facts, 1);
      },
      /** Facts derived by the caller for an inquiry that has none yet (the rebuild). */
      factsDerived(facts: CaseFacts): void {
        repository.putFacts(facts);
        deltas.add(facts, 1);
      },
      /** An existing inquiry changed (case action, feedback, test registration…): derive its facts again, apply the difference. */
      caseChanged(inquiryId: string): void {
        const record = repository.caseRecord(inquiryId);
        if (!record) return;
        const before = repository.getFacts(inquiryId);
        const facts = deriveFacts(record, repository.events(inquiryId), {
          outcome: repository.outcome(inquiryId),
          feedback: repository.feedback(inquiryId) ?? null,
          isTest: repository.isTest(inquiryId),
          companyId: before ? before.companyId : companyIdOf(record.orgNumber),
          escalated: before?.escalated ?? 0,
        }, atRiskMs);
        if (before && sameFacts(before, facts)) return;
        repository.putFacts(facts);
        if (before) deltas.add(before, -1);
        deltas.add(facts, 1);
      },
      /** Writes the buffered deltas, each touched cell once. Call inside the transaction, before it commits. */
      flush(): void {
        deltas.flush(repository);
      },
    };
  }

  return {
    unit,
    companyIdOf,
    repository,
    atRiskMs,
    orgKeySecret,
    /**
     * A sole trader's personal data was erased: forget the keyed hash of the number, so that nothing derived from
     * the personnummer stays. The company id stays (the figures do not change); should the same person ask again,
     * the new inquiry counts as a new company.
     */
    personalDataErased(inquiryId: string): void {
      repository.forgetCompanyKeyOfSoleTrader(inquiryId);
    },
  };
}

export type StatsProjection = ReturnType<typeof createStatsProjection>;
export type ProjectionUnit = ReturnType<StatsProjection['unit']>;
