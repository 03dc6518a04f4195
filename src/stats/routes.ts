import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { complianceQuerySchema, complianceReportSchema } from './schemas.js';
import { complianceCsv, type StatsService } from './service.js';
import { feedbackReceiptSchema, feedbackRequestSchema, QUESTION, type FeedbackService } from './feedback.js';

const DESCRIPTION = `
How often companies reached the right actor within the deadline (one working day), for any county, actor and period.
Inquiries are counted by **when they arrived**: \`from\` and \`to\` are Europe/Stockholm calendar dates, both included.
Open cases are judged against their deadline at the moment of the request (\`asOf\`).
Each inquiry falls in exactly one of: contactedInTime, contactedLate, openInTime, openOverdue, closedWithoutContact.

Figures, for each group and for the total:
- **received**: inquiries that arrived in the period.
- **contactedInTime**: first contact recorded at or before the deadline.
- **contactedLate**: first contact recorded after the deadline (a breached case stays late after contact).
- **openInTime**: no first contact yet, not closed, deadline not passed.
- **openOverdue**: no first contact and the deadline has passed (breached), including cases closed without contact after their deadline.
- **closedWithoutContact**: closed before the deadline without contact (withdrawn, duplicate); not part of the rate.
- **complianceRate**: contactedInTime / (contactedInTime + contactedLate + openOverdue): in time among all whose outcome is known; null when none is known.
- **medianHoursToFirstContact**, **p90HoursToFirstContact**: elapsed (wall-clock) hours from arrival to first contact over contacted inquiries, 50th and 90th percentile with linear interpolation (as spreadsheet PERCENTILE.INC), 2 decimals.
- **referrals**: referrals between actors (each one counts). A referral does not restart the clock.
- **rightFirstTime**: among contacted inquiries, the share first contacted by the actor first assigned.
- **distinctCompanies**: distinct organisation numbers (a count only; never the numbers).
- **triaged**: inquiries that went to a county coordinator's triage queue.
- **feedbackResponses**: companies that answered the follow-up question after closing.
- **feedbackRightHelpRate**: share of those answers that were "yes" (right organisation and the help needed).
- **target**: the compliance target (COMPLIANCE_TARGET, default 0.8), and **targetMet**: complianceRate >= target.

Groups: \`county\` (county code), \`actor\` (the actor first assigned, null while in triage), \`topic\` (top classified topic),
\`month\` (YYYY-MM) and \`week\` (ISO week, YYYY-Www) of the Stockholm arrival date. The total is computed over all inquiries
(distinct companies is not the sum of the groups').

Send \`Accept: text/csv\` for the same as CSV: one row per group, then a row \`total\`; empty cells for null.
No personal data is ever part of the statistics. An analyst key limited to some counties sees only those counties.`.trim();

export const statsRoutes: FastifyPluginAsyncZod<{ stats: StatsService }> = async (app, { stats }) => {
  app.get('/v1/stats/compliance', {
    config: { responseHeaders: { 200: ['Content-Disposition'] } },
    onRequest: requireRole('analyst', 'admin'),
    schema: {
      operationId: 'getComplianceStatistics',
      tags: ['statistics'],
      summary: 'Compliance with the first-contact deadline, per county, actor, topic, month or week',
      description: DESCRIPTION,
      security: BEARER,
      querystring: complianceQuerySchema,
      response: {
        200: {
          description: 'The figures for each group and the total',
          content: {
            'application/json': { schema: complianceReportSchema },
            'text/csv': { schema: z.string().describe('RFC 4180 CSV with a header row') },
          },
        },
        ...problemResponses(400, 401, 403),
      },
    },
    handler: async (request, reply) => {
      const me = principalOf(request);
      const report = stats.compliance(request.query, me.counties);
      if (wantsCsv(request.headers.accept)) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="compliance-${report.from}-${report.to}.csv"`)
          .serializer((payload: unknown) => payload as string)
          .send(complianceCsv(report));
      }
      return reply.type('application/json; charset=utf-8').send(report);
    },
  });
};

/** True when the client prefers CSV over JSON (by q-value; ties go to the first listed). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv = -1;
  let json = -1;
  accept.split(',').forEach((part, i) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    const score = q * 1000 - i;
    if (type === 'text/csv') csv = Math.max(csv, score);
    if (type === 'application/json' || type === 'application/*' || type === '*/*') json = Math.max(json, score);
  });
  return csv > 0 && csv > json;
}


/** The company's one answer after closing, through its private status link (no API key: the link is the credential). */
export const feedbackRoutes: FastifyPluginAsyncZod<{ feedback: FeedbackService }> = async (app, { feedback }) => {
  app.post('/v1/status/:token/feedback', {
    schema: {
      operationId: 'answerFollowUp',
      tags: ['intake'],
      summary: "The company's answer to the follow-up question",
      description:
        `Once the case is closed the status view offers one question: "${QUESTION.en}" (yes / partly / no, optional comment). ` +
        'One answer per case: a second answer is a 409, and so is an answer before the case is closed. ' +
        'The answer feeds `feedbackRightHelpRate` in the statistics; the comment never does.',
      params: z.object({ token: z.string().min(20).max(100) }),
      body: feedbackRequestSchema,
      response: { 201: feedbackReceiptSchema, ...problemResponses(400, 404, 409, 415) },
    },
    handler: async (request, reply) => reply.code(201).send(feedback.answer(request.params.token, request.body)),
  });
};
