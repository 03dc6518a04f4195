import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ProblemError, problemType, type InvalidParam, type Problem } from '../shared/problems.js';

/**
 * One place that turns every error into RFC 9457 problem+json: validation errors name each field,
 * framework errors (413, 415, malformed JSON) keep their status, and anything unexpected becomes a
 * 500 without a stack trace. The request id is in every problem so support can find the log lines.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Omit<Problem, 'instance' | 'requestId'>) {
  const body: Problem = { ...problem, instance: request.url.split('?')[0], requestId: request.id };
  return reply.code(problem.status).type('application/problem+json').send(body);
}

const FRAMEWORK_ERRORS: Record<string, { status: number; slug: string; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, slug: 'malformed-request', title: 'Malformed request' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, slug: 'payload-too-large', title: 'Request body too large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, slug: 'malformed-json', title: 'Malformed JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, slug: 'malformed-json', title: 'Malformed JSON' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
};

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof ProblemError) {
        if (error.headers) reply.headers(error.headers);
        return sendProblem(request, reply, {
          type: error.type, title: error.title, status: error.status, detail: error.message,
          ...(error.invalidParams ? { invalidParams: error.invalidParams } : {}),
        });
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const context = error.validationContext ?? 'body';
        const invalidParams: InvalidParam[] = error.validation.flatMap((v) => {
          const path = [context, ...v.instancePath.split('/').filter(Boolean)].join('.');
          if (v.keyword === 'unrecognized_keys') {
            const keys = (v.params as { keys?: string[] }).keys ?? [];
            return keys.map((key) => ({ name: `${path}.${key}`, reason: 'Unknown field' }));
          }
          return [{ name: path, reason: v.message ?? 'Invalid value' }];
        });
        return sendProblem(request, reply, {
          type: problemType('validation-error'), title: 'Your request is not valid', status: 400,
          detail: invalidParams.map((p) => `${p.name}: ${p.reason}`).join('; '), invalidParams,
        });
      }
      if (isResponseSerializationError(error)) {
        request.log.error({ err: { message: error.message, issues: error.cause.issues } }, 'response does not match its schema');
        return sendProblem(request, reply, { type: problemType('internal-error'), title: 'Internal error', status: 500, detail: 'An unexpected error occurred.' });
      }
      const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
      if (known) {
        return sendProblem(request, reply, { type: problemType(known.slug), title: known.title, status: known.status, detail: error.message });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const headers = (error as { headers?: Record<string, string> }).headers;
        if (headers) reply.headers(headers);
        return sendProblem(request, reply, { type: problemType(status === 429 ? 'rate-limited' : 'client-error'), title: status === 429 ? 'Too many requests' : 'Bad request', status, detail: error.message });
      }
      // Only the message and stack go to the log: never the request body, which holds personal data.
      request.log.error({ err: { message: error.message, stack: error.stack, code: error.code } }, 'unexpected error');
      return sendProblem(request, reply, { type: problemType('internal-error'), title: 'Internal error', status: 500, detail: 'An unexpected error occurred. Quote the request id when you contact support.' });
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

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]!;
      const allow = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
      if (allow.length > 0 && !allow.includes(request.method)) {
        reply.header('allow', allow.join(', '));
        return sendProblem(request, reply, { type: problemType('method-not-allowed'), title: 'Method not allowed', status: 405, detail: `${path} takes ${allow.join(', ')}, not ${request.method}.` });
      }
      return sendProblem(request, reply, { type: problemType('not-found'), title: 'Not found', status: 404, detail: `No route for ${request.method} ${path}` });
    });
  },
  { name: 'errors' },
);
