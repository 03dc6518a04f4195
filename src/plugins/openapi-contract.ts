/**
 * Completes the generated OpenAPI document in one place, so that it tells the truth about what the server sends
 * without every route repeating it. The routes' zod schemas give paths, parameters, bodies and success shapes;
 * everything the server adds around them is added here from what the server actually does:
 *
 * - every error is `application/problem+json` with the one shared `Problem` schema (src/plugins/errors.ts sends
 *   nothing else); 400 (validation, unknown query parameters) and 500 on every operation, 413 and 415 on every
 *   operation with a body, 401 and 403 with `WWW-Authenticate` on every operation that takes a key;
 * - the rate limiter (src/plugins/security.ts) runs on every route outside /health: 429 with `Retry-After` on each
 *   of those operations, and the `X-RateLimit-*` headers on all their answers; `X-Request-Id` on every answer;
 * - response headers that only some routes send (ETag, Location, Idempotent-Replayed, Content-Disposition) are
 *   declared beside the code that sends them, in the route's `config.responseHeaders`, and turned into header
 *   objects here; a 304 has no body;
 * - a body that may be left out (a route whose body schema accepts null) is not `required`;
 * - a body of JSON lines (NDJSON) names the schema of each line (`config.requestItemSchema`) in `x-item-schema`,
 *   as OpenAPI 3.2's `itemSchema` will, so that clients can type the lines they join, and in the body schema's
 *   `contentSchema` (JSON Schema's keyword for what a string holds, which linters such as Redocly follow);
 * - public operations say `security: []`;
 * - the type provider emits an input and an output variant of every named schema: identical pairs become one
 *   schema, and schemas nothing refers to are dropped (one schema per shape).
 */

/** Response headers that routes can declare in `config.responseHeaders`. */
export type ResponseHeader = 'ETag' | 'Location' | 'Idempotent-Replayed' | 'Content-Disposition';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Headers this route's answers carry beyond the shared ones, per status code (for the OpenAPI document). */
    responseHeaders?: Partial<Record<number, readonly ResponseHeader[]>>;
    /** For a body of JSON lines: the named schema of each line (for the OpenAPI document). */
    requestItemSchema?: string;
  }
}

/** The operation key where the per-route transform hands `config.responseHeaders` to the document transform. */
export const RESPONSE_HEADERS_KEY = 'x-response-headers';
/** The same for `config.requestItemSchema`. */
export const REQUEST_ITEM_SCHEMA_KEY = 'x-request-item-schema';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const HEADERS: Record<string, { description: string; schema: Record<string, unknown> }> = {
  'X-Request-Id': {
    description: 'The request id (the trace id of a W3C `traceparent` when one was sent); quote it to support',
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this caller (absent when limits are off)', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the current window ends', schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  'WWW-Authenticate': { description: 'The Bearer challenge (RFC 6750), with the error when a token was sent but not accepted', schema: { type: 'string' } },
  'Content-Language': { description: 'The language of the title, detail and reasons: `sv` for `Accept-Language: sv`, `en` otherwise', schema: { type: 'string', enum: ['en', 'sv'] } },
  ETag: { description: 'The entity tag: a case\'s version (strong, `"7"`) to send in `If-Match`, or a list\'s weak tag to send in `If-None-Match`', schema: { type: 'string' } },
  Location: { description: 'Where the created resource is read', schema: { type: 'string' } },
  'Idempotent-Replayed': { description: '`true` when this answer repeats an earlier one for the same `Idempotency-Key`', schema: { type: 'string', enum: ['true'] } },
  'Content-Disposition': { description: 'A file name for the download', schema: { type: 'string' } },
};

const ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'Invalid request: the problem names each invalid field (unknown query parameters included)',
  401: 'Missing, unknown or revoked API key',
  403: 'The API key\'s role does not allow this',
  413: 'The request body is too large',
  415: 'The request body has the wrong media type',
  429: 'Too many requests: wait as long as Retry-After says',
  500: 'Unexpected error (the problem carries the request id, never details)',
};

type Json = Record<string, unknown>;
interface Response { description?: string; content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }
interface Operation {
  security?: Json[];
  responses?: Record<string, Response>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  [RESPONSE_HEADERS_KEY]?: Partial<Record<string, readonly string[]>>;
  [REQUEST_ITEM_SCHEMA_KEY]?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function completeOperation(path: string, op: Operation, schemas: Json): void {
  const responses = (op.responses ??= {});
  const rateLimited = !path.startsWith('/health/');
  const needsKey = Array.isArray(op.security) && op.security.length > 0;
  const publicOperation = !needsKey;
  const takesBody = op.requestBody !== undefined;

  // A body the route lets the caller leave out (its schema accepts null) is optional, and the null is not part of it.
  for (const media of Object.values(op.requestBody?.content ?? {})) {
    const anyOf = media.schema?.anyOf;
    if (Array.isArray(anyOf) && anyOf.some((s) => isObject(s) && s.type === 'null')) {
      const rest = anyOf.filter((s) => !(isObject(s) && s.type === 'null'));
      media.schema = rest.length === 1 && isObject(rest[0]) ? rest[0] : { anyOf: rest };
      if (op.requestBody) op.requestBody.required = false;
    }
  }

  const itemSchema = op[REQUEST_ITEM_SCHEMA_KEY];
  delete op[REQUEST_ITEM_SCHEMA_KEY];
  const lines = op.requestBody?.content?.['application/x-ndjson'];
  // What a client writes is the input variant (defaults optional), when the type provider made one.
  const itemName = itemSchema && schemas[`${itemSchema}Input`] !== undefined ? `${itemSchema}Input` : itemSchema;
  if (itemName && lines) {
    Object.assign(lines, { 'x-item-schema': { $ref: `#/components/schemas/${itemName}` } });
    // The same in JSON Schema's own words (the string's content is NDJSON of these lines), which linters follow.
    if (isObject(lines.schema)) Object.assign(lines.schema, { contentMediaType: 'application/x-ndjson', contentSchema: { $ref: `#/components/schemas/${itemName}` } });
  }

  const errorStatuses = new Set(Object.keys(responses).filter((s) => Number(s) >= 400));
  errorStatuses.add('400').add('500');
  if (takesBody) errorStatuses.add('413').add('415');
  if (needsKey) errorStatuses.add('401').add('403');
  if (rateLimited) errorStatuses.add('429');
  for (const status of errorStatuses) {
    const existing = responses[status];
    responses[status] = {
      description: existing?.description && existing.description !== 'Default Response' ? existing.description : ERROR_DESCRIPTIONS[status] ?? 'Error',
      headers: { ...existing?.headers, 'Content-Language': headerRef('Content-Language') },
      content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  if (responses['401']) responses['401'].headers = { ...responses['401'].headers, 'WWW-Authenticate': headerRef('WWW-Authenticate') };
  if (responses['403']) responses['403'].headers = { ...responses['403'].headers, 'WWW-Authenticate': headerRef('WWW-Authenticate') };
  if (responses['429']) responses['429'].headers = { ...responses['429'].headers, 'Retry-After': headerRef('Retry-After') };

  // Success answers the route left undescribed say what they carry instead of the generator's "Default Response".
  for (const [status, response] of Object.entries(responses)) {
    if (response.description !== 'Default Response') continue;
    const schema = Object.values(response.content ?? {})[0]?.schema;
    const name = isObject(schema) && typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
    const what = status === '201' ? 'Created' : 'OK';
    response.description = name ? `${what}: the ${name}` : what;
  }

  // 304 Not Modified has no body.
  if (responses['304']) delete responses['304'].content;

  const declared = op[RESPONSE_HEADERS_KEY] ?? {};
  delete op[RESPONSE_HEADERS_KEY];
  for (const [status, response] of Object.entries(responses)) {
    const headers: Record<string, unknown> = { 'X-Request-Id': headerRef('X-Request-Id') };
    if (rateLimited) for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) headers[name] = headerRef(name);
    for (const name of declared[status] ?? []) headers[name] = headerRef(name);
    response.headers = { ...headers, ...response.headers };
  }

  if (publicOperation) op.security = [];
  op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every `$ref` string in the document. */
function collectRefs(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value);
      else collectRefs(value, into);
    }
  }
  return into;
}

function renameRefs(node: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => renameRefs(item, renames));
  if (!isObject(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [
    key, key === '$ref' && typeof value === 'string' ? renames.get(value) ?? value : renameRefs(value, renames),
  ]));
}

/** One schema per shape: `XInput` identical to `X` becomes `X`; schemas nothing refers to go. */
function dedupeSchemas(document: Json): Json {
  const components = isObject(document.components) ? document.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const renames = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    const base = name.endsWith('Input') ? name.slice(0, -'Input'.length) : null;
    if (base && schemas[base] !== undefined) renames.set(`#/components/schemas/${name}`, `#/components/schemas/${base}`);
  }
  // Compare with the renames applied, so that an input variant referring to other input variants still matches.
  for (const [from, to] of [...renames]) {
    const a = JSON.stringify(renameRefs(schemas[from.split('/').pop()!], renames));
    const b = JSON.stringify(renameRefs(schemas[to.split('/').pop()!], renames));
    if (a !== b) renames.delete(from);
  }
  let result = renameRefs(document, renames) as Json;
  // Drop unreferenced schemas until none is left (a dropped schema may have been the only user of another).
  for (;;) {
    const resultComponents = result.components as Json;
    const resultSchemas = resultComponents.schemas as Json;
    const used = collectRefs({ ...result, components: { ...resultComponents, schemas: undefined } }, new Set());
    const usedBySchemas = new Set<string>();
    for (const [name, schema] of Object.entries(resultSchemas)) {
      for (const ref of collectRefs(schema, new Set())) if (ref !== `#/components/schemas/${name}`) usedBySchemas.add(ref);
    }
    const unused = Object.keys(resultSchemas).filter((name) => !used.has(`#/components/schemas/${name}`) && !usedBySchemas.has(`#/components/schemas/${name}`));
    if (unused.length === 0) break;
    result = { ...result, components: { ...resultComponents, schemas: Object.fromEntries(Object.entries(resultSchemas).filter(([name]) => !unused.includes(name))) } };
  }
  // An input variant whose output twin was never used (a body with a transform, such as FirstContact) takes the plain name.
  const remaining = (result.components as Json).schemas as Json;
  const orphans = new Map<string, string>();
  for (const name of Object.keys(remaining)) {
    const base = name.endsWith('Input') ? name.slice(0, -'Input'.length) : null;
    if (base && remaining[base] === undefined) orphans.set(`#/components/schemas/${name}`, `#/components/schemas/${base}`);
  }
  if (orphans.size === 0) return result;
  result = renameRefs(result, orphans) as Json;
  const renamedComponents = result.components as Json;
  const renamedSchemas = Object.fromEntries(Object.entries(renamedComponents.schemas as Json).map(([name, schema]) => {
    const target = orphans.get(`#/components/schemas/${name}`);
    return [target ? target.split('/').pop()! : name, schema];
  }));
  return { ...result, components: { ...renamedComponents, schemas: renamedSchemas } };
}

/** The document transform: see the module comment. */
export function completeContract(document: Json): Json {
  const paths = isObject(document.paths) ? document.paths : {};
  const schemas = isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op)) completeOperation(path, op as Operation, schemas);
    }
  }
  const components = isObject(document.components) ? document.components : {};
  const withHeaders = { ...document, components: { ...components, headers: HEADERS } };
  return dedupeSchemas(withHeaders);
}
