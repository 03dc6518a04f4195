import fp from 'fastify-plugin';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { BEARER, requireRole } from '../auth/plugin.js';
import { problemResponses } from '../shared/problems.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Prometheus registry, for capabilities that add their own metrics (notifications). */
    metricsRegistry: Registry;
  }
}

/**
 * Prometheus metrics at GET /metrics (text exposition format). Counts come from the database at scrape
 * time, each with one GROUP BY, so every instance sharing the database file reports the same figures:
 * - en_dorr_in_inquiries{county,status}: inquiries received (all time) by county and current status;
 * - en_dorr_in_open_cases{deadline_state}: open cases without first contact by on-track / at-risk / breached;
 * - en_dorr_in_deadline_breaches: cases whose deadline breach the sweeper has recorded (all time);
 * - http_request_duration_seconds{route,method,status}: request latency of this instance;
 * - the process metrics of prom-client (memory, CPU, event loop lag).
 * Aggregates only: no personal data. Register before the routes so that latency covers them all.
 *
 * Only for keys with the `metrics` role (Prometheus: `authorization: { type: Bearer, credentials_file: … }`):
 * the volumes per county are not public, and a key can be revoked, is rate-limited like any key and leaves
 * an audit record when it is created. One port serves everything, so a reverse proxy needs no special rule.
 */
const metricsPlugin: FastifyPluginAsyncZod<{ db: Db; clock: Clock }> = async (app, { db, clock }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  app.decorate('metricsRegistry', registry);
  const client = db.$client;
  const byCountyStatus = client.prepare("SELECT COALESCE(county_code, 'unknown') AS county, status, COUNT(*) AS n FROM inquiries GROUP BY county_code, status");
  const openByState = client.prepare(`
    SELECT CASE WHEN deadline_at < @now THEN 'breached' WHEN at_risk_at < @now THEN 'at-risk' ELSE 'on-track' END AS state, COUNT(*) AS n
    FROM case_facts WHERE first_contact_at IS NULL AND closed_at IS NULL GROUP BY state`);
  const breachCount = client.prepare("SELECT COUNT(*) AS n FROM deadline_escalations WHERE kind = 'breached'");

  new Gauge({
    name: 'en_dorr_in_inquiries', help: 'Inquiries received (all time), by county and current status',
    labelNames: ['county', 'status'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const row of byCountyStatus.all() as { county: string; status: string; n: number }[]) this.set({ county: row.county, status: row.status }, row.n);
    },
  });
  new Gauge({
    name: 'en_dorr_in_open_cases', help: 'Open cases without first contact, by deadline state (on-track, at-risk, breached)',
    labelNames: ['deadline_state'] as const, registers: [registry],
    collect() {
      const counts: Record<string, number> = { 'on-track': 0, 'at-risk': 0, breached: 0 };
      for (const row of openByState.all({ now: clock() }) as { state: string; n: number }[]) counts[row.state] = row.n;
      for (const [state, n] of Object.entries(counts)) this.set({ deadline_state: state }, n);
    },
  });
  new Gauge({
    name: 'en_dorr_in_deadline_breaches', help: 'Cases whose deadline breach has been recorded (all time; stays after a late contact)',
    registers: [registry],
    collect() {
      this.set((breachCount.get() as { n: number }).n);
    },
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds', help: 'Request latency by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  // One child per route, method and status, made once: observing through a label object hashes the labels on every request.
  const children = new Map<string, ReturnType<typeof latency.labels>>();
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${route} ${request.method} ${reply.statusCode}`;
    let child = children.get(key);
    if (!child) {
      child = latency.labels({ route, method: request.method, status: String(reply.statusCode) });
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
  });

  app.get('/metrics', {
    logLevel: 'warn',
    onRequest: requireRole('metrics'),
    schema: {
      operationId: 'metrics', tags: ['health'], summary: 'Prometheus metrics (metrics keys)',
      description: 'Inquiries by county and status, open cases by deadline state, recorded breaches, request latency and process metrics. ' +
        'Aggregates only. For API keys with the `metrics` role.',
      security: BEARER,
      response: {
        200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
        ...problemResponses(401, 403, 429),
      },
    },
    handler: async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).serializer((p: unknown) => p as string).send(body);
    },
  });
};

export default fp(metricsPlugin, { name: 'metrics' });
