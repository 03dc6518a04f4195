import type { Knowledge, KnowledgeTopic } from '../classification/knowledge.js';
import type { ActorDirectory } from '../routing/router.js';
import type { ReferenceRepository } from './repository.js';
import { notFound } from '../shared/problems.js';
import type { Places } from './places.js';
import { both } from '../shared/i18n.js';

export type ActorKind = 'core' | 'public' | 'chamber';
export interface Actor { id: string; name: string; kind: ActorKind; description: string; website: string | null; active: boolean }
export interface ActorPresence { countyCode: string; office: string }
export interface CountyRef { code: string; scbCode: string; name: string }

/**
 * Reference data held in memory: read on every intake, changed rarely (by admins), so the hot path
 * never queries it. Call reload() after a change.
 */
export class ReferenceService implements ActorDirectory {
  private actorsById = new Map<string, Actor>();
  private presenceByActor = new Map<string, ActorPresence[]>();
  private actorsByCounty = new Map<string, Set<string>>();
  private allActive = new Set<string>();
  private chambersByCounty = new Map<string, string[]>();
  private nationalChamber: string[] = [];

  constructor(
    private readonly repository: ReferenceRepository,
    readonly places: Places,
    readonly knowledge: Knowledge,
  ) {
    this.reload();
  }

  reload(): void {
    this.actorsById = new Map(this.repository.actors().map((a) => [a.id, a as Actor]));
    this.presenceByActor = new Map();
    this.actorsByCounty = new Map();
    this.chambersByCounty = new Map();
    for (const p of this.repository.presence()) {
      const actor = this.actorsById.get(p.actorId);
      if (!actor?.active) continue;
      const list = this.presenceByActor.get(p.actorId) ?? [];
      list.push({ countyCode: p.countyCode, office: p.office });
      this.presenceByActor.set(p.actorId, list);
      const set = this.actorsByCounty.get(p.countyCode) ?? new Set();
      set.add(p.actorId);
      this.actorsByCounty.set(p.countyCode, set);
      if (actor.kind === 'chamber') {
        const chambers = this.chambersByCounty.get(p.countyCode) ?? [];
        chambers.push(p.actorId);
        this.chambersByCounty.set(p.countyCode, chambers);
      }
    }
    this.allActive = new Set([...this.actorsById.values()].filter((a) => a.active).map((a) => a.id));
    // With no county known, a document question goes to the chamber serving the capital region:
    // chambers issue documents for companies from anywhere in Sweden.
    this.nationalChamber = this.chambersByCounty.get('SE-AB') ?? [...this.allActive].filter((id) => this.actorsById.get(id)?.kind === 'chamber').slice(0, 1);
  }

  // ActorDirectory
  actorsIn(countyCode: string | null): ReadonlySet<string> {
    if (countyCode === null) return this.allActive;
    return this.actorsByCounty.get(countyCode) ?? new Set();
  }

  chambersFor(countyCode: string | null): string[] {
    if (countyCode === null) return this.nationalChamber;
    return this.chambersByCounty.get(countyCode) ?? [];
  }

  actor(id: string): Actor | undefined {
    return this.actorsById.get(id);
  }

  actors(): Actor[] {
    return [...this.actorsById.values()];
  }

  presenceOf(actorId: string): ActorPresence[] {
    return this.presenceByActor.get(actorId) ?? [];
  }

  countyRef(code: string | null): CountyRef | null {
    if (!code) return null;
    const c = this.places.county(code);
    return c ? { code: c.code, scbCode: c.scbCode, name: c.name } : null;
  }

  /** Looks a county up by any accepted form of its name or code; 404 when unknown. */
  requireCounty(input: string) {
    const county = this.places.resolveCountyInput(input);
    if (!county) {
      throw notFound(both(`No county "${input}". Use an ISO 3166-2 code (SE-M), an SCB code (12) or a name (Skåne).`,
        `Inget län "${input}". Ange en ISO 3166-2-kod (SE-M), en SCB-kod (12) eller ett namn (Skåne).`));
    }
    return county;
  }

  topics(): KnowledgeTopic[] {
    return this.knowledge.topics;
  }

  /** For one county: each topic with the actors present there that serve it, in preference order. */
  servicesIn(countyCode: string) {
    const present = this.actorsIn(countyCode);
    return this.knowledge.topics.map((t) => {
      const ids = t.actors.flatMap((a) => (a === 'chamber' ? this.chambersFor(countyCode) : [a])).filter((a) => present.has(a));
      return { topic: t, actors: ids.map((id) => this.actorsById.get(id)!) };
    });
  }
}
