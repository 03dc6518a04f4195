import fs from 'node:fs';
import { z } from 'zod';
import type { RoutingDecision } from './router.js';

/**
 * Routing quality on a labelled corpus (tests/fixtures/corpus). Pure: it is given the same `decide`
 * that intake and the preview use (location + classification + routing, nothing stored) and the corpus items, and
 * returns the figures; formatReport() prints them. Definitions:
 *
 * - routed correctly: an in-scope item assigned to one of its acceptable actors (any chamber actor
 *   counts for `chamber`); an out-of-scope item sent to triage with reason `out-of-scope`. An in-scope
 *   item sent to triage is not routed correctly.
 * - triage rate: in-scope items sent to triage / in-scope items (out-of-scope items belong in triage,
 *   so they are not counted against it); the overall triage share is printed too.
 * - per actor: precision = assigned to the actor and acceptable / assigned to the actor;
 *   recall = items whose first acceptable actor is the actor that were routed to an acceptable actor
 *   / items whose first acceptable actor is the actor.
 * - county accuracy: on items labelled with a county (the text names an unambiguous place), the share
 *   whose detected county is that county; false-county rate: items labelled null given a county.
 * - confusion matrix: expected first acceptable actor (or out-of-scope) × assigned actor or triage.
 */

export const corpusItemSchema = z.object({
  id: z.string(),
  language: z.enum(['sv', 'en']),
  subject: z.string().optional(),
  message: z.string(),
  employees: z.number().optional(),
  acceptableActors: z.array(z.string()),
  outOfScope: z.boolean(),
  county: z.string().nullable(),
  tags: z.array(z.string()).default([]),
});
export type CorpusItem = z.infer<typeof corpusItemSchema>;

export function readCorpus(file: string): CorpusItem[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => corpusItemSchema.parse(JSON.parse(l)));
}

export interface DecideInput { subject?: string; message: string; employees?: number }
export interface DecideOutput { countyCode: string | null; decision: RoutingDecision }
export type Decide = (input: DecideInput) => DecideOutput;

export interface ItemResult {
  id: string;
  expected: string; // first acceptable actor, or 'out-of-scope'
  acceptable: string[];
  assigned: string; // normalised actor id, 'triage:out-of-scope' or 'triage:unclear'
  correct: boolean;
  expectedCounty: string | null;
  detectedCounty: string | null;
  decision: RoutingDecision;
}

export interface ActorFigures { actor: string; assigned: number; precision: number | null; expected: number; recall: number | null }

export interface ReliabilityBin { from: number; to: number; n: number; meanConfidence: number | null; rightShare: number | null }

/** Calibration in ten bins of confidence: how often the decision was right against how sure it was. */
export function reliabilityTable(rows: { confidence: number; correct: boolean }[]): ReliabilityBin[] {
  return Array.from({ length: 10 }, (_, b) => {
    const from = b / 10;
    const to = (b + 1) / 10;
    const inBin = rows.filter((r) => r.confidence >= from && (b === 9 ? r.confidence <= to : r.confidence < to));
    const n = inBin.length;
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      from, to, n,
      meanConfidence: n ? r3(inBin.reduce((s, r) => s + r.confidence, 0) / n) : null,
      rightShare: n ? r3(inBin.filter((r) => r.correct).length / n) : null,
    };
  });
}

/** Expected calibration error: the mean gap between confidence and the right share, weighted by bin size. */
export function calibrationError(bins: ReliabilityBin[]): number {
  const n = bins.reduce((s, b) => s + b.n, 0);
  return n === 0 ? 0 : bins.reduce((s, b) => s + (b.n ? b.n * Math.abs(b.meanConfidence! - b.rightShare!) : 0), 0) / n;
}

export interface EvaluationReport {
  items: number;
  inScope: number;
  outOfScope: number;
  correct: number;
  accuracy: number;
  outOfScopeRecall: number;
  outOfScopePrecision: number | null;
  triageRate: number; // in-scope items sent to triage / in-scope items
  triageShareAll: number;
  countyNamed: number;
  countyAccuracy: number;
  countyNull: number;
  falseCountyRate: number;
  perActor: ActorFigures[];
  confusion: { rows: string[]; columns: string[]; counts: number[][] };
  /**
   * Whether the class the router chose was right, against its calibrated confidence, for every item
   * (routed or not): the decision's `confidence` is the probability of being right.
   */
  reliability: ReliabilityBin[];
  results: ItemResult[];
}

const OOS = 'out-of-scope';
const TRIAGE_OOS = 'triage:out-of-scope';
const TRIAGE_OTHER = 'triage:unclear';

/** chamber-stockholm → chamber: the corpus labels any chamber as `chamber`. */
export function normaliseActor(id: string): string {
  return id.startsWith('chamber-') ? 'chamber' : id;
}

export function evaluate(items: CorpusItem[], decide: Decide): EvaluationReport {
  const results: ItemResult[] = items.map((item) => {
    const input: DecideInput = { message: item.message };
    if (item.subject !== undefined) input.subject = item.subject;
    if (item.employees !== undefined) input.employees = item.employees;
    const { countyCode, decision } = decide(input);
    const assigned = decision.status === 'assigned' && decision.assignedActorId
      ? normaliseActor(decision.assignedActorId)
      : decision.triageReason === 'out-of-scope' ? TRIAGE_OOS : TRIAGE_OTHER;
    const correct = item.outOfScope ? assigned === TRIAGE_OOS : item.acceptableActors.includes(assigned);
    return {
      id: item.id,
      expected: item.outOfScope ? OOS : item.acceptableActors[0] ?? OOS,
      acceptable: item.acceptableActors,
      assigned,
      correct,
      expectedCounty: item.county,
      detectedCounty: countyCode,
      decision,
    };
  });

  const inScope = results.filter((r) => r.expected !== OOS);
  const oos = results.filter((r) => r.expected === OOS);
  const named = results.filter((r) => r.expectedCounty !== null);
  const unnamed = results.filter((r) => r.expectedCounty === null);
  const sentToOos = results.filter((r) => r.assigned === TRIAGE_OOS);

  const actors = [...new Set([...results.map((r) => r.expected), ...results.map((r) => r.assigned)])]
    .filter((a) => a !== OOS && !a.startsWith('triage:'))
    .sort();
  const perActor = actors.map((actor) => {
    const assignedTo = results.filter((r) => r.assigned === actor);
    const expectedHere = results.filter((r) => r.expected === actor);
    return {
      actor,
      assigned: assignedTo.length,
      precision: ratioOrNull(assignedTo.filter((r) => r.acceptable.includes(actor)).length, assignedTo.length),
      expected: expectedHere.length,
      recall: ratioOrNull(expectedHere.filter((r) => r.correct).length, expectedHere.length),
    };
  });

  const rows = [...actors.filter((a) => results.some((r) => r.expected === a)), OOS];
  const columns = [...actors.filter((a) => results.some((r) => r.assigned === a)), TRIAGE_OOS, TRIAGE_OTHER];
  const counts = rows.map((row) => columns.map((col) => results.filter((r) => r.expected === row && r.assigned === col).length));

  return {
    items: results.length,
    inScope: inScope.length,
    outOfScope: oos.length,
    correct: results.filter((r) => r.correct).length,
    accuracy: ratio(results.filter((r) => r.correct).length, results.length),
    outOfScopeRecall: ratio(oos.filter((r) => r.correct).length, oos.length),
    outOfScopePrecision: ratioOrNull(sentToOos.filter((r) => r.expected === OOS).length, sentToOos.length),
    triageRate: ratio(inScope.filter((r) => r.assigned.startsWith('triage:')).length, inScope.length),
    triageShareAll: ratio(results.filter((r) => r.assigned.startsWith('triage:')).length, results.length),
    countyNamed: named.length,
    countyAccuracy: ratio(named.filter((r) => r.detectedCounty === r.expectedCounty).length, named.length),
    countyNull: unnamed.length,
    falseCountyRate: ratio(unnamed.filter((r) => r.detectedCounty !== null).length, unnamed.length),
    perActor,
    confusion: { rows, columns, counts },
    reliability: reliabilityTable(results.map((r) => ({ confidence: r.decision.confidence, correct: r.correct || (r.assigned === TRIAGE_OTHER && firstCandidateRight(r)) }))),
    results,
  };
}

/** A triage for being unsure still names its most likely actor first: was that one right? */
function firstCandidateRight(r: ItemResult): boolean {
  const first = r.decision.alternatives[0];
  return first !== undefined && r.acceptable.includes(normaliseActor(first));
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}
function ratioOrNull(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

const pct = (x: number | null) => (x === null ? '   –  ' : `${(x * 100).toFixed(1).padStart(5)} %`);

/** The report as printed by `npm run eval`. */
export function formatReport(title: string, r: EvaluationReport): string {
  const lines: string[] = [];
  lines.push(`== ${title}: ${r.items} inquiries (${r.inScope} in scope, ${r.outOfScope} out of scope) ==`);
  lines.push(`routed to a correct actor   ${pct(r.accuracy)}  (${r.correct}/${r.items})`);
  lines.push(`out-of-scope recall         ${pct(r.outOfScopeRecall)}  (precision ${pct(r.outOfScopePrecision).trim()})`);
  lines.push(`triage rate (in scope)      ${pct(r.triageRate)}  (all items sent to triage: ${pct(r.triageShareAll).trim()})`);
  lines.push(`county correct (place named) ${pct(r.countyAccuracy)}  (n=${r.countyNamed})`);
  lines.push(`false county (label null)   ${pct(r.falseCountyRate)}  (n=${r.countyNull})`);
  lines.push('');
  lines.push('actor              assigned  precision  expected  recall');
  for (const a of r.perActor) {
    lines.push(`${a.actor.padEnd(18)} ${String(a.assigned).padStart(8)}  ${pct(a.precision)}  ${String(a.expected).padStart(8)}  ${pct(a.recall)}`);
  }
  lines.push('');
  lines.push('confusion (rows: expected first acceptable actor; columns: assigned)');
  const short = (s: string) => s.replace('triage:out-of-scope', 'T:oos').replace('triage:unclear', 'T:other').replace('business-sweden', 'bus-swe').replace('tillvaxtverket', 'tillvx');
  const width = 8;
  lines.push(`${''.padEnd(16)}${r.confusion.columns.map((c) => short(c).padStart(width)).join('')}`);
  r.confusion.rows.forEach((row, i) => {
    lines.push(`${short(row).padEnd(16)}${r.confusion.counts[i]!.map((n) => String(n || '.').padStart(width)).join('')}`);
  });
  return lines.join('\n');
}

/** The reliability table as printed by `npm run eval`. */
export function formatReliability(title: string, bins: ReliabilityBin[]): string {
  const lines = [`reliability (${title}): confidence of the decision against how often its actor (or out-of-scope) was right`];
  lines.push('confidence      n   mean conf.  right');
  for (const b of bins) {
    if (!b.n) continue;
    lines.push(`${b.from.toFixed(1)}–${b.to.toFixed(1)}   ${String(b.n).padStart(5)}   ${pct(b.meanConfidence)}   ${pct(b.rightShare)}`);
  }
  lines.push(`expected calibration error ${(calibrationError(bins) * 100).toFixed(1)} points`);
  return lines.join('\n');
}
