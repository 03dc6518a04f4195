import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { inquiries } from '../db/schema/index.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { notFound, problemResponses } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { DEADLINE_STATES } from './state.js';
import { DEADLINE_POLICIES } from './policy.js';
import { explainDeadline } from './explain.js';

export const deadlineExplanationSchema = z
  .object({
    policy: z.enum(DEADLINE_POLICIES).describe('The policy recorded when the inquiry arrived'),
    startAt: z.iso.datetime().describe('When the clock started: the arrival'),
    deadlineAt: z.iso.datetime(),
    skippedDays: z.array(z.object({ date: z.string(), reason: z.string() })).describe('Stockholm dates the clock did not run on, with why (weekday or holiday)'),
    atRiskFrom: z.iso.datetime().describe('From when the case counts as at risk (less than the at-risk window of deadline time left)'),
    state: z.enum(DEADLINE_STATES),
    hoursLeft: z.number().describe('Deadline time left now, in hours (working time under working-day); 0 once passed or contacted'),
    firstContactAt: z.iso.datetime().nullable(),
    escalations: z.array(z.object({ kind: z.enum(['at-risk', 'breached']), at: z.iso.datetime() })).describe('Escalations recorded by the sweeper; a breach stays after a late contact'),
  })
  .meta({ id: 'DeadlineExplanation' });

/** How a case's deadline was computed, for the coordinators and caseworkers who may see the case. */
export const deadlineRoutes: FastifyPluginAsyncZod<{ db: Db; clock: Clock; atRiskMs: number }> = async (app, { db, clock, atRiskMs }) => {
  app.get('/v1/cases/:id/deadline', {
    onRequest: requireRole('coordinator', 'caseworker'),
    schema: {
      operationId: 'explainCaseDeadline',
      tags: ['cases'],
      summary: "How a case's deadline was computed, and its deadline state",
      description: 'Policy, start, skipped days, deadline, at-risk point, state now (on-track, at-risk, breached, met, missed, closed: closed without contact before the deadline) and recorded escalations. A referral does not restart the clock.',
      security: BEARER,
      params: z.object({ id: z.uuid() }),
      response: { 200: deadlineExplanationSchema, ...problemResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const me = principalOf(request);
      const row = db.select({ countyCode: inquiries.countyCode, assignedActorId: inquiries.assignedActorId })
        .from(inquiries).where(eq(inquiries.id, request.params.id)).get();
      const visible = row
        && (me.counties === null || (row.countyCode !== null && me.counties.includes(row.countyCode)))
        && (me.role !== 'caseworker' || row.assignedActorId === me.actorId);
      if (!visible) throw notFound('No case with this id is visible to this key.');
      return explainDeadline(db, request.params.id, clock(), atRiskMs)!;
    },
  });
};
