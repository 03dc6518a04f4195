import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isDatabaseReady, type Db } from '../db/client.js';
import { problemResponses, problemType } from '../shared/problems.js';
import { sendProblem } from '../plugins/errors.js';

export const healthRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const ok = z.object({ status: z.literal('ok') });
  app.get('/health/live', {
    schema: { operationId: 'live', tags: ['health'], summary: 'The process is up',
      description: 'Liveness for an orchestrator: answers as long as the event loop runs; never limited, never needs a key.', response: { 200: ok } },
    logLevel: 'warn',
    handler: async () => ({ status: 'ok' as const }),
  });
  app.get('/health/ready', {
    schema: { operationId: 'ready', tags: ['health'], summary: 'The service can take requests (the database answers)',
      description: 'Readiness for a load balancer: 200 when the database answers, 503 problem+json otherwise.', response: { 200: ok, ...problemResponses(503) } },
    logLevel: 'warn',
    handler: async (request, reply) => {
      if (isDatabaseReady(db)) return { status: 'ok' as const };
      return sendProblem(request, reply, { type: problemType('not-ready'), title: 'Not ready', status: 503, detail: 'The database does not answer.' });
    },
  });
};
