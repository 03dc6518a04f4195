import { localDateOf, startOfLocalDate, nextLocalDate } from '../deadlines/calendar.js';
import { ERASED } from '../privacy/schemas.js';
import type { InquiryForRouting, RoutingEventRow, RoutingRepository } from './repository.js';

/**
 * Routing learns from operations (issue 11). Every misrouted referral and every assignment of a triage
 * case by a coordinator is a person saying which actor an inquiry needed: a labelled example. This
 * module reads them from the inquiries' history (src/history), so it depends on no statistics table:
 *
 * - `routingOutcomes`: per inquiry, where routing sent it (an actor, or triage and why) and what people
 *   did about it (misrouted referrals, referrals for an additional need, the actor a triage case was
 *   assigned to);
 * - `routingStatistics`: routing quality in production per topic, actor and month (misrouted-referral
 *   rate, triage rate, reassignments from triage);
 * - `exportLabels`: the labelled examples as corpus lines for review (`npm run cli -- routing
 *   export-labels --since <date>`).
 *
 * A referral says why it was made (`kind`: `misrouted` or `additional-need`, CONTRACTS.md item 1). Rows
 * written before referrals had a kind are read as misrouted: before it, a referral was how a caseworker
 * sent back an inquiry that was not theirs.
 */

export type ReferralKind = 'misrouted' | 'additional-need';

export interface RoutingOutcome {
  inquiryId: string;
  /** Where routing sent it: an actor id, or null for triage. */
  routedTo: string | null;
  /** Triage: why (`out-of-scope`, `unclear`, `no-actor-in-county`). */
  triageReason: string | null;
  topicId: string | null;
  misroutedReferrals: RoutingEventRow[];
  additionalNeedReferrals: number;
  /** The first assignment of the case to an actor while it had none (a coordinator routing a triage case). */
  assignedFromTriage: RoutingEventRow | null;
}

export function referralKind(data: Record<string, unknown>): ReferralKind {
  return data.kind === 'additional-need' ? 'additional-need' : 'misrouted';
}

/** Folds the routing events (in history order) into one outcome per inquiry. */
export function routingOutcomes(events: RoutingEventRow[]): Map<string, RoutingOutcome> {
  const out = new Map<string, RoutingOutcome>();
  for (const e of events) {
    let o = out.get(e.inquiryId);
    if (!o) {
      o = { inquiryId: e.inquiryId, routedTo: null, triageReason: null, topicId: null, misroutedReferrals: [], additionalNeedReferrals: 0, assignedFromTriage: null };
      out.set(e.inquiryId, o);
    }
    if (e.type === 'routed') {
      o.routedTo = str(e.data.actorId);
      o.topicId = str(e.data.topicId);
    } else if (e.type === 'sent-to-triage') {
      o.triageReason = str(e.data.reason) ?? 'unclear';
      o.topicId = str(e.data.topicId);
    } else if (e.type === 'referred') {
      if (referralKind(e.data) === 'misrouted') o.misroutedReferrals.push(e);
      else o.additionalNeedReferrals++;
    } else if (e.type === 'assigned') {
      if (e.data.from == null && o.triageReason !== null && !o.assignedFromTriage) o.assignedFromTriage = e;
    }
  }
  return out;
}

export const ROUTING_GROUPS = ['topic', 'actor', 'month'] as const;
export type RoutingGroup = (typeof ROUTING_GROUPS)[number];

export interface RoutingFigures {
  /** Inquiries that arrived in the period. */
  received: number;
  /** Sent straight to an actor by routing. */
  routed: number;
  /** Sent to a county's triage queue, and why. */
  triaged: number;
  triagedOutOfScope: number;
  triagedUnclear: number;
  triagedNoActorInCounty: number;
  /** triaged / received; null when none arrived. */
  triageRate: number | null;
  /** Routed inquiries referred on at least once because they were misrouted. */
  misrouted: number;
  /** misrouted / routed: how often routing's actor was the wrong one; null when none was routed. */
  misroutedRate: number | null;
  /** Referrals for an additional need (routing was right; the company needed more). */
  additionalNeedReferrals: number;
  /** Triage cases a coordinator assigned to an actor. */
  assignedFromTriage: number;
  /** assignedFromTriage / triaged; null when none was triaged. */
  assignedFromTriageRate: number | null;
  /** To which actors triage cases were assigned (actor id → count), the needs routing did not see. */
  assignedFromTriageTo: Record<string, number>;
}

export interface RoutingStatisticsRow extends RoutingFigures { topic?: string | null; actor?: string | null; month?: string }

export interface RoutingStatistics {
  from: string;
  to: string;
  county: string | null;
  groupBy: RoutingGroup[];
  groups: RoutingStatisticsRow[];
  total: RoutingFigures;
}

export interface RoutingStatisticsQuery { from: string; to: string; groupBy: RoutingGroup[]; countyCode: string | null }

/**
 * Routing quality for the inquiries that arrived from `from` to `to` (Stockholm dates, both included),
 * in the counties of `scope` (null: all) and the county asked for.
 */
export function routingStatistics(repository: RoutingRepository, query: RoutingStatisticsQuery, scope: string[] | null): RoutingStatistics {
  const fromMs = startOfLocalDate(query.from);
  const toMs = startOfLocalDate(nextLocalDate(query.to));
  const counties = query.countyCode !== null ? [query.countyCode] : scope;
  const arrived = repository.inquiriesReceived(fromMs, toMs, counties);
  const outcomes = routingOutcomes(repository.eventsOfInquiriesReceived(fromMs, toMs, counties));
  const groups = new Map<string, { key: Omit<RoutingStatisticsRow, keyof RoutingFigures>; figures: RoutingFigures }>();
  const total = emptyFigures();
  for (const inquiry of arrived) {
    const o = outcomes.get(inquiry.id) ?? null;
    const key: Omit<RoutingStatisticsRow, keyof RoutingFigures> = {};
    if (query.groupBy.includes('topic')) key.topic = o?.topicId ?? null;
    if (query.groupBy.includes('actor')) key.actor = o?.routedTo ?? null;
    if (query.groupBy.includes('month')) key.month = localDateOf(inquiry.receivedAt).slice(0, 7);
    const id = JSON.stringify(query.groupBy.map((g) => key[g] ?? null));
    let g = groups.get(id);
    if (!g) { g = { key, figures: emptyFigures() }; groups.set(id, g); }
    count(g.figures, o);
    count(total, o);
  }
  const rows = [...groups.values()].map(({ key, figures }) => ({ ...key, ...withRates(figures) }));
  rows.sort((a, b) => compareKeys(a, b, query.groupBy));
  return { from: query.from, to: query.to, county: query.countyCode, groupBy: query.groupBy, groups: query.groupBy.length ? rows : [], total: withRates(total) };
}

function emptyFigures(): RoutingFigures {
  return {
    received: 0, routed: 0, triaged: 0, triagedOutOfScope: 0, triagedUnclear: 0, triagedNoActorInCounty: 0, triageRate: null,
    misrouted: 0, misroutedRate: null, additionalNeedReferrals: 0, assignedFromTriage: 0, assignedFromTriageRate: null, assignedFromTriageTo: {},
  };
}

function count(f: RoutingFigures, o: RoutingOutcome | null): void {
  f.received++;
  if (!o) return; // imported without a routing decision
  if (o.routedTo !== null) {
    f.routed++;
    if (o.misroutedReferrals.length > 0) f.misrouted++;
  } else if (o.triageReason !== null) {
    f.triaged++;
    if (o.triageReason === 'out-of-scope') f.triagedOutOfScope++;
    else if (o.triageReason === 'no-actor-in-county') f.triagedNoActorInCounty++;
    else f.triagedUnclear++;
    if (o.assignedFromTriage) {
      f.assignedFromTriage++;
      const to = str(o.assignedFromTriage.data.to) ?? 'unknown';
      f.assignedFromTriageTo[to] = (f.assignedFromTriageTo[to] ?? 0) + 1;
    }
  }
  f.additionalNeedReferrals += o.additionalNeedReferrals;
}

function withRates(f: RoutingFigures): RoutingFigures {
  const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
  return { ...f, triageRate: rate(f.triaged, f.received), misroutedRate: rate(f.misrouted, f.routed), assignedFromTriageRate: rate(f.assignedFromTriage, f.triaged) };
}

function compareKeys(a: RoutingStatisticsRow, b: RoutingStatisticsRow, groupBy: RoutingGroup[]): number {
  for (const g of groupBy) {
    const x = a[g] ?? '';
    const y = b[g] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** One labelled example, as a line of the routing corpus (tests/fixtures/corpus/README.md) plus where it came from. */
export interface LabelLine {
  id: string;
  language: 'sv' | 'en';
  subject?: string;
  message: string;
  employees?: number;
  acceptableActors: string[];
  outOfScope: false;
  county: string | null;
  tags: string[];
  label: {
    source: 'misrouted-referral' | 'triage-assignment';
    inquiry: string;
    /** Where routing had sent it: an actor, or `triage:<reason>`. */
    routedTo: string;
    /** The API key that labelled it (an id, never a name), its role, and the actor it works for when known. */
    labelledBy: string;
    labelledByRole: string | null;
    labellerActor: string | null;
    labelledAt: string;
  };
}

export interface LabelExport { lines: LabelLine[]; skippedErased: number }

/**
 * The labelled examples from history events at or after `sinceMs`: each misrouted referral (the actor
 * it was referred to is the label) and each first assignment of a triage case (the actor assigned).
 * The text is the inquiry's as it was, without contact details; erased inquiries are left out (their
 * text is gone) and counted.
 */
export function exportLabels(repository: RoutingRepository, sinceMs: number): LabelExport {
  const recent = repository.eventsSince(sinceMs).filter((e) => e.type === 'referred' || e.type === 'assigned');
  const ids = [...new Set(recent.map((e) => e.inquiryId))];
  const outcomes = routingOutcomes(repository.eventsOf(ids));
  const texts = new Map(repository.inquiries(ids).map((i) => [i.id, i]));
  const lines: LabelLine[] = [];
  let skippedErased = 0;
  for (const e of recent) {
    const o = outcomes.get(e.inquiryId);
    const inquiry = texts.get(e.inquiryId);
    if (!o || !inquiry) continue;
    let source: LabelLine['label']['source'];
    let labellerActor: string | null;
    if (e.type === 'referred' && referralKind(e.data) === 'misrouted') {
      source = 'misrouted-referral';
      labellerActor = str(e.data.from);
    } else if (e.type === 'assigned' && o.assignedFromTriage?.eventId === e.eventId) {
      source = 'triage-assignment';
      labellerActor = null;
    } else {
      continue;
    }
    if (inquiry.erasedAt !== null) { skippedErased++; continue; }
    const to = str(e.data.to);
    if (!to) continue;
    lines.push(labelLine(inquiry, e, o, source, to, labellerActor));
  }
  return { lines, skippedErased };
}

function labelLine(inquiry: InquiryForRouting, e: RoutingEventRow, o: RoutingOutcome, source: LabelLine['label']['source'], to: string, labellerActor: string | null): LabelLine {
  const clean = (text: string) => withoutContactDetails(text, [inquiry.contactName]);
  return {
    id: `ops-${inquiry.reference}-${e.eventId}`,
    language: inquiry.language === 'en' ? 'en' : 'sv',
    ...(inquiry.subject && inquiry.subject !== ERASED ? { subject: clean(inquiry.subject) } : {}),
    message: clean(inquiry.message),
    ...(inquiry.employees !== null ? { employees: inquiry.employees } : {}),
    acceptableActors: [corpusActor(to)],
    outOfScope: false,
    // The corpus labels the county the text reveals; only a county found in the text is that.
    county: inquiry.countySource === 'text' ? inquiry.countyCode : null,
    tags: ['operations', source, 'needs-review'],
    label: {
      source, inquiry: inquiry.reference,
      routedTo: o.routedTo ?? `triage:${o.triageReason ?? 'unclear'}`,
      labelledBy: e.by, labelledByRole: e.byRole, labellerActor, labelledAt: new Date(e.at).toISOString(),
    },
  };
}

/** The corpus names any chamber of commerce `chamber`. */
export function corpusActor(actorId: string): string {
  return actorId.startsWith('chamber') ? 'chamber' : actorId;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
/** Swedish and international phone numbers: +46…, 00…, 0… with at least 7 digits in all. */
const PHONE = /(?<![\p{L}\p{N}])(?:\+|00|0)\d[\d\s()-]{5,16}\d(?![\p{N}])/gu;
/** Personnummer, samordningsnummer and organisation numbers: (YY)YYMMDD-NNNN. */
const ID_NUMBER = /(?<![\p{N}])(?:\d{2})?\d{6}[-+]?\d{4}(?![\p{N}])/gu;
const URL = /\bhttps?:\/\/\S+/gu;

/**
 * The text without contact details: e-mail addresses, phone numbers, personal and organisation numbers,
 * links, and the names given (the contact's name, each part of it, wherever it appears).
 */
export function withoutContactDetails(text: string, names: string[] = []): string {
  let out = text.replace(EMAIL, '[e-post]').replace(URL, '[länk]').replace(ID_NUMBER, '[nummer]').replace(PHONE, '[telefon]');
  const parts = names.flatMap((n) => n.split(/\s+/)).map((p) => p.replace(/[^\p{L}-]/gu, '')).filter((p) => p.length >= 2 && p !== ERASED);
  for (const part of [...new Set(parts)].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\p{L}])${escapeRegExp(part)}(?![\\p{L}])`, 'giu'), '[namn]');
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
