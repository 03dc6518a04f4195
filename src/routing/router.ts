import type { Classification } from '../classification/classifier.js';
import type { Knowledge, KnowledgeTopic } from '../classification/knowledge.js';
import { amountsInSek } from './amounts.js';

/**
 * Routing: from a classification and the company's county to one actor and the alternatives the
 * company must be told about. Pure: the actor directory is passed in.
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
  alternatives: string[];
  topicId: string | null;
  triageReason: TriageReason | null;
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
/** A second topic this close to the top one is a second need: its actors become alternatives. */
const SECONDARY_TOPIC_SHARE = 0.5;
const MAX_ALTERNATIVES = 4;

export class Router {
  private readonly topics: Map<string, KnowledgeTopic>;

  constructor(knowledge: Knowledge, private readonly directory: ActorDirectory) {
    this.topics = new Map(knowledge.topics.map((t) => [t.id, t]));
  }

  route(input: RoutingInput): RoutingDecision {
    const { classification, countyCode } = input;
    const top = classification.topics[0];
    const oos = classification.outOfScope;
    if (oos && (!top || oos.rawScore > top.rawScore)) {
      return triage('out-of-scope', `Outside every actor's remit (${oos.name}); the county's export centre answers.`, null, []);
    }
    if (!top || classification.confidence < input.triageThreshold) {
      return triage('unclear', 'No topic is clear enough to route without a person looking at it.', top?.id ?? null, []);
    }

    const excludedByConstraint = this.constraints(input);
    const present = this.directory.actorsIn(countyCode);
    const excluded: ExcludedActor[] = [];
    const candidatesFor = (topicId: string): string[] => {
      const topic = this.topics.get(topicId)!;
      const primary = this.expand(topic.actors, countyCode);
      let usable = primary.filter((a) => {
        const why = excludedByConstraint.get(a);
        if (why) { excluded.push({ actor: a, why }); return false; }
        if (!present.has(a)) { excluded.push({ actor: a, why: 'not present in the county' }); return false; }
        return true;
      });
      if (usable.length === 0 && topic.fallbackActors) {
        usable = this.expand(topic.fallbackActors, countyCode).filter((a) => present.has(a) && !excludedByConstraint.has(a));
      }
      return usable;
    };

    let candidates = candidatesFor(top.id);
    let outsideCounty = false;
    if (candidates.length === 0 && countyCode !== null) {
      // No office in the county: an office serving another county still beats a queue (actors serve
      // companies from other counties; the export centre is told through the explanation).
      const topic = this.topics.get(top.id)!;
      const everywhere = this.directory.actorsIn(null);
      candidates = [...topic.actors, ...(topic.fallbackActors ?? [])]
        .flatMap((a) => (a === 'chamber' ? this.directory.chambersFor(null).slice(0, 1) : [a]))
        .filter((a) => everywhere.has(a) && !excludedByConstraint.has(a));
      outsideCounty = candidates.length > 0;
    }
    if (candidates.length === 0) {
      return triage('no-actor-in-county', `No actor serving "${top.name}" is present in the county; the export centre routes it by hand.`, top.id, dedupe(excluded));
    }
    const [assigned, ...sameTopic] = candidates as [string, ...string[]];
    const alternatives = [...sameTopic];
    for (const other of classification.topics.slice(1)) {
      if (other.rawScore < top.rawScore * SECONDARY_TOPIC_SHARE) break;
      for (const a of candidatesFor(other.id)) alternatives.push(a);
    }
    return {
      status: 'assigned',
      assignedActorId: assigned,
      alternatives: dedupe(alternatives).filter((a) => a !== assigned).slice(0, MAX_ALTERNATIVES),
      topicId: top.id,
      triageReason: null,
      explanation: `Top topic "${top.name}" (${top.matchedWords.join(', ')}); ${assigned} serves it${countyCode ? (outsideCounty ? ` from outside ${countyCode} (no office in the county)` : ` in ${countyCode}`) : ''}.`,
      excluded: dedupe(excluded),
    };
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

  /** Replaces the kind `chamber` with the chamber(s) serving the county. */
  private expand(actors: string[], countyCode: string | null): string[] {
    return dedupe(actors.flatMap((a) => (a === 'chamber' ? this.directory.chambersFor(countyCode).slice(0, 1) : [a])));
  }
}

/** "vi är 400 anställda", "140 anst", "we have 320 employees": the size a company states in its message. */
export function employeesInText(text: string): number | null {
  const m = /(\d[\d\s]{0,6})\s*(?:anställda|anst\.?|medarbetare|personer|pers\.?|employees|staff|people|persons)(?![\p{L}])/iu.exec(text);
  if (!m) return null;
  const n = Number(m[1]!.replace(/\s/g, ''));
  return Number.isFinite(n) ? n : null;
}

function triage(reason: TriageReason, explanation: string, topicId: string | null, excluded: ExcludedActor[]): RoutingDecision {
  return { status: 'triage', assignedActorId: null, alternatives: [], topicId, triageReason: reason, explanation, excluded };
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
