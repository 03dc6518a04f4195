import type { ActorAdminRepository, ActorRow } from './repository.js';
import type { ReferenceService } from '../reference/service.js';
import { badRequest, notFound, ProblemError, type InvalidParam } from '../shared/problems.js';
import { both } from '../shared/i18n.js';
import type { AuditActor, AuditLog } from '../audit/service.js';

export type ActorKind = 'core' | 'public' | 'chamber';

export interface AdminActor {
  id: string;
  name: string;
  kind: ActorKind;
  description: string;
  website: string | null;
  active: boolean;
  counties: { code: string; office: string }[];
}

export interface NewActor { id: string; name: string; kind: ActorKind; description: string; website?: string | null | undefined; active?: boolean | undefined }
export type ActorPatch = Partial<Omit<NewActor, 'id'>>;

/**
 * The actor directory as admins manage it: actors (including inactive ones) and the counties each
 * takes inquiries in. Routing reads the in-memory ReferenceService, so every change ends with reload().
 * Actors are deactivated, never deleted: inquiries, keys and history refer to them.
 */
export interface ActorAdminDeps {
  repository: ActorAdminRepository;
  reference: Pick<ReferenceService, 'reload' | 'places'>;
  /** Every change to the directory is recorded in the audit log, in the same transaction. */
  audit: Pick<AuditLog, 'record' | 'atomically'>;
}

export function createActorAdminService({ repository, reference, audit }: ActorAdminDeps) {
  function view(row: ActorRow): AdminActor {
    return {
      id: row.id, name: row.name, kind: row.kind, description: row.description, website: row.website, active: row.active,
      counties: repository.presenceOf(row.id).map((p) => ({ code: p.countyCode, office: p.office })),
    };
  }

  function require(id: string): ActorRow {
    const row = repository.actor(id);
    if (!row) throw notFound(`No actor "${id}".`);
    return row;
  }

  return {
    list(): AdminActor[] {
      const presence = new Map<string, { code: string; office: string }[]>();
      for (const p of repository.allPresence()) {
        const list = presence.get(p.actorId) ?? [];
        list.push({ code: p.countyCode, office: p.office });
        presence.set(p.actorId, list);
      }
      return repository.actors().map((a) => ({
        id: a.id, name: a.name, kind: a.kind, description: a.description, website: a.website, active: a.active,
        counties: presence.get(a.id) ?? [],
      }));
    },

    get: (id: string): AdminActor => view(require(id)),

    create(input: NewActor, by: AuditActor): AdminActor {
      const inserted = audit.atomically(() => {
        const done = repository.insert({
          id: input.id, name: input.name, kind: input.kind, description: input.description,
          website: input.website ?? null, active: input.active ?? true,
        });
        if (done) audit.record(by, { action: 'actor-created', target: input.id, data: { name: input.name, kind: input.kind, active: input.active ?? true } });
        return done;
      });
      if (!inserted) throw new ProblemError(409, 'conflict', 'Conflict with the current state', `An actor "${input.id}" already exists: change it with PATCH.`);
      reference.reload();
      return view(require(input.id));
    },

    update(id: string, patch: ActorPatch, by: AuditActor): AdminActor {
      require(id);
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Omit<ActorRow, 'id'>>;
      if (Object.keys(set).length > 0) {
        audit.atomically(() => {
          repository.update(id, set);
          audit.record(by, { action: 'actor-changed', target: id, data: { changed: set } });
        });
        reference.reload();
      }
      return view(require(id));
    },

    /** Replaces where the actor takes inquiries: one office per county. */
    setPresence(id: string, counties: { county: string; office: string }[], by: AuditActor): AdminActor {
      require(id);
      const invalid: InvalidParam[] = [];
      const rows: { countyCode: string; office: string }[] = [];
      counties.forEach((c, i) => {
        const county = reference.places.resolveCountyInput(c.county);
        if (!county) invalid.push({ name: `body.counties.${i}.county`, reason: both(`Unknown county "${c.county}"`, `Okänt län "${c.county}"`) });
        else if (rows.some((r) => r.countyCode === county.code)) invalid.push({ name: `body.counties.${i}.county`, reason: both(`${county.code} is listed twice`, `${county.code} står två gånger`) });
        else rows.push({ countyCode: county.code, office: c.office });
      });
      if (invalid.length > 0) throw badRequest(null, invalid);
      audit.atomically(() => {
        repository.replacePresence(id, rows);
        audit.record(by, { action: 'actor-presence-set', target: id, data: { counties: rows.map((r) => r.countyCode) } });
      });
      reference.reload();
      return view(require(id));
    },
  };
}

export type ActorAdminService = ReturnType<typeof createActorAdminService>;
