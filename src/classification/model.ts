import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ACTOR_WORD } from './features.js';

/**
 * The learned layer at run time: a multinomial logistic regression over the features of features.ts,
 * trained by `npm run train` (scripts/train-model.ts) on the labelled corpus and committed as data
 * (model/routing-model.json). Besides the weights, the file holds what training fitted by
 * cross-validation on the development corpus: how the model is combined with the rules, the
 * calibration that turns a score into the probability of being right, and the triage threshold chosen
 * by cost.
 *
 * Inference never builds n-gram strings: each feature is looked up by a 53-bit hash computed
 * incrementally over the characters, which keeps classification well under a millisecond.
 */

export const OUT_OF_SCOPE = 'out-of-scope';

/** The weight of each combination term (see combine.ts, where each is described). */
const combinationSchema = z.object({
  model: z.number(),
  rulePrimary: z.number(),
  ruleSecondary: z.number(),
  namedActor: z.number(),
  namedAlone: z.number(),
  outOfScope: z.number(),
  outOfScopeRaw: z.number(),
  outOfScopeBias: z.number(),
  eenOutsideEu: z.number(),
  businessSwedenInsideEu: z.number(),
});
export type CombinationWeights = z.infer<typeof combinationSchema>;

export const modelFileSchema = z.object({
  $comment: z.string(),
  format: z.literal(1),
  trainedOn: z.object({ files: z.array(z.string()), items: z.number(), sha256: z.string() }),
  options: z.object({ minDf: z.number(), l2: z.number(), iterations: z.number(), folds: z.number(), costWrongActor: z.number(), costTriage: z.number() }),
  classes: z.array(z.string()),
  /** Weights are stored as integers: weight × scale. */
  scale: z.number(),
  bias: z.array(z.number()),
  features: z.record(z.string(), z.array(z.number().int())),
  combination: combinationSchema,
  /**
   * P(right) = 1 / (1 + exp(-(a · logit(p1) + c · logit(p1 + p2) + b))) for the routed class's combined
   * probability p1 and the next class's p2 (two actors often serve one need together, so the mass
   * they split counts too); `addressed`: P(right) when a question addressed to one actor with no
   * clearer need goes to it.
   */
  calibration: z.object({ a: z.number(), c: z.number(), b: z.number(), addressed: z.number() }),
  triageThreshold: z.number().min(0).max(1),
  /** What cross-validation on the development corpus measured when the file was made (for reading). */
  crossValidation: z.record(z.string(), z.unknown()),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

const modelHeaderSchema = modelFileSchema.omit({ features: true });

/**
 * The model file, checked: zod for everything but the weights, and a plain loop for the tens of
 * thousands of weight rows (the same check, several times faster at start than zod on each row).
 */
export function parseModelFile(raw: unknown): ModelFile {
  const { features, ...header } = (raw ?? {}) as Record<string, unknown>;
  const parsed = modelHeaderSchema.parse(header);
  if (typeof features !== 'object' || features === null || Array.isArray(features)) throw new Error('routing model: `features` must be an object');
  const K = parsed.classes.length;
  for (const [feature, ws] of Object.entries(features as Record<string, unknown>)) {
    if (!Array.isArray(ws) || ws.length !== K || !ws.every((w) => Number.isInteger(w))) {
      throw new Error(`routing model: feature ${JSON.stringify(feature)} must have ${K} integer weights`);
    }
  }
  return { ...parsed, features: features as Record<string, number[]> };
}

export const MODEL_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model', 'routing-model.json');

/** One text as the model saw it: the vocabulary rows present, the word each came from, the scores. */
export interface ModelAnalysis {
  rows: number[];
  /** For each row, the word (or two words) of the text it came from. */
  words: string[];
  value: number;
  /** log P(class | text) for each class, in `classes` order. */
  logProbabilities: number[];
}

export interface WordEvidence { word: string; weight: number }

// FNV-1a over char codes, twice with different offsets, combined into a 53-bit integer key.
const FNV_PRIME = 0x01000193;
const OFFSET_A = 0x811c9dc5;
const OFFSET_B = 0x12345679;
const step = (h: number, c: number) => Math.imul(h ^ c, FNV_PRIME);
const keyOf = (a: number, b: number) => (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);

export function featureKey(feature: string): number {
  let a = OFFSET_A;
  let b = OFFSET_B;
  for (let i = 0; i < feature.length; i++) { const c = feature.charCodeAt(i); a = step(a, c); b = step(b, c); }
  return keyOf(a, b);
}

const W = 'w'.charCodeAt(0);
const B = 'b'.charCodeAt(0);
const C = 'c'.charCodeAt(0);
const EDGE = '_'.charCodeAt(0);
const MIN_CHAR = 3;
const MAX_CHAR = 5;

export class LearnedModel {
  readonly classes: string[];
  readonly combination: CombinationWeights;
  readonly calibration: Calibration;
  readonly triageThreshold: number;
  private readonly rowOf = new Map<number, number>();
  private readonly weights: Float64Array;
  private readonly bias: number[];
  private readonly K: number;
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(readonly file: ModelFile) {
    this.classes = file.classes;
    this.K = file.classes.length;
    this.combination = file.combination;
    this.calibration = file.calibration;
    this.triageThreshold = file.triageThreshold;
    this.bias = file.bias;
    const entries = Object.entries(file.features);
    this.weights = new Float64Array(entries.length * this.K);
    entries.forEach(([feature, ws], row) => {
      const key = featureKey(feature);
      if (this.rowOf.has(key)) throw new Error(`routing model: two features share a hash (${feature})`);
      this.rowOf.set(key, row);
      for (let k = 0; k < this.K; k++) this.weights[row * this.K + k] = (ws[k] ?? 0) / file.scale;
    });
    this.seen = new Uint32Array(entries.length);
  }

  static load(file = MODEL_FILE): LearnedModel {
    return new LearnedModel(parseModelFile(JSON.parse(fs.readFileSync(file, 'utf8'))));
  }

  /** The model's view of a model text (features.ts `modelText`). */
  analyse(text: string): ModelAnalysis {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) { this.seen.fill(0); this.generation = 1; }
    const rows: number[] = [];
    const words: string[] = [];
    const add = (key: number, word: string) => {
      const row = this.rowOf.get(key);
      if (row === undefined || this.seen[row] === this.generation) return;
      this.seen[row] = this.generation;
      rows.push(row);
      words.push(word);
    };
    const tokens = text.split(' ').filter((t) => t.length > 0);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      let a = step(OFFSET_A, W);
      let b = step(OFFSET_B, W);
      for (let j = 0; j < token.length; j++) { const c = token.charCodeAt(j); a = step(a, c); b = step(b, c); }
      add(keyOf(a, b), token);
      if (i + 1 < tokens.length) {
        const next = tokens[i + 1]!;
        a = step(OFFSET_A, B);
        b = step(OFFSET_B, B);
        for (let j = 0; j < token.length; j++) { const c = token.charCodeAt(j); a = step(a, c); b = step(b, c); }
        a = step(a, EDGE); b = step(b, EDGE);
        for (let j = 0; j < next.length; j++) { const c = next.charCodeAt(j); a = step(a, c); b = step(b, c); }
        add(keyOf(a, b), `${token} ${next}`);
      }
      // Character n-grams of "_token_".
      const length = token.length + 2;
      const at = (p: number) => (p === 0 || p === length - 1 ? EDGE : token.charCodeAt(p - 1));
      for (let s = 0; s + MIN_CHAR <= length; s++) {
        a = step(OFFSET_A, C);
        b = step(OFFSET_B, C);
        for (let n = 1; n <= MAX_CHAR && s + n <= length; n++) {
          const c = at(s + n - 1);
          a = step(a, c); b = step(b, c);
          if (n >= MIN_CHAR) add(keyOf(a, b), token);
        }
      }
    }
    const value = rows.length > 0 ? 1 / Math.sqrt(rows.length) : 0;
    const scores = this.bias.slice();
    for (const row of rows) {
      const base = row * this.K;
      for (let k = 0; k < this.K; k++) scores[k]! += this.weights[base + k]! * value;
    }
    return { rows, words, value, logProbabilities: logSoftmax(scores) };
  }

  /**
   * The words that pushed the text most towards a class against the others (weight above the mean of
   * the classes), strongest first; actor names are left out (they stand for no need), and so is every
   * word that is not a word of the training corpus (isCorpusWord).
   */
  strongestWords(analysis: ModelAnalysis, classId: string, count = 3): WordEvidence[] {
    const k = this.classes.indexOf(classId);
    if (k < 0) return [];
    const byWord = new Map<string, number>();
    analysis.rows.forEach((row, i) => {
      const base = row * this.K;
      let mean = 0;
      for (let j = 0; j < this.K; j++) mean += this.weights[base + j]!;
      mean /= this.K;
      const push = (this.weights[base + k]! - mean) * analysis.value;
      const word = analysis.words[i]!;
      byWord.set(word, (byWord.get(word) ?? 0) + push);
    });
    return [...byWord]
      .filter(([word, weight]) => weight > 0.05 && !word.split(' ').includes(ACTOR_WORD) && this.isCorpusWord(word))
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, count)
      .map(([word, weight]) => ({ word, weight: Math.round(weight * 100) / 100 }));
  }

  /**
   * Whether every word of `word` is a word of the training corpus (a whole-word feature, seen in at least
   * minDf labelled inquiries). The explanation is stored in the append-only history, which erasure does
   * not rewrite: it may name only the corpus's own words, never a word only this text has (a name, a
   * product, an address), even when its character n-grams pushed.
   */
  isCorpusWord(word: string): boolean {
    return word.split(' ').every((w) => this.rowOf.has(featureKey(`w${w}`)));
  }

  /** The probability of being right for a routed class of combined probability p1, the next class having p2. */
  calibrated(p1: number, p2: number): number {
    return calibrate(this.calibration, p1, p2);
  }
}

export interface Calibration { a: number; c: number; b: number; addressed: number }

export function calibrate(k: Pick<Calibration, 'a' | 'b' | 'c'>, p1: number, p2: number): number {
  return 1 / (1 + Math.exp(-(k.a * logit(p1) + k.c * logit(p1 + p2) + k.b)));
}

export function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(q / (1 - q));
}

export function logSoftmax(scores: number[]): number[] {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (const s of scores) sum += Math.exp(s - max);
  const log = max + Math.log(sum);
  return scores.map((s) => s - log);
}
