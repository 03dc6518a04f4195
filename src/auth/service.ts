import type { ApiKeyRepository, ApiKeyRow } from './repository.js';
import { generateToken, parseToken, secretMatches } from './tokens.js';
import { ROLES, type Role } from '../db/schema/auth.js';
import type { ReferenceService } from '../reference/service.js';
import { badRequest, conflict, notFound, type InvalidParam } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { both } from '../shared/i18n.js';
import type { AuditLog } from '../audit/service.js';

export { ROLES, type Role };

/** Who is calling: an authenticated API key, as routes and services see it. */
export interface Principal {
  keyId: string;
  role: Role;
  label: string;
  /** The actor a caseworker works for; null for other roles. */
  actorId: string | null;
  /** ISO 3166-2 county codes the key is limited to; null means every county. */
  counties: string[] | null;
}

export interface NewApiKey {
  role: Role;
  label: string;
  actorId?: string | undefined;
  counties?: string[] | undefined;
  /** Coordinators must name their counties, or ask for all of them explicitly (a national coordinator). */
  allCounties?: boolean | undefined;
}

export interface ApiKeyView {
  id: string;
  label: string;
  role: Role;
  actorId: string | null;
  counties: string[] | null;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'malformed' | 'invalid' | 'revoked' };

export interface ApiKeyServiceDeps {
  repository: ApiKeyRepository;
  reference: Pick<ReferenceService, 'actor' | 'places'>;
  clock: Clock;
  /** Where every creation and revocation is recorded, in the same transaction. */
  audit: Pick<AuditLog, 'record' | 'atomically'>;
}

/** Record last use at most this often per key, so that polling does not make every read a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** A hash no secret has, compared when the id is unknown so that both paths cost the same. */
const DUMMY_HASH = '0'.repeat(64);

export function createApiKeyService({ repository, reference, clock, audit }: ApiKeyServiceDeps) {
  function view(row: ApiKeyRow): ApiKeyView {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: row.id, label: row.label, role: row.role, actorId: row.actorId, counties: row.counties ?? null,
      createdAt: new Date(row.createdAt).toISOString(), createdBy: row.createdBy,
      revokedAt: iso(row.revokedAt), revokedBy: row.revokedBy, lastUsedAt: iso(row.lastUsedAt),
    };
  }

  /** Checks the scope a role allows: caseworkers need an actor, coordinators their counties, the rest neither. */
  function validate(input: NewApiKey): { label: string; actorId: string | null; counties: string[] | null } {
    const invalid: InvalidParam[] = [];
    const label = input.label.trim();
    if (label.length === 0 || label.length > 200) invalid.push({ name: 'body.label', reason: both('A label of 1 to 200 characters saying whose key this is', 'En etikett på 1 till 200 tecken som säger vems nyckeln är') });
    if (!ROLES.includes(input.role)) invalid.push({ name: 'body.role', reason: both(`One of ${ROLES.join(', ')}`, `En av ${ROLES.join(', ')}`) });

    let actorId: string | null = null;
    if (input.role === 'caseworker') {
      if (!input.actorId) invalid.push({ name: 'body.actorId', reason: both('A caseworker key works for one actor: give its id', 'En handläggarnyckel arbetar för en aktör: ange dess id') });
      else {
        const actor = reference.actor(input.actorId);
        if (!actor) invalid.push({ name: 'body.actorId', reason: both(`No actor "${input.actorId}"`, `Ingen aktör "${input.actorId}"`) });
        else if (!actor.active) invalid.push({ name: 'body.actorId', reason: both(`The actor "${input.actorId}" is inactive`, `Aktören "${input.actorId}" är inaktiv`) });
        else actorId = actor.id;
      }
    } else if (input.actorId) {
      invalid.push({ name: 'body.actorId', reason: both(`Only caseworker keys are bound to an actor, not ${input.role} keys`, `Bara handläggarnycklar hör till en aktör, inte ${input.role}-nycklar`) });
    }

    let counties: string[] | null = null;
    const given = input.counties ?? [];
    const resolved: string[] = [];
    for (const [i, c] of given.entries()) {
      const county = reference.places.resolveCountyInput(c);
      if (!county) invalid.push({ name: `body.counties.${i}`, reason: both(`Unknown county "${c}": use an ISO 3166-2 code (SE-M), an SCB code (12) or a name (Skåne)`, `Okänt län "${c}": ange en ISO 3166-2-kod (SE-M), en SCB-kod (12) eller ett namn (Skåne)`) });
      else if (!resolved.includes(county.code)) resolved.push(county.code);
    }
    if (input.role === 'coordinator') {
      if (input.allCounties && given.length > 0) invalid.push({ name: 'body.allCounties', reason: both('Either name the counties or ask for all of them, not both', 'Ange antingen länen eller alla län, inte båda') });
      else if (!input.allCounties && given.length === 0) {
        invalid.push({ name: 'body.counties', reason: both('A coordinator key serves named counties: give at least one, or allCounties for a national coordinator', 'En samordnarnyckel gäller namngivna län: ange minst ett, eller allCounties för en nationell samordnare') });
      }
    } else if (input.allCounties) {
      invalid.push({ name: 'body.allCounties', reason: both('Only coordinator keys need allCounties; other keys without counties are not limited by county', 'Bara samordnarnycklar behöver allCounties; andra nycklar utan län är inte begränsade till län') });
    }
    if ((input.role === 'admin' || input.role === 'intake' || input.role === 'metrics') && given.length > 0) {
      invalid.push({ name: 'body.counties', reason: both(`${input.role} keys are not limited by county`, `${input.role}-nycklar begränsas inte till län`) });
    }
    if (resolved.length > 0) counties = resolved.sort();

    if (invalid.length > 0) throw badRequest(null, invalid);
    return { label, actorId, counties };
  }

  return {
    /**
     * Creates a key; the token is returned here only, never again. Recorded in the audit log with its role and
     * scope (`createdBy`: the admin key's id, or `cli`).
     */
    create(input: NewApiKey, createdBy: string, byRole: string | null = null): { key: ApiKeyView; token: string } {
      const { label, actorId, counties } = validate(input);
      const { id, token, hash } = generateToken();
      const createdAt = clock();
      audit.atomically(() => {
        repository.insert({ id, label, role: input.role, actorId, counties, tokenHash: hash, createdAt, createdBy });
        audit.record({ by: createdBy, byRole }, { action: 'api-key-created', target: id, data: { role: input.role, label, actorId, counties, allCounties: counties === null } }, createdAt);
      });
      return { key: view(repository.byId(id)!), token };
    },

    list(options: { includeRevoked?: boolean } = {}): ApiKeyView[] {
      return repository.list(options.includeRevoked ?? false).map(view);
    },

    get(id: string): ApiKeyView {
      const row = repository.byId(id);
      if (!row) throw notFound(`No API key "${id}".`);
      return view(row);
    },

    /** Revokes a key (idempotent). The last active admin key cannot be revoked through the API, so admins never lock themselves out. */
    revoke(id: string, revokedBy: string, options: { allowLastAdmin?: boolean; byRole?: string | null } = {}): ApiKeyView {
      const at = clock();
      const row = audit.atomically(() => {
        const wasActive = repository.byId(id)?.revokedAt === null;
        const revoked = repository.revoke(id, at, revokedBy, (key, tx) => {
          if (key.role === 'admin' && !options.allowLastAdmin && repository.countActiveAdmins(tx) <= 1) {
            throw conflict('This is the last active admin key: create another admin key before revoking it.');
          }
        });
        if (revoked && wasActive) {
          audit.record({ by: revokedBy, byRole: options.byRole ?? null }, { action: 'api-key-revoked', target: id, data: { role: revoked.role, label: revoked.label } }, at);
        }
        return revoked;
      });
      if (!row) throw notFound(`No API key "${id}".`);
      return view(row);
    },

    /** Verifies a bearer token: lookup by its public id, constant-time comparison of hashes, then revocation. */
    authenticate(token: string): AuthResult {
      const parsed = parseToken(token);
      if (!parsed) return { ok: false, reason: 'malformed' };
      const row = repository.byId(parsed.id);
      const matches = secretMatches(parsed.secret, row?.tokenHash ?? DUMMY_HASH);
      if (!row || !matches) return { ok: false, reason: 'invalid' };
      if (row.revokedAt !== null) return { ok: false, reason: 'revoked' };
      const now = clock();
      if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_INTERVAL_MS) repository.touch(row.id, now);
      return {
        ok: true,
        principal: { keyId: row.id, role: row.role, label: row.label, actorId: row.actorId, counties: row.counties ?? null },
      };
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
