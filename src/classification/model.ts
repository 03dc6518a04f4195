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
 * Inference never builds n-gram strings: each feature is looked up by two 32-bit hashes computed
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

/** One text as the model saw it: the vocabulary rows present, where each came from, the scores. */
export interface ModelAnalysis {
  rows: number[];
  /**
   * For each row, the word it came from: 2 × token index, plus 1 for the two words starting there.
   * Numbers rather than strings, so reading a text builds no string for n-grams the explanation never shows.
   */
  sources: number[];
  /** The words of the model text. */
  tokens: string[];
  value: number;
  /** log P(class | text) for each class, in `classes` order. */
  logProbabilities: number[];
}

export interface WordEvidence { word: string; weight: number }

// FNV-1a over char codes, twice with different offsets: a feature is known by the pair of 32-bit hashes.
const FNV_PRIME = 0x01000193;
const OFFSET_A = 0x811c9dc5;
const OFFSET_B = 0x12345679;
const step = (h: number, c: number) => Math.imul(h ^ c, FNV_PRIME);

const W = 'w'.charCodeAt(0);
const B = 'b'.charCodeAt(0);
const C = 'c'.charCodeAt(0);
const EDGE = '_'.charCodeAt(0);
const MIN_CHAR = 3;
const MAX_CHAR = 5;
const EMPTY = -1;

export class LearnedModel {
  readonly classes: string[];
  readonly combination: CombinationWeights;
  readonly calibration: Calibration;
  readonly triageThreshold: number;
  /**
   * The vocabulary as an open-addressing hash table over the two hashes, in typed arrays: a look-up
   * allocates nothing (a Map keyed by a 53-bit number boxed every key), which keeps the p99 of
   * classification under a millisecond on long texts.
   */
  private readonly slotA: Int32Array;
  private readonly slotB: Int32Array;
  private readonly slotRow: Int32Array;
  private readonly mask: number;
  private readonly weights: Float64Array;
  /** Each row's mean weight over the classes (the explanation weighs a class against it). */
  private readonly rowMean: Float64Array;
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
    let size = 1;
    while (size < entries.length * 2) size *= 2;
    this.mask = size - 1;
    this.slotA = new Int32Array(size);
    this.slotB = new Int32Array(size);
    this.slotRow = new Int32Array(size).fill(EMPTY);
    this.weights = new Float64Array(entries.length * this.K);
    this.rowMean = new Float64Array(entries.length);
    entries.forEach(([feature, ws], row) => {
      let a = OFFSET_A;
      let b = OFFSET_B;
      for (let i = 0; i < feature.length; i++) { const c = feature.charCodeAt(i); a = step(a, c); b = step(b, c); }
      let slot = a & this.mask;
      while (this.slotRow[slot] !== EMPTY) {
        if (this.slotA[slot] === a && this.slotB[slot] === b) throw new Error(`routing model: two features share a hash (${feature})`);
        slot = (slot + 1) & this.mask;
      }
      this.slotA[slot] = a;
      this.slotB[slot] = b;
      this.slotRow[slot] = row;
      let sum = 0;
      for (let k = 0; k < this.K; k++) {
        const w = (ws[k] ?? 0) / file.scale;
        this.weights[row * this.K + k] = w;
        sum += w;
      }
      this.rowMean[row] = sum / this.K;
    });
    this.seen = new Uint32Array(entries.length);
  }

  static load(file = MODEL_FILE): LearnedModel {
    return new LearnedModel(parseModelFile(JSON.parse(fs.readFileSync(file, 'utf8'))));
  }

  /** The vocabulary row of the feature hashed to (a, b), or EMPTY. */
  private rowAt(a: number, b: number): number {
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      const row = this.slotRow[slot]!;
      if (row === EMPTY || (this.slotA[slot] === a && this.slotB[slot] === b)) return row;
    }
  }

  /** The model's view of a model text (features.ts `modelText`). */
  analyse(text: string): ModelAnalysis {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) { this.seen.fill(0); this.generation = 1; }
    const rows: number[] = [];
    const sources: number[] = [];
    const add = (a: number, b: number, source: number) => {
      const row = this.rowAt(a, b);
      if (row === EMPTY || this.seen[row] === this.generation) return;
      this.seen[row] = this.generation;
      rows.push(row);
      sources.push(source);
    };
    const tokens = text.split(' ').filter((t) => t.length > 0);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      let a = step(OFFSET_A, W);
      let b = step(OFFSET_B, W);
      for (let j = 0; j < token.length; j++) { const c = token.charCodeAt(j); a = step(a, c); b = step(b, c); }
      add(a, b, 2 * i);
      if (i + 1 < tokens.length) {
        const next = tokens[i + 1]!;
        a = step(OFFSET_A, B);
        b = step(OFFSET_B, B);
        for (let j = 0; j < token.length; j++) { const c = token.charCodeAt(j); a = step(a, c); b = step(b, c); }
        a = step(a, EDGE); b = step(b, EDGE);
        for (let j = 0; j < next.length; j++) { const c = next.charCodeAt(j); a = step(a, c); b = step(b, c); }
        add(a, b, 2 * i + 1);
      }
      // Character n-grams of "_token_".
      const length = token.length + 2;
      for (let s = 0; s + MIN_CHAR <= length; s++) {
        a = step(OFFSET_A, C);
        b = step(OFFSET_B, C);
        for (let n = 1; n <= MAX_CHAR && s + n <= length; n++) {
          const p = s + n - 1;
          const c = p === 0 || p === length - 1 ? EDGE : token.charCodeAt(p - 1);
          a = step(a, c); b = step(b, c);
          if (n >= MIN_CHAR) add(a, b, 2 * i);
        }
      }
    }
    const value = rows.length > 0 ? 1 / Math.sqrt(rows.length) : 0;
    const scores = this.bias.slice();
    for (const row of rows) {
      const base = row * this.K;
      for (let k = 0; k < this.K; k++) scores[k]! += this.weights[base + k]! * value;
    }
    return { rows, sources, tokens, value, logProbabilities: logSoftmax(scores) };
  }

  /**
   * For each class asked, the words that pushed the text most towards it against the others (weight
   * above the mean of the classes), strongest first; actor names are left out (they stand for no need),
   * and so is every word that is not a word of the training corpus (isCorpusWord). A word found at
   * several places counts once, its pushes summed.
   */
  strongestWords(analysis: ModelAnalysis, classIds: string[], count = 3): WordEvidence[][] {
    // The word of each row, as an index into `words`, worked out once for every class asked.
    const index = new Map<string, number>();
    const words: string[] = [];
    const wordOfRow = new Int32Array(analysis.rows.length);
    analysis.sources.forEach((source, i) => {
      const at = source >> 1;
      const word = source & 1 ? `${analysis.tokens[at]!} ${analysis.tokens[at + 1]!}` : analysis.tokens[at]!;
      let w = index.get(word);
      if (w === undefined) { w = words.length; words.push(word); index.set(word, w); }
      wordOfRow[i] = w;
    });
    return classIds.map((classId) => {
      const k = this.classes.indexOf(classId);
      if (k < 0) return [];
      const pushes = new Float64Array(words.length);
      analysis.rows.forEach((row, i) => { pushes[wordOfRow[i]!]! += (this.weights[row * this.K + k]! - this.rowMean[row]!) * analysis.value; });
      const candidates: number[] = [];
      pushes.forEach((push, w) => { if (push > 0.05) candidates.push(w); });
      candidates.sort((x, y) => pushes[y]! - pushes[x]! || (words[x]! < words[y]! ? -1 : 1));
      const evidence: WordEvidence[] = [];
      for (const w of candidates) {
        if (evidence.length === count) break;
        const word = words[w]!;
        if (word.split(' ').includes(ACTOR_WORD) || !this.isCorpusWord(word)) continue;
        evidence.push({ word, weight: Math.round(pushes[w]! * 100) / 100 });
      }
      return evidence;
    });
  }

  /**
   * Whether every word of `word` is a word of the training corpus (a whole-word feature, seen in at least
   * minDf labelled inquiries). The explanation is stored in the append-only history, which erasure does
   * not rewrite: it may name only the corpus's own words, never a word only this text has (a name, a
   * product, an address), even when its character n-grams pushed.
   */
  isCorpusWord(word: string): boolean {
    return word.split(' ').every((w) => {
      let a = step(OFFSET_A, W);
      let b = step(OFFSET_B, W);
      for (let j = 0; j < w.length; j++) { const c = w.charCodeAt(j); a = step(a, c); b = step(b, c); }
      return this.rowAt(a, b) !== EMPTY;
    });
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
