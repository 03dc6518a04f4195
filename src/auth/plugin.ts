/**
 * Authentication and roles: the whole interface other capabilities need.
 *
 *   import { requireRole, principalOf, BEARER } from '../auth/plugin.js';
 *
 *   app.get('/v1/stats/summary', {
 *     onRequest: requireRole('analyst', 'admin'),          // 401 without a valid key, 403 for any other role
 *     schema: { security: BEARER, response: { 200: ..., ...problemResponses(401, 403) }, ... },
 *     handler: async (request) => {
 *       const me = principalOf(request);                   // { keyId, role, label, actorId, counties }
 *       ...                                                // counties: ISO codes the key is limited to, null = all
 *     },
 *   });
 *
 * - `requireRole(...roles)`: a hook (use it as `onRequest`, so that callers without a key learn nothing
 *   from validation errors; it also works as a `preHandler`). Reads `Authorization: Bearer <token>`,
 *   verifies the key and its role and sets `request.principal`. Missing, malformed, unknown or revoked
 *   token: 401; valid key of another role: 403. Both are problem+json with a `WWW-Authenticate` header.
 * - `acceptRole(...roles)`: the same where anonymous calls are also allowed (request.principal stays
 *   null); a token that is sent must still be valid and of one of the roles.
 * - `principalOf(request)`: the principal after one of the hooks ran (throws 401 otherwise).
 * - `BEARER` / `BEARER_OR_ANONYMOUS`: the OpenAPI `security` of a route.
 *
 * Roles: `admin` manages keys, actors and presence (no case data); `coordinator` works its counties'
 * triage queue and cases; `caseworker` works the cases assigned to its actor (optionally only in some
 * counties); `analyst` reads statistics, never personal data; `intake` posts inquiries from form backends;
 * `metrics` reads /metrics (a Prometheus scraper), nothing else; `researcher` reads the research extract
 * (GET /v1/research/extract: one pseudonymised row per inquiry, src/effects/extract.ts), nothing else.
 * Tokens travel only in the Authorization header: a token in the URL is refused, since URLs get logged.
 */
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../shared/problems.js';
import type { ApiKeyService, Principal, Role } from './service.js';

export type { Principal, Role };

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeyService;
  }
  interface FastifyRequest {
    /** The authenticated caller, set by requireRole/acceptRole; null when anonymous. */
    principal: Principal | null;
  }
}

type Security = { [scheme: string]: string[] }[];
export const BEARER: Security = [{ bearerAuth: [] }];
export const BEARER_OR_ANONYMOUS: Security = [{ bearerAuth: [] }, {}];

const REALM = 'en-dorr-in';
const TOKEN_IN_URL = /edi_[0-9a-f]{16}_/;

function challenge(error?: 'invalid_token' | 'insufficient_scope', description?: string): Record<string, string> {
  const parts = [`Bearer realm="${REALM}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, '')}"`);
  return { 'www-authenticate': parts.join(', ') };
}

function unauthorized(detail: string, error?: 'invalid_token'): ProblemError {
  return new ProblemError(401, 'unauthorized', 'Authentication required', detail, undefined, challenge(error, error ? detail : undefined));
}

function forbidden(detail: string): ProblemError {
  return new ProblemError(403, 'forbidden', 'Not allowed', detail, undefined, challenge('insufficient_scope', detail));
}

/** Authenticates once per request; null when no credentials were sent. Throws 401 for bad ones. */
function authenticate(request: FastifyRequest): Principal | null {
  if (request.principal) return request.principal;
  if (TOKEN_IN_URL.test(request.url)) {
    throw unauthorized('Send the token in the Authorization header, never in the URL. URLs are logged: revoke this token and create a new one.', 'invalid_token');
  }
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Use "Authorization: Bearer <token>" with an API key.', 'invalid_token');
  const result = request.server.apiKeys.authenticate(match[1]!);
  if (!result.ok) {
    const detail = result.reason === 'revoked' ? 'This API key has been revoked.'
      : result.reason === 'malformed' ? 'This is not an API key of this service.'
        : 'Unknown or invalid API key.';
    throw unauthorized(detail, 'invalid_token');
  }
  request.principal = result.principal;
  // The key id (never the token) on every later log line of this request, for the audit trail.
  request.log = request.log.child({ keyId: result.principal.keyId, role: result.principal.role });
  return result.principal;
}

function checkRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) {
    throw forbidden(`This needs a key with the role ${roles.join(' or ')}; this key is a ${principal.role} key.`);
  }
}

/** Hook: a valid key with one of the roles, else 401/403. */
export function requireRole(...roles: Role[]) {
  return async function requireRoleHook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const principal = authenticate(request);
    if (!principal) throw unauthorized('This needs an API key: send "Authorization: Bearer <token>".');
    checkRole(principal, roles);
  };
}

/** Hook: anonymous calls pass; a key that is sent must be valid and have one of the roles. */
export function acceptRole(...roles: Role[]) {
  return async function acceptRoleHook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const principal = authenticate(request);
    if (principal) checkRole(principal, roles);
  };
}

/** The caller, after requireRole ran. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('This needs an API key: send "Authorization: Bearer <token>".');
  return request.principal;
}

/** Registers the key service and the request decoration; register before the routes that use the hooks. */
export default fp(
  async (app, opts: { apiKeys: ApiKeyService }) => {
    app.decorate('apiKeys', opts.apiKeys);
    app.decorateRequest('principal', null);
  },
  { name: 'auth' },
);
