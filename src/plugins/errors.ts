import http from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ProblemError, problemType, type InvalidParam, type Problem } from '../shared/problems.js';
import { both, preferredLanguage, say, svIssueReason, titleIn, type Text } from '../shared/i18n.js';

/**
 * One place that turns every error into RFC 9457 problem+json, in the caller's language (Swedish for
 * Accept-Language: sv): validation errors name each field, framework errors (413, 415, malformed JSON) keep
 * their status, errors the HTTP parser raises before any request exists (431 over-long headers, 408) are
 * problem+json too, and anything unexpected becomes a 500 without a stack trace. The request id is in every
 * problem so support can find the log lines.
 *
 * Unknown query parameters are refused like unknown body fields: every route's querystring is a strict object
 * (a route without one takes none), with a hint for the usual mistakes (`format=csv`, a key in the URL).
 */
export interface ProblemInput {
  type: string;
  title: Text;
  status: number;
  detail?: Text | undefined;
  invalidParams?: InvalidParam[] | undefined;
}

const TYPE_BASE = problemType('');

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemInput) {
  const language = preferredLanguage(request.headers['accept-language']);
  const slug = problem.type.startsWith(TYPE_BASE) ? problem.type.slice(TYPE_BASE.length) : problem.type;
  const invalidParams = problem.invalidParams?.map((p) => ({ name: p.name, reason: say(p.reason, language) }));
  const detail = problem.detail !== undefined
    ? say(problem.detail, language)
    : invalidParams?.map((p) => `${p.name}: ${p.reason}`).join('; ');
  const body: Problem = {
    type: problem.type,
    title: titleIn(language, slug, problem.status, problem.title),
    status: problem.status,
    ...(detail !== undefined ? { detail } : {}),
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...(invalidParams ? { invalidParams } : {}),
  };
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, accept-language` : 'accept-language');
  return reply.code(problem.status).header('content-language', language).type('application/problem+json').send(body);
}

const FRAMEWORK_ERRORS: Record<string, { status: number; slug: string; title: string; detail?: Text }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type',
    detail: both('Send the body as application/json (the import takes application/x-ndjson).', 'Skicka innehållet som application/json (importen tar application/x-ndjson).'),
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, slug: 'malformed-request', title: 'Malformed request' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413, slug: 'payload-too-large', title: 'Request body too large',
    detail: both('The request body is larger than this service accepts.', 'Begärans innehåll är större än tjänsten tar emot.'),
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, slug: 'malformed-json', title: 'Malformed JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400, slug: 'malformed-json', title: 'Malformed JSON',
    detail: both('The body is not valid JSON.', 'Innehållet är inte giltig JSON.'),
  },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
};

/** What people usually mean by a query parameter we do not take. */
const QUERY_HINTS: { names: RegExp; hint: Text }[] = [
  {
    names: /^(format|output|type|accept)$/i,
    hint: both('ask for another format with the Accept header (Accept: text/csv where CSV is offered), not a parameter',
      'be om ett annat format med rubriken Accept (Accept: text/csv där CSV erbjuds), inte med en parameter'),
  },
  {
    names: /^(token|access_token|api_?key|key|auth|authorization|bearer)$/i,
    hint: both('never put a key in a URL (URLs are logged): send Authorization: Bearer <token>',
      'lägg aldrig en nyckel i en adress (adresser loggas): skicka Authorization: Bearer <token>'),
  },
  {
    names: /^(page|offset|per_?page|page_?size|size|skip)$/i,
    hint: both('page with limit and the nextCursor of the previous page (cursor)', 'bläddra med limit och föregående sidas nextCursor (cursor)'),
  },
  {
    names: /^(since|updated_?since|modified_?since|changed_?since)$/i,
    hint: both('use updatedSince (RFC 3339)', 'använd updatedSince (RFC 3339)'),
  },
  {
    names: /^(lang|language|locale|hl)$/i,
    hint: both('send Accept-Language: sv for Swedish', 'skicka Accept-Language: sv för svenska'),
  },
];

function unknownParameter(key: string, context: string): Text {
  if (context !== 'querystring') return both('Unknown field', 'Okänt fält');
  const hint = QUERY_HINTS.find((h) => h.names.test(key))?.hint;
  if (!hint) return both('Unknown parameter', 'Okänd parameter');
  return both(`Unknown parameter: ${say(hint, 'en')}`, `Okänd parameter: ${say(hint, 'sv')}`);
}

/** Zod's issues as invalid fields, each reason in both languages. */
function invalidParamsOf(error: FastifyError & { validation: { keyword: string; instancePath: string; message?: string; params: Record<string, unknown> }[] }): InvalidParam[] {
  const context = error.validationContext ?? 'body';
  return error.validation.flatMap((v) => {
    const path = [context, ...v.instancePath.split('/').filter(Boolean)].join('.');
    if (v.keyword === 'unrecognized_keys') {
      const keys = (v.params as { keys?: string[] }).keys ?? [];
      return keys.map((key) => ({ name: `${path}.${key}`, reason: unknownParameter(key, context) }));
    }
    return [{ name: path, reason: both(v.message ?? 'Invalid value', svIssueReason(v, context)) }];
  });
}

/**
 * Errors of the HTTP parser, before Fastify has a request (a header block over the limit, a request too slow to
 * arrive, a malformed request line): answered as problem+json, then the connection is closed, as Node would.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, slug, title, detail] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers-too-large', 'Request header fields too large', 'The request headers are larger than this service accepts (16 KB in all).']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request-timeout', 'Request timeout', 'The request did not arrive in time.']
        : [400, 'malformed-request', 'Malformed request', 'The request is not valid HTTP.'];
  const requestId = randomUUID();
  this.log.debug({ requestId, code: error.code, status }, 'client error');
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  const body = JSON.stringify({ type: problemType(slug), title, status, detail, requestId });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A querystring schema that refuses unknown parameters: the route's own, made strict, or one that takes none. */
function strictQuerystring(schema: unknown): unknown {
  if (schema === undefined) return z.strictObject({});
  if (schema instanceof z.ZodObject && !(schema.def.catchall instanceof z.ZodNever)) return schema.strict();
  return schema;
}

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof ProblemError) {
        if (error.headers) reply.headers(error.headers);
        return sendProblem(request, reply, {
          type: error.type, title: error.titleText, status: error.status,
          detail: error.detailText ?? (error.invalidParams ? undefined : error.titleText),
          ...(error.invalidParams ? { invalidParams: error.invalidParams } : {}),
        });
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        return sendProblem(request, reply, {
          type: problemType('validation-error'), title: 'Your request is not valid', status: 400,
          invalidParams: invalidParamsOf(error as Parameters<typeof invalidParamsOf>[0]),
        });
      }
      if (isResponseSerializationError(error)) {
        request.log.error({ err: { message: error.message, issues: error.cause.issues } }, 'response does not match its schema');
        return sendProblem(request, reply, { type: problemType('internal-error'), title: 'Internal error', status: 500, detail: both('An unexpected error occurred.', 'Ett oväntat fel inträffade.') });
      }
      const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
      if (known) {
        return sendProblem(request, reply, { type: problemType(known.slug), title: known.title, status: known.status, detail: known.detail ?? error.message });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const headers = (error as { headers?: Record<string, string> }).headers;
        if (headers) reply.headers(headers);
        return sendProblem(request, reply, { type: problemType(status === 429 ? 'rate-limited' : 'client-error'), title: status === 429 ? 'Too many requests' : 'Bad request', status, detail: error.message });
      }
      // Only the message and stack go to the log: never the request body, which holds personal data.
      request.log.error({ err: { message: error.message, stack: error.stack, code: error.code } }, 'unexpected error');
      return sendProblem(request, reply, {
        type: problemType('internal-error'), title: 'Internal error', status: 500,
        detail: both('An unexpected error occurred. Quote the request id when you contact support.', 'Ett oväntat fel inträffade. Ange begärans id (requestId) när du kontaktar supporten.'),
      });
    });

    // A known path with a method it does not take is a 405 with Allow, not a 404: the routes' patterns are
    // collected as they are registered and only consulted on the not-found path.
    const patterns: { method: string; pattern: RegExp }[] = [];
    app.addHook('onRoute', (route) => {
      if (route.url.includes('*')) return;
      const source = route.url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('/');
      const pattern = new RegExp(`^${source}/?$`);
      for (const method of [route.method].flat()) if (method !== 'OPTIONS') patterns.push({ method, pattern });
    });

    // Unknown query parameters are refused on every API route of ours. Not on Swagger UI's pages under /docs
    // (not ours), nor on the pages for people (hidden from the API document): they read their own query
    // (a language, a period) and answer a bad one with an HTML page that names the field.
    app.addHook('onRoute', (route) => {
      if (route.url === '/docs' || route.url.startsWith('/docs/')) return;
      if ((route.schema as { hide?: boolean } | undefined)?.hide === true) return;
      route.schema = { ...(route.schema ?? {}), querystring: strictQuerystring(route.schema?.querystring) };
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]!;
      const allow = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
      if (allow.length > 0 && !allow.includes(request.method)) {
        reply.header('allow', allow.join(', '));
        return sendProblem(request, reply, {
          type: problemType('method-not-allowed'), title: 'Method not allowed', status: 405,
          detail: both(`${path} takes ${allow.join(', ')}, not ${request.method}.`, `${path} tar ${allow.join(', ')}, inte ${request.method}.`),
        });
      }
      return sendProblem(request, reply, {
        type: problemType('not-found'), title: 'Not found', status: 404,
        detail: both(`No route for ${request.method} ${path}`, `Ingen resurs för ${request.method} ${path}`),
      });
    });
  },
  { name: 'errors' },
);
