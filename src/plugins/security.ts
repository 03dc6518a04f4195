import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { ApiKeyService } from '../auth/service.js';
import { ProblemError } from '../shared/problems.js';
import { both } from '../shared/i18n.js';

/**
 * Abuse protection and browser hardening, in one registration (before the routes):
 *
 * - Rate limits, fixed one-minute windows kept in this process's memory (a second instance keeps its own):
 *   a request with a valid API key counts against that key, by its id (never the token), at
 *   RATE_LIMIT_PER_KEY_PER_MINUTE; anonymous requests (and those with a bad token) count against the client
 *   address, writes (intake, routing preview, feedback) at RATE_LIMIT_ANONYMOUS_PER_MINUTE and reads
 *   (reference data, status links) at RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE. IPv6 clients count per /64,
 *   since one host usually holds a whole /64. Behind a reverse proxy set TRUST_PROXY, or every client is the
 *   proxy. Health checks are not limited (/metrics needs a key and counts against it). 0 turns a limit off. Over the limit: 429
 *   problem+json with Retry-After. The limiter runs as the first onRequest hook of the app, before
 *   authentication, so failed logins are limited too.
 * - CORS: only the regional forms' origins (TRUSTED_FORM_ORIGINS) get CORS headers; every other origin
 *   gets none, so a browser on another site cannot read the answers. No credentials: keys are never ambient.
 * - Caching: every response is `Cache-Control: no-store` unless its route says otherwise. Most answers carry
 *   personal data or a status token (the intake 201, the status view, cases, deadlines, the key list), and a
 *   default that forgets nothing is safer than a list of routes to remember; only public reference data opts in.
 * - Security headers (helmet) for a JSON API: a CSP that allows nothing (no document of ours is meant to
 *   render), no framing, no referrer, HSTS, nosniff. Swagger UI under /docs gets a CSP that lets it run
 *   its own scripts and styles from this origin.
 */
export interface SecurityOptions {
  config: Pick<Config, 'TRUSTED_FORM_ORIGINS' | 'RATE_LIMIT_ANONYMOUS_PER_MINUTE' | 'RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE' | 'RATE_LIMIT_PER_KEY_PER_MINUTE'>;
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
}

const API_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
};

const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"], fontSrc: ["'self'", 'data:'], frameAncestors: ["'none'"], baseUri: ["'self'"], formAction: ["'self'"],
  },
};

const UNLIMITED_PATHS = /^\/health\//;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The address a limit counts against: IPv4 as is, IPv6 by its /64. */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bare = ip.split('%')[0]!;
  const [head = '', tail] = bare.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

export default fp(
  async (app, { config, apiKeys }: SecurityOptions) => {
    const limits = {
      key: config.RATE_LIMIT_PER_KEY_PER_MINUTE,
      write: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      read: config.RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE,
    };
    const bucketOf = (key: string) => key.slice(0, key.indexOf(':')) as keyof typeof limits;

    /** key:<key id> for a valid API key; write:<address> or read:<address> otherwise. */
    function clientKey(request: FastifyRequest): string {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (match) {
        const result = apiKeys.authenticate(match[1]!);
        if (result.ok) return `key:${result.principal.keyId}`;
      }
      return `${READ_METHODS.has(request.method) ? 'read' : 'write'}:${addressKey(request.ip)}`;
    }

    await app.register(rateLimit, {
      global: false,
      timeWindow: 60_000,
      keyGenerator: clientKey,
      max: (_request, key) => limits[bucketOf(key)],
      allowList: (request, key) => UNLIMITED_PATHS.test(request.url.split('?')[0]!) || limits[bucketOf(key)] === 0,
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        return new ProblemError(429, 'rate-limited', 'Too many requests',
          both(`At most ${context.max} requests a minute from this client: retry in ${seconds} s.`, `Högst ${context.max} förfrågningar i minuten från denna klient: försök igen om ${seconds} s.`),
          undefined, { 'retry-after': String(seconds) });
      },
    });
    // With every limit off (tests, benchmarks) the limiter is not even asked.
    if (limits.key > 0 || limits.write > 0 || limits.read > 0) app.addHook('onRequest', app.rateLimit());

    const allowed = new Set(config.TRUSTED_FORM_ORIGINS);
    await app.register(cors, {
      // false: no CORS at all for this request (no headers; a preflight gets the 404 problem).
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['content-type', 'idempotency-key', 'x-request-id', 'traceparent', 'accept-language'],
      exposedHeaders: ['location', 'x-request-id', 'retry-after', 'idempotent-replayed'],
      credentials: false,
      maxAge: 600,
      strictPreflight: false,
    });

    app.addHook('onSend', async (_request, reply) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });

    await app.register(helmet, { contentSecurityPolicy: API_CSP, crossOriginEmbedderPolicy: false });
    // Swagger UI's routes are registered later; give them their own CSP as they come.
    app.addHook('onRoute', (route) => {
      if (route.url === '/docs' || route.url.startsWith('/docs/')) {
        route.config = { ...(route.config ?? {}), helmet: { contentSecurityPolicy: DOCS_CSP } } as typeof route.config;
      }
    });
  },
  { name: 'security', dependencies: ['errors'] },
);
