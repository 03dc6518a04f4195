import { fold, Matcher, wordAt, type MatchMode, type Pattern } from './text.js';
import type { Knowledge } from './knowledge.js';

/**
 * Deterministic, offline topic classification of Swedish and English inquiries.
 *
 * Every term in the routing knowledge is matched in one pass over the folded text. A topic's score is
 * the sum of the weights of the distinct terms found (overlapping matches inside one word count once,
 * the strongest), and the words that matched are kept so a caseworker can see why.
 * Confidence maps the top score onto 0..1 (score / (score + k)); below the triage threshold the
 * inquiry goes to the county's export centre instead of a guess.
 */

export interface TopicScore {
  id: string;
  name: string;
  /** 0..1, comparable across topics and inquiries. */
  score: number;
  rawScore: number;
  /** The words in the text that decided, folded ("exportkreditgaranti"). */
  matchedWords: string[];
}

export interface OutOfScopeSignal { id: string; name: string; rawScore: number; matchedWords: string[] }

export interface Classification {
  topics: TopicScore[];
  confidence: number;
  outOfScope: OutOfScopeSignal | null;
}

interface TermRef { group: string; weight: number; term: string }

const NEUTRAL = '__neutral';

/** Where confidence reaches one half. */
const HALF_CONFIDENCE_SCORE = 3;
/** Topics scoring below this are noise and not reported. */
const MIN_TOPIC_SCORE = 1;
/**
 * A subject line names the need in a few words ("Exportlån", "ATA carnet"), so a term found there
 * weighs this much more. Intake classifies `subject + "\n" + message`; a first line this short before
 * a line break is read as the subject (an empty first line means there was none).
 */
const SUBJECT_FACTOR = 1.5;
const MAX_SUBJECT_LENGTH = 120;

export function parseTerm(raw: string): { text: string; mode: MatchMode } {
  if (raw.startsWith('=')) return { text: fold(raw.slice(1)), mode: 'exact' };
  if (raw.startsWith('*')) return { text: fold(raw.slice(1)), mode: 'infix' };
  return { text: fold(raw), mode: 'prefix' };
}

/** "Skåne län" is a county, not a loan ("lån" folds to "lan" too). */
const COUNTY_WORD = /(\p{L})s?\s+län\b/giu;

export function confidenceOf(rawScore: number): number {
  return rawScore / (rawScore + HALF_CONFIDENCE_SCORE);
}

export class Classifier {
  private readonly matcher: Matcher<TermRef>;
  private readonly names = new Map<string, string>();
  private readonly outOfScopeIds = new Set<string>();
  private readonly acronyms: RegExp | null;
  private readonly acronymMap: Record<string, string>;

  constructor(readonly knowledge: Knowledge) {
    const patterns: Pattern<TermRef>[] = [];
    const addGroup = (group: string, terms: Record<string, number>) => {
      for (const [raw, weight] of Object.entries(terms)) {
        if (weight <= 0) continue;
        const { text, mode } = parseTerm(raw);
        if (text) patterns.push({ text, mode, value: { group, weight, term: text } });
      }
    };
    for (const t of knowledge.topics) {
      this.names.set(t.id, t.name);
      addGroup(t.id, t.terms);
    }
    for (const o of knowledge.outOfScope) {
      this.names.set(o.id, o.name);
      this.outOfScopeIds.add(o.id);
      addGroup(o.id, o.terms);
    }
    // Neutral phrases win every overlap (highest weight) and count for nothing.
    for (const raw of knowledge.neutral?.phrases ?? []) {
      const { text, mode } = parseTerm(raw);
      if (text) patterns.push({ text, mode, value: { group: NEUTRAL, weight: Number.MAX_SAFE_INTEGER, term: text } });
    }
    this.matcher = new Matcher(patterns);
    this.acronymMap = knowledge.acronyms?.map ?? {};
    const keys = Object.keys(this.acronymMap);
    this.acronyms = keys.length > 0 ? new RegExp(String.raw`(?<![\p{L}\d])(${keys.join('|')})(?![\p{L}\d])`, 'gu') : null;
  }

  classify(text: string): Classification {
    let prepared = text.replace(COUNTY_WORD, '$1 county');
    if (this.acronyms) prepared = prepared.replace(this.acronyms, (a) => ` ${this.acronymMap[a]!} `);
    const folded = fold(prepared);
    const lineBreak = prepared.indexOf('\n');
    // Where the subject ends in the folded text: folding keeps the order of words, so the folded
    // subject is a prefix of the folded whole (0 when there is no subject line).
    const subjectEnd = lineBreak > 0 && lineBreak <= MAX_SUBJECT_LENGTH ? fold(prepared.slice(0, lineBreak)).length : 0;
    const matches = this.matcher.findAll(folded);
    // Strongest first, so that inside one word the best term of a group is the one that counts.
    matches.sort((a, b) => b.pattern.value.weight - a.pattern.value.weight || b.end - b.start - (a.end - a.start));

    const neutralSpans: [number, number][] = [];
    const byGroup = new Map<string, { score: number; terms: Set<string>; words: Set<string>; spans: [number, number][] }>();
    for (const m of matches) {
      const { group, weight, term } = m.pattern.value;
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

    const topics: TopicScore[] = [];
    let outOfScope: OutOfScopeSignal | null = null;
    for (const [group, g] of byGroup) {
      if (g.score < MIN_TOPIC_SCORE) continue;
      const words = [...g.words];
      if (this.outOfScopeIds.has(group)) {
        if (!outOfScope || g.score > outOfScope.rawScore) {
          outOfScope = { id: group, name: this.names.get(group)!, rawScore: round(g.score), matchedWords: words };
        }
      } else {
        topics.push({ id: group, name: this.names.get(group)!, score: round(confidenceOf(g.score)), rawScore: round(g.score), matchedWords: words });
      }
    }
    topics.sort((a, b) => b.rawScore - a.rawScore || a.id.localeCompare(b.id));
    const top = topics[0]?.rawScore ?? 0;
    return { topics, confidence: round(confidenceOf(top)), outOfScope };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
