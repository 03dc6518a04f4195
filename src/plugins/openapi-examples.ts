import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../shared/package-root.js';

/**
 * The examples in the OpenAPI document: recorded from the real service by `npm run openapi:examples`
 * (scripts/record-openapi-examples.ts, which drives the whole workflow through the routes) into the committed
 * openapi/examples.json, and merged here into the generated document (src/cli/openapi.ts), so that
 * `openapi:generate` and `openapi:check` stay deterministic: they read the file, they never re-record.
 * Redocly's `no-invalid-media-type-examples` and Spectral's `oas3-valid-media-example` check every example against its schema.
 */
export const EXAMPLES_FILE = path.join(PACKAGE_ROOT, 'openapi', 'examples.json');

/** One recorded example: what the recorder did, and the body (JSON, or the text of a CSV, NDJSON, HTML or metrics answer). */
export interface RecordedExample { summary: string; value: unknown }
/** Per media type. */
export type ExamplesByMediaType = Record<string, RecordedExample>;
export interface OperationExamples {
  /** The request body, by media type (operations with a body). */
  request?: ExamplesByMediaType;
  /** Responses by status code, then media type: the main success and one typical error. */
  responses: Record<string, ExamplesByMediaType>;
}
export interface ExamplesFile { $comment?: string; operations: Record<string, OperationExamples> }

/** The name of the one example per media type in the document. */
export const EXAMPLE_NAME = 'recorded';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readExamples(file = EXAMPLES_FILE): ExamplesFile {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as ExamplesFile : { operations: {} };
}

/** Every operation of a document, by operationId. */
export function operationsOf(document: Json): Map<string, Json> {
  const ops = new Map<string, Json>();
  for (const item of Object.values(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op) && typeof op.operationId === 'string') ops.set(op.operationId, op);
    }
  }
  return ops;
}

function attach(content: unknown, examples: ExamplesByMediaType, where: string): void {
  for (const [mediaType, example] of Object.entries(examples)) {
    const media = isObject(content) ? content[mediaType] : undefined;
    if (!isObject(media)) throw new Error(`openapi/examples.json: ${where} has no ${mediaType} in the document: run \`npm run openapi:examples\``);
    media.examples = { [EXAMPLE_NAME]: { summary: example.summary, value: example.value } };
  }
}

/**
 * Puts the recorded examples into the document (in place) and returns the operationIds that have none. An example
 * for an operation, status or media type the document no longer has is an error: the file is stale.
 */
export function addExamples(document: Json, file: ExamplesFile): { missing: string[] } {
  const ops = operationsOf(document);
  for (const id of Object.keys(file.operations)) {
    if (!ops.has(id)) throw new Error(`openapi/examples.json has examples for ${id}, which the document does not have: run \`npm run openapi:examples\``);
  }
  const missing: string[] = [];
  for (const [id, op] of ops) {
    const recorded = file.operations[id];
    if (!recorded) { missing.push(id); continue; }
    if (recorded.request) {
      const body = isObject(op.requestBody) ? op.requestBody : undefined;
      if (!body) throw new Error(`openapi/examples.json: ${id} has a request example but no request body: run \`npm run openapi:examples\``);
      attach(body.content, recorded.request, `${id} request`);
    }
    const responses = isObject(op.responses) ? op.responses : {};
    for (const [status, examples] of Object.entries(recorded.responses)) {
      const response = responses[status];
      if (!isObject(response)) throw new Error(`openapi/examples.json: ${id} has no ${status} response in the document: run \`npm run openapi:examples\``);
      attach(response.content, examples, `${id} ${status}`);
    }
  }
  return { missing };
}
