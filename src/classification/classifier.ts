import { fold, Matcher, wordAt, type MatchMode, type Pattern } from './text.js';
import type { Knowledge, KnowledgeTopic } from './knowledge.js';
import { createActorNameFinder, type ActorNameFinder } from './actor-names.js';
import { createTextPreparer } from './prepare.js';
import { ACTOR_WORD } from './features.js';
import { combinedScores, ruleFeatures, RULES_ONLY, softmaxOf } from './combine.js';
import { calibrate, OUT_OF_SCOPE, type Calibration, type CombinationWeights, type LearnedModel, type ModelAnalysis, type WordEvidence } from './model.js';

/**
 * Deterministic, offline classification of Swedish and English inquiries: which actor (or none) the
 * question needs, with the probability of each and the reasons.
 *
 * Two layers, summed (combine.ts):
 * - The rules: every term of the routing knowledge matched in one pass over the folded text. A topic's
 *   score is the sum of the weights of the distinct terms found, and the words that matched are kept so
 *   a caseworker can see why. Out-of-scope groups are read in their context (an out-of-scope word about
 *   another country, or "privatpersoner" as customers, does not count), and the actors the text names
 *   are noted.
 * - The learned layer (model.ts): logistic regression over word and character n-grams, trained on the
 *   labelled corpus, which reads the forms and phrasings the term lists only match literally.
 *
 * `actors` gives the combined probability of every class (the actors and out-of-scope); `confidence` is
 * the calibrated probability that the top class is right. The router applies the constraints.
 */

export interface TopicScore {
  id: string;
  name: string;
  /** 0..1, comparable across topics and inquiries (the rule score alone). */
  score: number;
  rawScore: number;
  /** The words in the text that decided, folded ("exportkreditgaranti"). */
  matchedWords: string[];
}

export interface OutOfScopeSignal { id: string; name: string; rawScore: number; matchedWords: string[] }

export interface ClassificationContext { abroad: boolean; eu: boolean; nonEu: boolean; selling: boolean; export: boolean }

export interface ActorProbability {
  /** An actor id (`chamber` for any chamber of commerce) or `out-of-scope`. */
  id: string;
  /** Combined probability of the rules and the learned layer. */
  probability: number;
  /** The learned layer's strongest words for this class (top classes only). */
  learnedWords?: WordEvidence[];
}

export interface Classification {
  topics: TopicScore[];
  /** Calibrated probability that the top class of `actors` is right (before the router's constraints). */
  confidence: number;
  outOfScope: OutOfScopeSignal | null;
  /** Out-of-scope groups whose words were found but did not count in this context. */
  outOfScopeSetAside?: { id: string; why: string }[];
  /** Actors the text names ("Hej EKN"), in text order. */
  namedActors?: string[];
  /**
   * The one actor the text is addressed to when the rules find no need and nothing out of scope
   * ("Hej EKN, vad kan ni göra för oss?"): with no clearer need, the question goes to that actor.
   */
  addressedTo?: string | null;
  /** Every class by combined probability, highest first. */
  actors?: ActorProbability[];
  /** What the text is about besides its need: another country (in or outside the EU/EEA), selling, exporting. */
  context?: ClassificationContext;
  /** Whether the learned layer took part (false: the rules alone). */
  learned?: boolean;
}

interface TermRef { group: string; weight: number; term: string }

const NEUTRAL = '__neutral';
const CONTEXT = '__context:';

/** Where the rule score reaches one half. */
const HALF_CONFIDENCE_SCORE = 3;
/** Topics scoring below this are noise and not reported. */
const MIN_TOPIC_SCORE = 1;
/**
 * A subject line names the need in a few words ("Exportlån", "ATA carnet"), so a term found there
 * weighs this much more. Classification reads `subject + "\n" + message`; a first line this short before
 * a line break is read as the subject (an empty first line means there was none).
 */
const SUBJECT_FACTOR = 1.5;
const MAX_SUBJECT_LENGTH = 120;
/** Classes whose learned evidence is kept for the explanation. */
const EXPLAINED_CLASSES = 3;
export const ROUTING_CLASSES = ['almi', 'business-sweden', 'chamber', 'een', 'ekn', 'sek', 'tillvaxtverket', OUT_OF_SCOPE];

export function parseTerm(raw: string): { text: string; mode: MatchMode } {
  if (raw.startsWith('=')) return { text: fold(raw.slice(1)), mode: 'exact' };
  if (raw.startsWith('*')) return { text: fold(raw.slice(1)), mode: 'infix' };
  return { text: fold(raw), mode: 'prefix' };
}

export function confidenceOf(rawScore: number): number {
  return rawScore / (rawScore + HALF_CONFIDENCE_SCORE);
}

const WHY_SET_ASIDE: Record<string, string> = {
  abroad: 'the question is about another country or the EU',
  selling: 'private persons are the company\'s customers here',
};

export class Classifier {
  private readonly matcher: Matcher<TermRef>;
  private readonly names = new Map<string, string>();
  private readonly order = new Map<string, number>();
  private readonly outOfScopeGroups = new Map<string, Knowledge['outOfScope'][number]>();
  private readonly topicsById: Map<string, KnowledgeTopic>;
  private readonly prepare: (text: string) => string;
  private readonly findActors: ActorNameFinder;
  private readonly classes: string[];

  constructor(readonly knowledge: Knowledge, private readonly model: LearnedModel | null = null) {
    const patterns: Pattern<TermRef>[] = [];
    const addGroup = (group: string, terms: Record<string, number>) => {
      for (const [raw, weight] of Object.entries(terms)) {
        if (weight <= 0) continue;
        const { text, mode } = parseTerm(raw);
        if (text) patterns.push({ text, mode, value: { group, weight, term: text } });
      }
    };
    knowledge.topics.forEach((t, i) => {
      this.names.set(t.id, t.name);
      this.order.set(t.id, i);
      addGroup(t.id, t.terms);
    });
    for (const o of knowledge.outOfScope) {
      this.names.set(o.id, o.name);
      this.outOfScopeGroups.set(o.id, o);
      addGroup(o.id, o.terms);
    }
    // Neutral phrases win every overlap (highest weight) and count for nothing.
    for (const raw of knowledge.neutral?.phrases ?? []) {
      const { text, mode } = parseTerm(raw);
      if (text) patterns.push({ text, mode, value: { group: NEUTRAL, weight: Number.MAX_SAFE_INTEGER, term: text } });
    }
    for (const kind of ['abroad', 'eu', 'nonEu', 'selling', 'export'] as const) {
      for (const raw of knowledge.context?.[kind] ?? []) {
        const { text, mode } = parseTerm(raw);
        if (text) patterns.push({ text, mode, value: { group: CONTEXT + kind, weight: 0, term: text } });
      }
    }
    this.matcher = new Matcher(patterns);
    this.topicsById = new Map(knowledge.topics.map((t) => [t.id, t]));
    this.prepare = createTextPreparer(knowledge);
    this.findActors = createActorNameFinder(knowledge);
    this.classes = model?.classes ?? ROUTING_CLASSES;
  }

  /** The rules' reading of a text, and the text as the learned layer sees it. */
  read(text: string): RuleReading {
    const prepared = this.prepare(text);
    const folded = fold(prepared);
    const lineBreak = prepared.indexOf('\n');
    // Where the subject ends in the folded text: folding keeps the order of words, so the folded
    // subject is a prefix of the folded whole (0 when there is no subject line).
    const subjectEnd = lineBreak > 0 && lineBreak <= MAX_SUBJECT_LENGTH ? fold(prepared.slice(0, lineBreak)).length : 0;
    const matches = this.matcher.findAll(folded);
    // Strongest first, so that inside one word the best term of a group is the one that counts.
    matches.sort((a, b) => b.pattern.value.weight - a.pattern.value.weight || b.end - b.start - (a.end - a.start));

    const context = { abroad: false, eu: false, nonEu: false, selling: false, export: false };
    const neutralSpans: [number, number][] = [];
    const byGroup = new Map<string, { score: number; terms: Set<string>; words: Set<string>; spans: [number, number][] }>();
    for (const m of matches) {
      const { group, weight, term } = m.pattern.value;
      if (group.startsWith(CONTEXT)) { context[group.slice(CONTEXT.length) as keyof typeof context] = true; continue; }
      if (group === NEUTRAL) { neutralSpans.push([m.start, m.end]); continue; }
      if (neutralSpans.some(([s, e]) => m.start < e && s < m.end)) continue;
      let g = byGroup.get(group);
      if (!g) {
        g = { score: 0, terms: new Set(), words: new Set(), spans: [] };
        byGroup.set(group, g);
      }
      if (g.terms.has(term)) continue; // a term counts once, however often it is repeated
      if (g.spans.some(([s, e]) => m.start < e && s < m.end)) continue; // overlaps a stronger term
      g.terms.add(term);
      g.spans.push([m.start, m.end]);
      g.words.add(wordAt(folded, m.start, m.end));
      g.score += m.end <= subjectEnd ? weight * SUBJECT_FACTOR : weight;
    }
    context.abroad = context.abroad || context.eu || context.nonEu;
    context.export = context.export || context.abroad;

    const topics: TopicScore[] = [];
    let outOfScope: OutOfScopeSignal | null = null;
    const setAside: { id: string; why: string }[] = [];
    for (const [group, g] of byGroup) {
      if (g.score < MIN_TOPIC_SCORE) continue;
      const words = [...g.words];
      const oosGroup = this.outOfScopeGroups.get(group);
      if (oosGroup) {
        const because = oosGroup.notWhen?.find((c) => context[c]);
        if (because) { setAside.push({ id: group, why: WHY_SET_ASIDE[because]! }); continue; }
        if (!outOfScope || g.score > outOfScope.rawScore) {
          outOfScope = { id: group, name: this.names.get(group)!, rawScore: round(g.score), matchedWords: words };
        }
      } else {
        topics.push({ id: group, name: this.names.get(group)!, score: round(confidenceOf(g.score)), rawScore: round(g.score), matchedWords: words });
      }
    }
    // Equal scores keep the knowledge's order (its reading order), never the ids' alphabet; the router
    // decides on the combined probabilities, where a tie is a tie.
    topics.sort((a, b) => b.rawScore - a.rawScore || this.order.get(a.id)! - this.order.get(b.id)!);

    const mentions = this.findActors(folded);
    let masked = '';
    let at = 0;
    for (const m of mentions) { masked += folded.slice(at, m.start) + ACTOR_WORD; at = m.end; }
    return {
      topics, outOfScope, outOfScopeSetAside: setAside, namedActors: [...new Set(mentions.map((m) => m.actor))], context,
      modelText: (masked + folded.slice(at)).replace(/[0-9]/g, '0'),
    };
  }

  /** The rule features of a reading, per class (combine.ts). */
  ruleFeaturesOf(reading: RuleReading) {
    return ruleFeatures(this.classes, { topics: reading.topics, outOfScopeScore: reading.outOfScope?.rawScore ?? 0, namedActors: reading.namedActors, context: reading.context }, this.topicsById);
  }

  /** Sums a rule reading and the learned layer's log-probabilities (null: rules alone) into a classification. */
  combine(reading: RuleReading, analysis: ModelAnalysis | null, weights: CombinationWeights, calibration: Calibration | null): Classification {
    const rules = this.ruleFeaturesOf(reading);
    const probabilities = softmaxOf(combinedScores(this.classes, analysis?.logProbabilities ?? null, rules, weights));
    const ranked = this.classes
      .map((id, k) => ({ id, k, probability: probabilities[k]! }))
      .sort((a, b) => b.probability - a.probability || a.k - b.k);
    const explained = this.model && analysis && analysis.rows.length > 0
      ? this.model.strongestWords(analysis, ranked.slice(0, EXPLAINED_CLASSES).map((a) => a.id))
      : [];
    const actors: ActorProbability[] = ranked.map((a, rank) => {
      const out: ActorProbability = { id: a.id, probability: Math.round(a.probability * 1e6) / 1e6 };
      if (rank < explained.length) out.learnedWords = explained[rank]!;
      return out;
    });
    const [top = 0, next = 0] = [...probabilities].sort((x, y) => y - x);
    const { modelText: _text, ...rest } = reading;
    const addressedTo = reading.namedActors.length === 1 && reading.topics.length === 0 && !reading.outOfScope ? reading.namedActors[0]! : null;
    return { ...rest, addressedTo, confidence: round(calibration ? calibrate(calibration, top, next) : top), actors, learned: analysis !== null };
  }

  classify(text: string): Classification {
    const reading = this.read(text);
    const analysis = this.model ? this.model.analyse(reading.modelText) : null;
    return this.combine(reading, analysis, this.model?.combination ?? RULES_ONLY, this.model?.calibration ?? null);
  }
}

/** What the rules read in a text (a classification without the combination), plus the learned layer's text. */
export interface RuleReading {
  topics: TopicScore[];
  outOfScope: OutOfScopeSignal | null;
  outOfScopeSetAside: { id: string; why: string }[];
  namedActors: string[];
  context: ClassificationContext;
  modelText: string;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
