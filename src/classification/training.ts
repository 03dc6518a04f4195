/**
 * Training of the learned layer: multinomial logistic regression over the features of features.ts,
 * fitted by L-BFGS with a fixed iteration budget. Deterministic: documents, features and classes are
 * visited in a fixed order and nothing is random, so the same corpus gives the same weights on any
 * machine (up to the last bits of Math.exp, which the committed-weights test tolerates).
 *
 * Used by `npm run train` (scripts/train-model.ts) and by the test that checks the committed weights;
 * never at run time.
 */

export interface SparseDoc { index: Int32Array; value: number }

export interface LogisticModel {
  classes: string[];
  vocabulary: string[];
  /** vocabulary.length × classes.length, row-major. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface TrainOptions {
  /** A feature must occur in this many training documents to be learned. */
  minDf: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  iterations: number;
}

/** Learns the vocabulary (features in at least minDf documents), sorted so its order never depends on the corpus order. */
export function buildVocabulary(docs: string[][], minDf: number): string[] {
  const df = new Map<string, number>();
  for (const doc of docs) for (const f of doc) df.set(f, (df.get(f) ?? 0) + 1);
  return [...df].filter(([, n]) => n >= minDf).map(([f]) => f).sort();
}

/** A document as sorted vocabulary indexes with one value each: binary features scaled to unit length. */
export function vectorise(features: string[], index: ReadonlyMap<string, number>): SparseDoc {
  const ids: number[] = [];
  for (const f of features) {
    const i = index.get(f);
    if (i !== undefined) ids.push(i);
  }
  ids.sort((a, b) => a - b);
  return { index: Int32Array.from(ids), value: ids.length > 0 ? 1 / Math.sqrt(ids.length) : 0 };
}

/**
 * Fits the model to soft targets (each row sums to 1: an item with two acceptable actors is half each).
 */
export function trainLogistic(docs: string[][], targets: number[][], classes: string[], options: TrainOptions): LogisticModel {
  const vocabulary = buildVocabulary(docs, options.minDf);
  const index = new Map(vocabulary.map((f, i) => [f, i]));
  const vectors = docs.map((d) => vectorise(d, index));
  const K = classes.length;
  const V = vocabulary.length;
  const n = vectors.length;
  const size = V * K + K;
  const y = targets.map((t) => Float64Array.from(t));

  const scores = new Float64Array(K);
  const lossAndGradient = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const biasAt = V * K;
    for (let d = 0; d < n; d++) {
      const { index: ix, value } = vectors[d]!;
      for (let k = 0; k < K; k++) scores[k] = theta[biasAt + k]!;
      for (let j = 0; j < ix.length; j++) {
        const row = ix[j]! * K;
        for (let k = 0; k < K; k++) scores[k]! += theta[row + k]! * value;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (scores[k]! > max) max = scores[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) { scores[k] = Math.exp(scores[k]! - max); sum += scores[k]!; }
      const target = y[d]!;
      for (let k = 0; k < K; k++) {
        const p = scores[k]! / sum;
        if (target[k]! > 0) loss -= target[k]! * Math.log(Math.max(p, 1e-300));
        scores[k] = (p - target[k]!) / n; // now the gradient of the scores
      }
      for (let k = 0; k < K; k++) grad[biasAt + k]! += scores[k]!;
      for (let j = 0; j < ix.length; j++) {
        const row = ix[j]! * K;
        for (let k = 0; k < K; k++) grad[row + k]! += scores[k]! * value;
      }
    }
    loss /= n;
    let penalty = 0;
    for (let i = 0; i < V * K; i++) {
      penalty += theta[i]! * theta[i]!;
      grad[i]! += options.l2 * theta[i]!;
    }
    return loss + (options.l2 / 2) * penalty;
  };

  const theta = lbfgs(lossAndGradient, new Float64Array(size), options.iterations);
  return { classes, vocabulary, weights: theta.slice(0, V * K), bias: theta.slice(V * K) };
}

/** Class probabilities for one document's features. */
export function predictProbabilities(model: LogisticModel, features: string[], index: ReadonlyMap<string, number>): number[] {
  const K = model.classes.length;
  const doc = vectorise(features, index);
  const scores = Array.from(model.bias);
  for (let j = 0; j < doc.index.length; j++) {
    const row = doc.index[j]! * K;
    for (let k = 0; k < K; k++) scores[k]! += model.weights[row + k]! * doc.value;
  }
  return softmax(scores);
}

export function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/**
 * Limited-memory BFGS (memory 10) with a backtracking (Armijo) line search, for a fixed number of
 * iterations or until the gradient vanishes. Minimises f; returns the parameters.
 */
export let lbfgsEvaluations = 0;
export function lbfgs(f: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, iterations: number, memory = 10): Float64Array {
  const size = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(size);
  let fx = f(x, g);
  const s: Float64Array[] = [];
  const yv: Float64Array[] = [];
  const rho: number[] = [];
  const dot = (a: Float64Array, b: Float64Array) => { let t = 0; for (let i = 0; i < size; i++) t += a[i]! * b[i]!; return t; };
  const xNew = new Float64Array(size);
  let gNew = new Float64Array(size);
  for (let it = 0; it < iterations; it++) {
    const gNorm = Math.sqrt(dot(g, g));
    if (gNorm < 1e-7) break;
    // Two-loop recursion: the direction -H·g.
    const q = Float64Array.from(g);
    const alpha: number[] = [];
    for (let i = s.length - 1; i >= 0; i--) {
      const a = rho[i]! * dot(s[i]!, q);
      alpha[i] = a;
      for (let j = 0; j < size; j++) q[j]! -= a * yv[i]![j]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, yv[last]!) / dot(yv[last]!, yv[last]!);
      for (let j = 0; j < size; j++) q[j]! *= gamma;
    } else {
      for (let j = 0; j < size; j++) q[j]! /= gNorm;
    }
    for (let i = 0; i < s.length; i++) {
      const b = rho[i]! * dot(yv[i]!, q);
      for (let j = 0; j < size; j++) q[j]! += s[i]![j]! * (alpha[i]! - b);
    }
    const direction = q.map((v) => -v);
    let slope = dot(g, direction);
    if (slope >= 0) { // not a descent direction: restart from the gradient
      s.length = 0; yv.length = 0; rho.length = 0;
      for (let j = 0; j < size; j++) direction[j] = -g[j]! / gNorm;
      slope = dot(g, direction);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < size; j++) xNew[j] = x[j]! + step * direction[j]!;
      fNew = f(xNew, gNew); lbfgsEvaluations++;
      if (fNew <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew < fx)) break; // no progress possible
    const sk = new Float64Array(size);
    const yk = new Float64Array(size);
    for (let j = 0; j < size; j++) { sk[j] = xNew[j]! - x[j]!; yk[j] = gNew[j]! - g[j]!; }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      s.push(sk); yv.push(yk); rho.push(1 / sy);
      if (s.length > memory) { s.shift(); yv.shift(); rho.shift(); }
    }
    x = Float64Array.from(xNew);
    const swap = g; g = gNew; gNew = swap;
    fx = fNew;
  }
  return x;
}
