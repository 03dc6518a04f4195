import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Classifier, ROUTING_CLASSES, type RuleReading } from '../classification/classifier.js';
import { COMBINATION_TERMS, RULES_ONLY, termMatrix, weightVector } from '../classification/combine.js';
import { featuresOf } from '../classification/features.js';
import { loadKnowledge } from '../classification/knowledge.js';
import { calibrate, logit, OUT_OF_SCOPE, type CombinationWeights, type ModelAnalysis, type ModelFile } from '../classification/model.js';
import { lbfgs, predictProbabilities, trainLogistic, type LogisticModel, type TrainOptions } from '../classification/training.js';
import { readCorpus, reliabilityTable, type CorpusItem } from './evaluation.js';
import { Router } from './router.js';

/**
 * Makes the routing model file (`npm run train`): the learned layer's weights, and what
 * cross-validation on the development corpus fits around them:
 *
 * 1. the learned layer, trained on all but one fold at a time, scores the left-out fold;
 * 2. the weights that sum those scores with the rules (combine.ts) are fitted to make the right
 *    class probable on the left-out scores;
 * 3. the router's choice on each left-out item (after the constraints) gives a combined probability
 *    and whether it was right: a logistic (Platt) calibration maps one to the probability of the other;
 * 4. the triage threshold is the calibrated probability that minimises the stated cost over those
 *    items: a company sent to a wrong actor costs `costWrongActor`, an in-scope inquiry sent to triage
 *    costs `costTriage`, routing right costs nothing (out-of-scope inquiries belong in triage);
 * 5. the learned layer is trained once more on the whole development corpus: the committed weights.
 *
 * Only `tests/fixtures/corpus/dev.jsonl` is read: never the held-out or the fresh part.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TRAINING_FILES = ['tests/fixtures/corpus/dev.jsonl'];
const KNOWLEDGE_FILE = 'src/classification/knowledge/topics.json';
/** Bump when features.ts, combine.ts or this procedure change what training produces. */
const PROCEDURE_VERSION = 1;
const SCALE = 1000;

export interface RoutingTrainingOptions extends TrainOptions {
  folds: number;
  costWrongActor: number;
  costTriage: number;
}

export const TRAINING_OPTIONS: RoutingTrainingOptions = { minDf: 2, l2: 1e-4, iterations: 400, folds: 5, costWrongActor: 3, costTriage: 1 };

/** What the model file must have been made from: the training corpus, the routing knowledge, the options. */
export function trainingDigest(options = TRAINING_OPTIONS, root = ROOT): string {
  const h = createHash('sha256');
  h.update(`procedure ${PROCEDURE_VERSION}\n${JSON.stringify(options)}\n`);
  for (const file of [...TRAINING_FILES, KNOWLEDGE_FILE]) h.update(`${file}\n`).update(fs.readFileSync(path.join(root, file)));
  return h.digest('hex');
}

export function textOf(item: Pick<CorpusItem, 'subject' | 'message'>): string {
  return `${item.subject ?? ''}\n${item.message}`;
}

export function acceptableClasses(item: CorpusItem): string[] {
  return item.outOfScope ? [OUT_OF_SCOPE] : item.acceptableActors;
}

function softTarget(item: CorpusItem, classes: string[]): number[] {
  const acceptable = acceptableClasses(item).filter((c) => classes.includes(c));
  return classes.map((c) => (acceptable.includes(c) ? 1 / acceptable.length : 0));
}

export function foldOf(id: string, folds: number): number {
  return createHash('sha256').update(`routing-cv-v1:${id}`).digest().readUInt32BE(0) % folds;
}

export interface TrainingLog { (line: string): void }

export function trainRoutingModel(options = TRAINING_OPTIONS, log: TrainingLog = () => {}, root = ROOT, reuse: { outOfFold?: number[][]; final?: LogisticModel } = {}): ModelFile {
  const knowledge = loadKnowledge(path.join(root, KNOWLEDGE_FILE));
  const items = TRAINING_FILES.flatMap((f) => readCorpus(path.join(root, f)));
  const classes = ROUTING_CLASSES;
  const rules = new Classifier(knowledge, null);
  const readings = items.map((i) => rules.read(textOf(i)));
  const features = readings.map((r) => featuresOf(r.modelText));
  const targets = items.map((i) => softTarget(i, classes));

  // 1. Out-of-fold scores of the learned layer.
  const oof: number[][] = reuse.outOfFold ?? new Array(items.length);
  for (let f = 0; f < options.folds && !reuse.outOfFold; f++) {
    const train = items.map((_, i) => i).filter((i) => foldOf(items[i]!.id, options.folds) !== f);
    const held = items.map((_, i) => i).filter((i) => foldOf(items[i]!.id, options.folds) === f);
    const model = trainLogistic(train.map((i) => features[i]!), train.map((i) => targets[i]!), classes, options);
    const index = new Map(model.vocabulary.map((x, i) => [x, i]));
    for (const i of held) oof[i] = predictProbabilities(model, features[i]!, index).map((p) => Math.log(Math.max(p, 1e-12)));
    log(`fold ${f + 1}/${options.folds}: trained on ${train.length}, scored ${held.length}`);
  }

  reuse.outOfFold = oof;

  // 2. The combination of rules and model.
  const combination = fitCombination(rules, readings, oof, items, classes);
  log(`combination: ${JSON.stringify(combination)}`);

  // 3. Calibration of the router's choice.
  const router = new Router(knowledge, { actorsIn: () => new Set(classes), chambersFor: () => ['chamber'] });
  const choices = items.map((item, i) => {
    const classification = rules.combine(readings[i]!, analysisOf(oof[i]!), combination, null);
    const { options: ranked, addressed } = router.choose({ classification, countyCode: null, employees: item.employees ?? null, text: textOf(item), triageThreshold: 0 });
    const first = ranked[0]!;
    return { id: item.id, classId: first.id, p: first.probability, p2: ranked[1]?.probability ?? 0, addressed, correct: acceptableClasses(item).includes(first.id), inScope: !item.outOfScope };
  });
  const scored = choices.filter((c) => !c.addressed);
  const addressedChoices = choices.filter((c) => c.addressed);
  const calibration = {
    ...fitPlatt(scored.map((c) => [logit(c.p), logit(c.p + c.p2)]), scored.map((c) => (c.correct ? 1 : 0))),
    // The share right among addressed questions, with one right and one wrong added (Laplace), as few are.
    addressed: round((addressedChoices.filter((c) => c.correct).length + 1) / (addressedChoices.length + 2)),
  };
  log(`calibration: ${JSON.stringify(calibration)}`);

  // 4. The triage threshold by cost.
  const withConfidence = choices.map((c) => ({ ...c, confidence: c.addressed ? calibration.addressed : calibrate(calibration, c.p, c.p2) }));
  const { threshold, costs } = chooseThreshold(withConfidence, options);
  log(`triage threshold ${threshold} (cost per inquiry ${costs.at.toFixed(3)}; routing everything ${costs.never.toFixed(3)})`);

  // 5. The committed weights: trained on the whole development corpus.
  const final = reuse.final ?? trainLogistic(features, targets, classes, options);
  reuse.final = final;
  const K = classes.length;
  const weights: Record<string, number[]> = {};
  final.vocabulary.forEach((feature, row) => {
    const ws = Array.from(final.weights.subarray(row * K, row * K + K), (w) => Math.round(w * SCALE));
    if (ws.some((w) => w !== 0)) weights[feature] = ws;
  });
  log(`final model: ${final.vocabulary.length} features, ${Object.keys(weights).length} kept`);

  const routed = withConfidence.filter((c) => c.classId !== OUT_OF_SCOPE && c.confidence >= threshold);
  const inScope = withConfidence.filter((c) => c.inScope);
  return {
    $comment: 'Generated by `npm run train` (scripts/train-model.ts) from tests/fixtures/corpus/dev.jsonl and the routing knowledge. Do not edit: retrain. tests/routing/model.test.ts fails when this file no longer matches them.',
    format: 1,
    trainedOn: { files: TRAINING_FILES, items: items.length, sha256: trainingDigest(options, root) },
    options,
    classes,
    scale: SCALE,
    bias: Array.from(final.bias, (b) => Math.round(b * SCALE) / SCALE),
    features: weights,
    combination,
    calibration,
    triageThreshold: threshold,
    crossValidation: {
      items: items.length,
      folds: options.folds,
      correctBeforeThreshold: round(withConfidence.filter((c) => c.correct).length / items.length),
      routedCorrectly: round(withConfidence.filter((c) => (c.classId === OUT_OF_SCOPE || c.confidence >= threshold ? c.correct : false)).length / items.length),
      inScopeTriage: round(inScope.filter((c) => c.classId === OUT_OF_SCOPE || c.confidence < threshold).length / inScope.length),
      wrongActorShareOfRouted: round(routed.filter((c) => !c.correct).length / Math.max(1, routed.length)),
      costPerInquiry: round(costs.at),
      // Parts by their ids' prefix (part F's ids are p-…).
      routedCorrectlyByPart: Object.fromEntries([['a', 'a'], ['b', 'b'], ['c', 'c'], ['d', 'd'], ['e', 'e'], ['f', 'p']].map(([part, prefix]) => {
        const inPart = withConfidence.filter((c) => c.id.startsWith(`${prefix}-`));
        return [part, round(inPart.filter((c) => (c.classId === OUT_OF_SCOPE || c.confidence >= threshold) && c.correct).length / Math.max(1, inPart.length))];
      })),
      reliability: reliabilityTable(withConfidence.map((c) => ({ confidence: c.confidence, correct: c.correct }))),
    },
  };
}

/** An analysis carrying only log-probabilities (no explanation needed while fitting). */
function analysisOf(logProbabilities: number[]): ModelAnalysis {
  return { rows: [], sources: [], tokens: [], value: 0, logProbabilities };
}

/**
 * The combination weights that make an acceptable class probable on the out-of-fold scores:
 * minimises the mean of −log P(acceptable) (plus a small ridge towards the start), by L-BFGS with the
 * exact gradient. Uses combine.ts's own term matrix, so training and the service sum the same terms.
 */
export function fitCombination(rules: Classifier, readings: RuleReading[], oof: number[][], items: CorpusItem[], classes: string[]): CombinationWeights {
  const K = classes.length;
  const P = COMBINATION_TERMS.length;
  const rows = items.map((item, i) => ({
    x: termMatrix(classes, oof[i]!, rules.ruleFeaturesOf(readings[i]!)),
    acceptable: acceptableClasses(item).map((c) => classes.indexOf(c)).filter((k) => k >= 0),
  }));
  const ridge = 1e-3;
  const start = Float64Array.from(weightVector({ ...RULES_ONLY, model: 1 }));
  const f = (w: Float64Array, g: Float64Array) => {
    g.fill(0);
    let loss = 0;
    const e = new Float64Array(K);
    for (const { x, acceptable } of rows) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) { let s = 0; for (let j = 0; j < P; j++) s += w[j]! * x[k]![j]!; e[k] = s; if (s > max) max = s; }
      let all = 0; let acc = 0;
      for (let k = 0; k < K; k++) { e[k] = Math.exp(e[k]! - max); all += e[k]!; }
      for (const k of acceptable) acc += e[k]!;
      loss -= Math.log(acc / all);
      for (let k = 0; k < K; k++) {
        const coef = e[k]! / all - (acceptable.includes(k) ? e[k]! / acc : 0);
        for (let j = 0; j < P; j++) g[j]! += coef * x[k]![j]!;
      }
    }
    loss /= rows.length;
    for (let j = 0; j < P; j++) { g[j] = g[j]! / rows.length + 2 * ridge * (w[j]! - start[j]!); loss += ridge * (w[j]! - start[j]!) ** 2; }
    return loss;
  };
  const w = lbfgs(f, start, 300);
  return Object.fromEntries(COMBINATION_TERMS.map((name, j) => [name, round(w[j]!, 4)])) as CombinationWeights;
}

/**
 * Logistic (Platt) calibration on two inputs: P(right) = σ(a·x1 + c·x2 + b), with x1 = logit(p1) and
 * x2 = logit(p1 + p2), fitted by maximum likelihood.
 */
export function fitPlatt(x: [number, number][], y: number[]): { a: number; c: number; b: number } {
  const f = (w: Float64Array, g: Float64Array) => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < x.length; i++) {
      const [x1, x2] = x[i]!;
      const p = 1 / (1 + Math.exp(-(w[0]! * x1 + w[1]! * x2 + w[2]!)));
      const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
      loss -= y[i]! * Math.log(q) + (1 - y[i]!) * Math.log(1 - q);
      g[0]! += (p - y[i]!) * x1;
      g[1]! += (p - y[i]!) * x2;
      g[2]! += p - y[i]!;
    }
    for (let j = 0; j < 3; j++) g[j] = g[j]! / x.length;
    return loss / x.length;
  };
  const w = lbfgs(f, Float64Array.from([1, 0, 0]), 300);
  return { a: round(w[0]!, 4), c: round(w[1]!, 4), b: round(w[2]!, 4) };
}

interface Choice { classId: string; confidence: number; correct: boolean; inScope: boolean }

/** Cost of one decision at a threshold: a wrong actor, an in-scope inquiry in triage, or nothing. */
export function costOf(c: Choice, threshold: number, options: Pick<RoutingTrainingOptions, 'costWrongActor' | 'costTriage'>): number {
  const toTriage = c.classId === OUT_OF_SCOPE || c.confidence < threshold;
  if (toTriage) return c.inScope ? options.costTriage : 0;
  return c.correct ? 0 : options.costWrongActor;
}

/** The threshold (0.00–0.95) with the lowest total cost; the middle of the lowest run when several tie. */
export function chooseThreshold(choices: Choice[], options: Pick<RoutingTrainingOptions, 'costWrongActor' | 'costTriage'>) {
  const grid = Array.from({ length: 96 }, (_, i) => i / 100);
  const total = grid.map((t) => choices.reduce((s, c) => s + costOf(c, t, options), 0));
  const best = Math.min(...total);
  const firstBest = total.indexOf(best);
  let lastBest = firstBest;
  while (lastBest + 1 < total.length && total[lastBest + 1] === best) lastBest++;
  const threshold = grid[Math.floor((firstBest + lastBest) / 2)]!;
  return { threshold, costs: { at: best / choices.length, never: total[0]! / choices.length } };
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
