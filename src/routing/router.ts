import type { ActorProbability, Classification } from '../classification/classifier.js';
import type { Knowledge, KnowledgeTopic } from '../classification/knowledge.js';
import { OUT_OF_SCOPE } from '../classification/model.js';
import { amountsInSek } from './amounts.js';

/**
 * Routing: from a classification and the company's county to one actor and the alternatives the
 * company must be told about, or to the county's triage queue. Pure: the actor directory and the
 * calibration are passed in.
 *
 * The classification gives every class (the actors, and out-of-scope) a combined probability. The
 * router removes the actors a constraint in the message rules out (size, amount), renormalises, and
 * takes the most probable class if the calibrated probability of being right reaches the triage
 * threshold. The threshold was chosen by cost (a wrong actor costs more than triage; see the model file).
 */

export interface ActorDirectory {
  /** Active actors present in the county (all active actors when the county is unknown). */
  actorsIn(countyCode: string | null): ReadonlySet<string>;
  /** Chambers of commerce serving the county, in preference order; a national default when unknown. */
  chambersFor(countyCode: string | null): string[];
}

export interface RoutingInput {
  classification: Classification;
  countyCode: string | null;
  employees: number | null;
  text: string;
  triageThreshold: number;
}

export type TriageReason = 'out-of-scope' | 'unclear' | 'no-actor-in-county';

export interface ExcludedActor { actor: string; why: string }

export interface RoutingDecision {
  status: 'assigned' | 'triage';
  assignedActorId: string | null;
  /** Assigned: other actors for the same or a second need. Triage: the candidates a coordinator should weigh. */
  alternatives: string[];
  topicId: string | null;
  triageReason: TriageReason | null;
  /** The calibrated probability that the decided class is right (after the constraints). */
  confidence: number;
  /** A sentence a caseworker or the company can read. */
  explanation: string;
  excluded: ExcludedActor[];
}

/** Almi lends to companies with up to 250 employees (actors.md, "Who can apply"). */
const ALMI_MAX_EMPLOYEES = 250;
/** SEK's export credits start at a few million USD; a smaller sum is for Almi, the bank or EKN. */
const SEK_MIN_AMOUNT_SEK = 10_000_000;
/** Almi's largest loans (green loans) go to about 20 MSEK; a deal far beyond that is for SEK, EKN and the bank. */
const ALMI_MAX_AMOUNT_SEK = 50_000_000;
/** SEK and EKN finance and insure exports; they serve a financing need only when it is an export need. */
const EXPORT_ONLY = ['sek', 'ekn'];
/** A second topic this close to the top one is a second need: its actors become alternatives. */
const SECONDARY_TOPIC_SHARE = 0.5;
/** A class this probable beside the decided one is a second need or a similar service: told about too. */
const ALTERNATIVE_PROBABILITY = 0.2;
/** Two classes closer than this are a tie: neither wins by the order they are listed in. */
const TIE = 0.005;
const MAX_ALTERNATIVES = 4;

export class Router {
  private readonly topics: Map<string, KnowledgeTopic>;
  private readonly defaultTopic = new Map<string, string>();

  constructor(
    knowledge: Knowledge,
    private readonly directory: ActorDirectory,
    /** Probability of being right for a routed class of combined probability p1, the next having p2 (p1 without a model). */
    private readonly calibrated: (p1: number, p2: number) => number = (p1) => p1,
    /** Probability of being right when a question addressed to one actor with no clearer need goes to it. */
    private readonly addressedRight = 0.9,
  ) {
    this.topics = new Map(knowledge.topics.map((t) => [t.id, t]));
    // The topic a decision reports when no term matched: the first topic naming the actor as first contact.
    for (const t of knowledge.topics) if (!this.defaultTopic.has(t.actors[0]!)) this.defaultTopic.set(t.actors[0]!, t.id);
  }

  /**
   * The classes still possible after the constraints, renormalised, most probable first, and the
   * actors ruled out. Training calibrates on this choice (the same one route() makes).
   */
  choose(input: RoutingInput): { options: ActorProbability[]; excluded: ExcludedActor[]; excludedByConstraint: Map<string, string>; addressed: boolean } {
    const { classification } = input;
    const ranked = classification.actors ?? [];
    const excludedByConstraint = this.constraints(input);
    const excluded: ExcludedActor[] = [];
    const needTop = ranked[0];
    if (needTop && excludedByConstraint.has(needTop.id) && needTop.id !== OUT_OF_SCOPE) {
      // A constraint rules out the class the text most needs (Almi's loan, for a company of 400). The
      // need does not pass to whoever is next: only to the actors that serve it (the topic's other
      // actors and its fallbacks: SEK and EKN for financing), and SEK and EKN serve only an export
      // need. Without one, no actor serves the need: out of scope, with the reason.
      const topic = this.topicFor(needTop.id, classification);
      const serving = topic ? this.topics.get(topic) : undefined;
      const fallbacks = new Set([...(serving?.actors ?? []), ...(serving?.fallbackActors ?? [])]);
      for (const a of ranked) {
        if (a.id === OUT_OF_SCOPE || excludedByConstraint.has(a.id)) continue;
        if (!fallbacks.has(a.id)) excludedByConstraint.set(a.id, `does not serve this need (${this.topics.get(topic ?? '')?.name ?? needTop.id}) for this company`);
        else if (EXPORT_ONLY.includes(a.id) && !classification.context?.export) excludedByConstraint.set(a.id, `${a.id === 'sek' ? 'SEK' : 'EKN'} serves export needs, and this need has no export in it`);
      }
    }
    const usable = ranked.filter((a) => {
      const why = excludedByConstraint.get(a.id);
      if (why) excluded.push({ actor: a.id, why });
      return !why;
    });
    const total = usable.reduce((s, a) => s + a.probability, 0);
    // When the constraints rule out all but a vanishing share, what is left is equally (un)likely.
    let options = total > 1e-9 ? usable.map((a) => ({ ...a, probability: a.probability / total }))
      : usable.map((a) => ({ ...a, probability: 1 / usable.length }));
    // A question addressed to one actor, with no need the rules can read ("Hej EKN, vad kan ni göra för
    // oss?"), goes to that actor: the learned layer's guess from a greeting is not a clearer need.
    const to = classification.addressedTo;
    const addressed = !!to && options.some((o) => o.id === to);
    if (addressed) options = [...options.filter((o) => o.id === to), ...options.filter((o) => o.id !== to)];
    return { options, excluded, excludedByConstraint, addressed };
  }

  route(input: RoutingInput): RoutingDecision {
    const { classification, countyCode } = input;
    const { options, excluded, excludedByConstraint, addressed } = this.choose(input);
    const needTop = classification.actors?.[0];
    let first = options[0];
    if (!first) return triage('unclear', 'No class could be scored.', null, 0, [], excluded);
    const confidence = round(addressed ? this.addressedRight : this.calibrated(first.probability, options[1]?.probability ?? 0));
    let second = addressed ? undefined : options[1];
    const candidates = options.filter((a) => a.id !== OUT_OF_SCOPE && a.probability >= ALTERNATIVE_PROBABILITY).slice(0, 3);
    const candidateOffices = dedupe(candidates.map((c) => this.officeFor(c.id, countyCode)));

    if (first.id === OUT_OF_SCOPE) {
      const rules = classification.outOfScope;
      const why = rules ? `${rules.name}: ${rules.matchedWords.join(', ')}` : `read as such by the learned layer${wordsOf(first)}`;
      const lostTo = excludedByConstraint.has(needTop?.id ?? '') ? ` No actor serves it here: ${excluded.map((e) => e.why).join('; ')}.` : '';
      return triage('out-of-scope', `Outside every actor's remit (${why}); the county's export centre answers.${lostTo}`, null, confidence, [], excluded);
    }
    if (second && second.id !== OUT_OF_SCOPE && first.probability - second.probability < TIE) {
      // A tie. Two actors of the same need (SEK and EKN for a buyer credit): the need's first contact,
      // the other told about as an alternative. Two different needs: a person decides between them.
      const shared = this.sharedTopic(first.id, second.id, classification);
      if (!shared) {
        return triage('unclear', `${describe(first.id)} and ${describe(second.id)} are equally likely; a person decides.`, this.topicFor(first.id, classification), confidence,
          candidateOffices, excluded);
      }
      const actors = this.topics.get(shared)!.actors;
      if (actors.indexOf(second.id) < actors.indexOf(first.id)) [first, second] = [second, first];
    }
    if (confidence < input.triageThreshold) {
      return triage('unclear', `Not sure enough to route without a person looking at it (probability of being right ${confidence.toFixed(2)}; most likely ${candidates.map((c) => describe(c.id)).join(' or ') || describe(first.id)}).`,
        this.topicFor(first.id, classification), confidence, candidateOffices, excluded);
    }

    // From the class to an office: a chamber serving the county; an actor present in the county; else
    // another actor of the same need present in the county (EEN is not on Gotland: Business Sweden
    // for partners in Europe); else an office serving another county (it still beats a queue).
    const present = this.directory.actorsIn(countyCode);
    let assigned = this.officeFor(first.id, countyCode);
    let outsideCounty = false;
    if (!present.has(assigned)) {
      excluded.push({ actor: assigned, why: 'not present in the county' });
      const need = this.topics.get(this.topicFor(first.id, classification) ?? '');
      const sameNeed = (need?.actors ?? []).map((a) => this.officeFor(a, countyCode))
        .find((a) => a !== assigned && present.has(a) && !excludedByConstraint.has(a));
      const everywhere = this.directory.actorsIn(null);
      const elsewhere = first.id === 'chamber' ? this.directory.chambersFor(null)[0] : first.id;
      if (sameNeed) {
        assigned = sameNeed;
      } else if (countyCode !== null && elsewhere && everywhere.has(elsewhere)) {
        assigned = elsewhere;
        outsideCounty = true;
      } else {
        return triage('no-actor-in-county', `No ${describe(first.id)} office serves the county; the export centre routes it by hand.`, this.topicFor(first.id, classification), confidence, [], excluded);
      }
    }
    const topicId = this.topicFor(first.id, classification);
    const alternatives = this.alternativesFor(first, options, topicId, classification, countyCode, present, excludedByConstraint)
      .filter((a) => a !== assigned);
    return {
      status: 'assigned',
      assignedActorId: assigned,
      alternatives: alternatives.slice(0, MAX_ALTERNATIVES),
      topicId,
      triageReason: null,
      confidence,
      explanation: `${this.reasonFor(first, classification, topicId)}; ${assigned} serves it${countyCode ? (outsideCounty ? ` from outside ${countyCode} (no office in the county)` : ` in ${countyCode}`) : ''}` +
        `${assigned !== this.officeFor(first.id, countyCode) && !outsideCounty ? ` (${describe(first.id)} has no office in the county)` : ''}. Probability of being right ${confidence.toFixed(2)}.`,
      excluded: dedupe(excluded),
    };
  }

  /** Why the class: the rule topic and its words, the learned layer's strongest words, a named actor. */
  private reasonFor(decided: ActorProbability, classification: Classification, topicId: string | null): string {
    const parts: string[] = [];
    const topic = classification.topics.find((t) => t.id === topicId);
    if (topic) parts.push(`Need "${topic.name}" (${topic.matchedWords.join(', ')})`);
    else if (topicId) parts.push(`Need "${this.topics.get(topicId)?.name ?? topicId}" (no term matched)`);
    const words = wordsOf(decided);
    if (words) parts.push(`learned layer${words.replace(/^ \(/, ': ').replace(/\)$/, '')}`);
    if (classification.addressedTo === decided.id) parts.push(`the question is addressed to ${describe(decided.id)} and names no clearer need`);
    else if (classification.namedActors?.includes(decided.id)) parts.push(`the text names ${describe(decided.id)}`);
    return parts.join('; ');
  }

  /** The best rule topic listing both actors, if any (a need both serve). */
  private sharedTopic(a: string, b: string, classification: Classification): string | null {
    return classification.topics.find((t) => {
      const actors = this.topics.get(t.id)?.actors ?? [];
      return actors.includes(a) && actors.includes(b);
    })?.id ?? null;
  }

  /** The rule topic behind a class: the best-scoring topic listing the actor, else the actor's default topic. */
  private topicFor(classId: string, classification: Classification): string | null {
    const listed = classification.topics.find((t) => this.topics.get(t.id)?.actors.includes(classId));
    return listed?.id ?? this.defaultTopic.get(classId) ?? null;
  }

  private alternativesFor(first: ActorProbability, options: ActorProbability[], topicId: string | null, classification: Classification,
    countyCode: string | null, present: ReadonlySet<string>, excludedByConstraint: Map<string, string>): string[] {
    const out: string[] = [];
    const usable = (a: string) => !excludedByConstraint.has(a) && present.has(a);
    // Other actors offering the same service (the company must be told about all of them).
    for (const a of this.topics.get(topicId ?? '')?.actors ?? []) {
      const office = this.officeFor(a, countyCode);
      if (a !== first.id && usable(office) && !excludedByConstraint.has(a)) out.push(office);
    }
    // A second need: a second rule topic nearly as strong, or a class nearly as probable.
    const top = classification.topics[0];
    for (const t of classification.topics.slice(1)) {
      if (!top || t.rawScore < top.rawScore * SECONDARY_TOPIC_SHARE) break;
      for (const a of this.topics.get(t.id)?.actors ?? []) {
        const office = this.officeFor(a, countyCode);
        if (!excludedByConstraint.has(a) && usable(office)) out.push(office);
      }
    }
    for (const o of options.slice(1)) {
      if (o.id === OUT_OF_SCOPE || o.probability < ALTERNATIVE_PROBABILITY) continue;
      const office = this.officeFor(o.id, countyCode);
      if (usable(office)) out.push(office);
    }
    return dedupe(out);
  }

  /** Real constraints the message reveals, as actor → why it is ruled out. */
  private constraints(input: RoutingInput): Map<string, string> {
    const out = new Map<string, string>();
    const employees = input.employees ?? employeesInText(input.text);
    if (employees !== null && employees > ALMI_MAX_EMPLOYEES) {
      out.set('almi', `Almi lends to companies with at most ${ALMI_MAX_EMPLOYEES} employees`);
    }
    const amounts = amountsInSek(input.text);
    if (amounts.length > 0 && Math.max(...amounts) < SEK_MIN_AMOUNT_SEK) {
      out.set('sek', 'SEK finances large export credits, not sums of this size');
    }
    if (amounts.length > 0 && Math.max(...amounts) >= ALMI_MAX_AMOUNT_SEK && !out.has('almi')) {
      out.set('almi', 'Almi lends far smaller sums than this deal; large export credits are for SEK, EKN and the bank');
    }
    return out;
  }

  /** The office for a class: `chamber` is the chamber serving the county. */
  private officeFor(classId: string, countyCode: string | null): string {
    return classId === 'chamber' ? this.directory.chambersFor(countyCode)[0] ?? 'chamber' : classId;
  }
}

/** "vi är 400 anställda", "140 anst", "we have 320 employees": the size a company states in its message. */
export function employeesInText(text: string): number | null {
  const m = /(\d[\d\s]{0,6})\s*(?:anställda|anst\.?|medarbetare|personer|pers\.?|employees|staff|people|persons)(?![\p{L}])/iu.exec(text);
  if (!m) return null;
  const n = Number(m[1]!.replace(/\s/g, ''));
  return Number.isFinite(n) ? n : null;
}

function wordsOf(a: ActorProbability): string {
  const words = a.learnedWords ?? [];
  return words.length > 0 ? ` (${words.map((w) => `${w.word} +${w.weight.toFixed(2)}`).join(', ')})` : '';
}

function describe(classId: string): string {
  return classId === 'chamber' ? 'a chamber of commerce' : classId;
}

function triage(reason: TriageReason, explanation: string, topicId: string | null, confidence: number, alternatives: string[], excluded: ExcludedActor[]): RoutingDecision {
  return { status: 'triage', assignedActorId: null, alternatives, topicId, triageReason: reason, confidence, explanation, excluded: dedupe(excluded) };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = JSON.stringify(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
