import { z } from 'zod';
import { english, type Text } from './i18n.js';

/**
 * RFC 9457 problem details: every error the API returns has this shape,
 * with the invalid fields for validation errors and the request id for support.
 */
export const invalidParamSchema = z.object({
  name: z.string().describe('The field, as a JSON pointer-like path: body.contact.email, query.limit'),
  reason: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string().describe('A URI identifying the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    invalidParams: z.array(invalidParamSchema).optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;
/** An invalid field as services report it: the reason in English, or in English and Swedish (see shared/i18n.ts). */
export interface InvalidParam { name: string; reason: Text }

const TYPE_BASE = 'https://en-dorr-in.se/problems/';

/**
 * Domain errors thrown by services; the error plugin turns them into problem+json in the caller's language.
 * Title and detail are English, or bilingual with `both(en, sv)`; an English-only title gets its Swedish from
 * the problem type (shared/i18n.ts).
 */
export class ProblemError extends Error {
  /** The detail as given; without one, a validation error's detail lists its fields, any other says its title. */
  readonly detailText: Text | undefined;

  constructor(
    readonly status: number,
    readonly slug: string,
    readonly titleText: Text,
    detail?: Text,
    readonly invalidParams?: InvalidParam[],
    readonly headers?: Record<string, string>,
  ) {
    super(english(detail ?? (invalidParams?.length ? invalidParams.map((p) => `${p.name}: ${english(p.reason)}`).join('; ') : titleText)));
    this.detailText = detail;
    this.name = 'ProblemError';
  }

  get title(): string {
    return english(this.titleText);
  }

  get type(): string {
    return TYPE_BASE + this.slug;
  }
}

export const problemType = (slug: string) => TYPE_BASE + slug;

/** A 400 naming each invalid field; the detail lists them (in the caller's language) unless one is given. */
export const badRequest = (detail: Text | null, invalidParams?: InvalidParam[]) =>
  new ProblemError(400, 'validation-error', 'Your request is not valid', detail ?? undefined, invalidParams);
export const notFound = (detail: Text) => new ProblemError(404, 'not-found', 'Not found', detail);
export const conflict = (detail: Text) => new ProblemError(409, 'conflict', 'Conflict with the current state', detail);
export const unprocessable = (slug: string, title: Text, detail: Text) => new ProblemError(422, slug, title, detail);

/** Standard error responses for a route's schema, so the OpenAPI document lists them. */
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  const descriptions: Record<number, string> = {
    400: 'Invalid request: the problem names each invalid field',
    401: 'Missing or invalid credentials',
    403: 'The credentials do not allow this',
    404: 'Not found (or not visible to the caller)',
    406: 'None of the acceptable media types can be produced',
    409: 'The action does not fit the current state',
    412: 'The resource changed since it was read',
    413: 'The request body is too large',
    415: 'The request body must be application/json',
    422: 'The request is well-formed but cannot be processed',
    429: 'Too many requests',
    500: 'Unexpected error',
    503: 'Not ready',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, problemSchema.describe(descriptions[s] ?? 'Error')]),
  ) as { [K in S[number]]: typeof problemSchema };
}
