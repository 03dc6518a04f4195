import type { KnowledgeTopic } from './knowledge.js';
import type { CombinationWeights } from './model.js';
import { OUT_OF_SCOPE } from './model.js';

/**
 * How the rules and the learned layer are summed into one probability per class (an actor, or
 * out-of-scope). Each class's score is a weighted sum of terms (COMBINATION_TERMS); the weights were
 * fitted by cross-validation on the development corpus (scripts/train-model.ts), so the softmax of the
 * sum is a probability, not a vote. The terms:
 *
 * - model: the learned layer's log-probability of the class;
 * - rulePrimary / ruleSecondary: log(1 + rule score) of the best topic naming the class as first /
 *   as another contact;
 * - namedActor: the text names the actor ("Hej EKN"); namedAlone: it names one actor and the rules find
 *   no need and nothing out of scope: a question addressed to an actor with no clearer need;
 * - outOfScope: log(1 + how far the out-of-scope words outscore the best topic), the margin that lets
 *   them decide; outOfScopeRaw: log(1 + their score) however strong the topic; outOfScopeBias;
 * - eenOutsideEu: EEN when every destination named is outside the EU/EEA; businessSwedenInsideEu:
 *   Business Sweden when every destination named is inside it (the destination decides between
 *   EU rules and partners, and markets abroad).
 */

export const COMBINATION_TERMS = [
  'model', 'rulePrimary', 'ruleSecondary', 'namedActor', 'namedAlone',
  'outOfScope', 'outOfScopeRaw', 'outOfScopeBias', 'eenOutsideEu', 'businessSwedenInsideEu',
] as const;

export interface RuleFeatures {
  primary: number[];
  secondary: number[];
  named: number[];
  namedAlone: number[];
  outOfScopeMargin: number;
  outOfScopeRaw: number;
  /** Destinations named: only outside the EU/EEA, only inside it. */
  onlyOutsideEu: boolean;
  onlyInsideEu: boolean;
}

export interface RuleInput {
  topics: { id: string; rawScore: number }[];
  outOfScopeScore: number;
  namedActors: string[];
  context?: { eu: boolean; nonEu: boolean } | undefined;
}

export function ruleFeatures(classes: string[], input: RuleInput, topics: ReadonlyMap<string, KnowledgeTopic>): RuleFeatures {
  const K = classes.length;
  const primary = new Array<number>(K).fill(0);
  const secondary = new Array<number>(K).fill(0);
  const named = new Array<number>(K).fill(0);
  const namedAlone = new Array<number>(K).fill(0);
  for (const t of input.topics) {
    const actors = topics.get(t.id)?.actors ?? [];
    actors.forEach((actor, position) => {
      const k = classes.indexOf(actor);
      if (k < 0) return;
      const target = position === 0 ? primary : secondary;
      target[k] = Math.max(target[k]!, Math.log1p(t.rawScore));
    });
  }
  const distinct = [...new Set(input.namedActors)];
  const noNeed = input.topics.length === 0 && input.outOfScopeScore === 0;
  for (const actor of distinct) {
    const k = classes.indexOf(actor);
    if (k < 0) continue;
    named[k] = 1 / distinct.length;
    if (noNeed && distinct.length === 1) namedAlone[k] = 1;
  }
  const best = input.topics.reduce((m, t) => Math.max(m, t.rawScore), 0);
  return {
    primary, secondary, named, namedAlone,
    outOfScopeMargin: Math.log1p(Math.max(0, input.outOfScopeScore - best)),
    outOfScopeRaw: Math.log1p(input.outOfScopeScore),
    onlyOutsideEu: !!input.context?.nonEu && !input.context.eu,
    onlyInsideEu: !!input.context?.eu && !input.context.nonEu,
  };
}

/** Per class, the value of every combination term (COMBINATION_TERMS order). `logProbabilities` null: rules only. */
export function termMatrix(classes: string[], logProbabilities: number[] | null, r: RuleFeatures): number[][] {
  return classes.map((c, k) => {
    const model = logProbabilities ? logProbabilities[k]! : 0;
    if (c === OUT_OF_SCOPE) return [model, 0, 0, 0, 0, r.outOfScopeMargin, r.outOfScopeRaw, 1, 0, 0];
    return [
      model, r.primary[k]!, r.secondary[k]!, r.named[k]!, r.namedAlone[k]!, 0, 0, 0,
      c === 'een' && r.onlyOutsideEu ? 1 : 0,
      c === 'business-sweden' && r.onlyInsideEu ? 1 : 0,
    ];
  });
}

export function weightVector(w: CombinationWeights): number[] {
  return COMBINATION_TERMS.map((t) => w[t]);
}

/** The combined scores (before the softmax), per class. */
export function combinedScores(classes: string[], logProbabilities: number[] | null, rules: RuleFeatures, w: CombinationWeights): number[] {
  const v = weightVector(w);
  return termMatrix(classes, logProbabilities, rules).map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
}

export function softmaxOf(scores: number[]): number[] {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** Weights for the rules alone (no model file): the rule score decides, out-of-scope needs its margin. */
export const RULES_ONLY: CombinationWeights = {
  model: 0, rulePrimary: 3, ruleSecondary: 2.5, namedActor: 1, namedAlone: 3,
  outOfScope: 3, outOfScopeRaw: 0, outOfScopeBias: -1, eenOutsideEu: -1, businessSwedenInsideEu: 0,
};
