/**
 * Routing quality: `npm run eval` prints the figures on every part of the labelled corpus with the
 * service's own routing (rules + learned layer + constraints, on a fresh migrated SQLite DB):
 *
 * - dev (tuning data: parts A/B minus held-out, C, D; the learned layer is trained on it),
 * - part C alone (written by another hand; tuning data since issue 10),
 * - held-out (191 items, reported, never tuned on),
 * - fresh (150 items written for issue 11 before any tuning, reported, never tuned on),
 * - fresh-2 (86 items written before the out-of-scope work of issue 11: out-of-scope questions that
 *   look in scope and in-scope near misses of them; reported, never tuned on),
 * - fresh-3 (130 items written by another hand for the last round of issue 11, without reading the corpus's
 *   test parts or the routing knowledge, before part F was trained on; reported, never tuned on),
 *
 * then the calibration: the reliability tables (how often a decision with a given confidence was
 * right) on held-out and fresh, and the cross-validated figures training recorded on dev, with the
 * triage threshold chosen by cost.
 *
 *   --errors        also list dev's errors (never the held-out or fresh ones: those parts are for reporting)
 *   --dev-only      only dev
 *   --file <jsonl>  evaluate one other corpus file (with --errors, its errors, unless it is a reporting part)
 *   --threshold x   another triage threshold (try it on dev, please)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, formatReliability, formatReport, readCorpus, type EvaluationReport } from '../src/routing/evaluation.js';
import { createEvaluationPipeline } from '../src/routing/evaluation-setup.js';
import { routingModel } from '../src/routing/plugin.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../tests/fixtures/corpus');
const REPORTING_ONLY = new Set(['heldout.jsonl', 'fresh.jsonl', 'fresh-2.jsonl', 'fresh-3.jsonl']);
const args = process.argv.slice(2);
const thresholdArg = args.indexOf('--threshold');
const triageThreshold = thresholdArg >= 0 ? Number(args[thresholdArg + 1]) : undefined;
const showErrors = args.includes('--errors');
const fileArg = args.indexOf('--file');
const file = fileArg >= 0 ? args[fileArg + 1] : undefined;
if (fileArg >= 0 && !file) throw new Error('--file needs a path');

const pipeline = createEvaluationPipeline(triageThreshold !== undefined ? { triageThreshold } : {});
try {
  const run = (f: string) => evaluate(readCorpus(f), pipeline.decide);
  const first = file ? path.resolve(file) : path.join(DIR, 'dev.jsonl');
  const firstReport = run(first);
  console.log(formatReport(file ? path.basename(first) : 'dev (tuning; the learned layer is trained on it)', firstReport));
  if (showErrors) {
    if (REPORTING_ONLY.has(path.basename(first))) console.log(`\n(${path.basename(first)} is for reporting only: its errors are not listed)`);
    else listErrors(first, firstReport);
  }
  if (!file && !args.includes('--dev-only')) {
    const partC = run(path.join(DIR, 'part-c.jsonl'));
    const heldout = run(path.join(DIR, 'heldout.jsonl'));
    const fresh = run(path.join(DIR, 'fresh.jsonl'));
    const fresh2 = run(path.join(DIR, 'fresh-2.jsonl'));
    const fresh3 = run(path.join(DIR, 'fresh-3.jsonl'));
    console.log('');
    console.log(formatReport('part C (tuning data since issue 10)', partC));
    console.log('');
    console.log(formatReport('held-out (reported, never tuned on)', heldout));
    console.log('');
    console.log(formatReport('fresh (issue 11: written before any tuning; reported, never tuned on)', fresh));
    console.log('');
    console.log(formatReport('fresh-2 (issue 11, out of scope: look-alikes and near misses, written before that tuning; reported, never tuned on)', fresh2));
    console.log('');
    console.log(formatReport('fresh-3 (issue 11, another hand, written before part F; reported, never tuned on)', fresh3));
    console.log('');
    console.log(formatReliability('held-out', heldout.reliability));
    console.log('');
    console.log(formatReliability('fresh', fresh.reliability));
    console.log('');
    printModel(triageThreshold);
    console.log('');
    console.log('summary                        routed right   out-of-scope recall (precision)   in-scope triage   county');
    for (const [name, r] of [['dev', firstReport], ['part C', partC], ['held-out', heldout], ['fresh', fresh], ['fresh-2', fresh2], ['fresh-3', fresh3]] as const) {
      const recall = `${pctOf(r.outOfScopeRecall)} (${r.outOfScopePrecision === null ? '–' : pctOf(r.outOfScopePrecision)})`;
      console.log(`${name.padEnd(30)} ${pctOf(r.accuracy).padStart(12)}   ${recall.padStart(31)}   ${pctOf(r.triageRate).padStart(15)}   ${pctOf(r.countyAccuracy).padStart(6)}`);
    }
  }
} finally {
  pipeline.close();
}

function pctOf(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function printModel(threshold: number | undefined) {
  const model = routingModel();
  const f = model.file;
  const cv = f.crossValidation as Record<string, unknown>;
  console.log(`routing model: ${Object.keys(f.features).length} n-gram features × ${f.classes.length} classes, trained on ${f.trainedOn.items} dev inquiries`);
  console.log(`combination: ${JSON.stringify(f.combination)}`);
  console.log(`calibration: P(right) = σ(${f.calibration.a} · logit(p1) + ${f.calibration.c} · logit(p1 + p2) + ${f.calibration.b}), p1 the routed class's probability and p2 the next one's; ${f.calibration.addressed} for a question addressed to one actor`);
  console.log(`triage threshold ${threshold ?? f.triageThreshold}${threshold === undefined ? '' : ` (given; training chose ${f.triageThreshold})`}: chosen by cost on cross-validated dev, ` +
    `a wrong actor costing ${f.options.costWrongActor} and an in-scope inquiry in triage ${f.options.costTriage} (route when P(right) ≥ ${f.triageThreshold})`);
  console.log(`cross-validated on dev (${f.options.folds} folds): ${JSON.stringify({ ...cv, reliability: undefined })}`);
  console.log(formatReliability('dev, cross-validated', cv.reliability as Parameters<typeof formatReliability>[1]));
}

function listErrors(f: string, report: EvaluationReport) {
  const items = new Map(readCorpus(f).map((i) => [i.id, i]));
  console.log(`\n${path.basename(f)} errors:`);
  for (const r of report.results) {
    const item = items.get(r.id)!;
    if (!r.correct) {
      console.log(`- ${r.id} expected ${r.acceptable.join('|') || 'out-of-scope'} got ${r.assigned}: ${r.decision.explanation}`);
      console.log(`    ${(item.subject ? item.subject + ' | ' : '') + item.message.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    if (r.expectedCounty !== r.detectedCounty) {
      console.log(`- ${r.id} county expected ${r.expectedCounty} got ${r.detectedCounty}: ${item.message.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
  }
}
