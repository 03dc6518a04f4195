import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { CSV_MEDIA_TYPE } from '../shared/csv.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import {
  complianceQuerySchema, complianceReportSchema, indicatorsQuerySchema, indicatorsReportSchema, referralsQuerySchema, referralsReportSchema,
} from './schemas.js';
import { complianceCsv, indicatorsCsv, referralsCsv, type StatsService } from './service.js';
import { feedbackReceiptSchema, feedbackRequestSchema, QUESTIONS, type FeedbackService } from './feedback.js';
import { registeredTestSchema, registerTestSchema, testsQuerySchema, testsReportSchema, type MysteryTestService } from './mystery-tests.js';

const WHO = `
**Who may ask.** Analyst and admin keys (limited to some counties if the key is); coordinator keys for their own counties
(a county outside them is a 403). Every response carries a \`benchmark\` block: the same figures for the whole country over
the same period, so a region sees itself beside the nation. Registered mystery-shopping tests are left out for analysts and
admins unless \`includeTests=true\`; coordinators always see them counted like any other inquiry, so nothing they see tells a
test apart. No personal data is ever part of the statistics.`;

const CSV_NOTE = `
Send \`Accept: text/csv\` for CSV that opens in a spreadsheet with Swedish settings: UTF-8 with a byte-order mark, \`;\`
between fields, \`,\` as the decimal mark, empty cells for null.`;

const COMPLIANCE = `
How often companies reached the right actor within the deadline (one working day), for any county, actor and period, by every
door (web forms, phone, e-mail, visits, events, imports). Inquiries are counted by **when they arrived**: \`from\` and \`to\` are
Europe/Stockholm calendar dates, both included. Open cases are judged against their deadline at the moment of the request (\`asOf\`).

**The right actor.** A first contact is a *right-actor contact* unless the actor that made it later referred the case on as
\`misrouted\`; a referral for an \`additional-need\` keeps it (and so does a referral of unknown kind: history from before kinds,
imports that do not say). The deadline, contactedInTime, contactedLate, complianceRate, rightFirstTime and the percentiles count
right-actor contacts; firstResponseInTime counts any actor's first contact.

Worked example: an inquiry arrives Monday 09:00, due Tuesday 09:00. Almi calls the company Monday 11:00, finds the question is about
finding buyers abroad and refers it to Business Sweden as \`misrouted\` at 11:30. Business Sweden calls Tuesday 14:00. Then
firstResponseInTime = 1 (Almi, in time), contactedInTime = 0 and contactedLate = 1 (the right actor, Business Sweden, after the
deadline), rightFirstTime = 0 (the right actor was not the one first assigned), medianHoursToFirstContact = 29, misroutedReferrals = 1.
Had Almi referred it as \`additional-need\` (it helped with a loan; the company also wants buyers), Almi's call would count:
contactedInTime = 1, rightFirstTime = 1, 2 hours.

Each inquiry falls in exactly one of: contactedInTime, contactedLate, openInTime, openOverdue, closedWithoutContact. Every figure is
defined in the ComplianceFigures schema. Groups: \`county\`, \`actor\` (first assigned; null while in triage), \`topic\` (top
classified topic), \`month\` (YYYY-MM) and \`week\` (ISO week) of the Stockholm arrival date, \`channel\` (form, phone, email,
visit, event, import), \`entryPoint\` (the form that sent it), \`sizeBand\` (0-9, 10-49, 50-249, 250+, unknown employees) and
\`triageReason\` (unmet demand: out-of-scope group, unclear, no-actor-in-county). The total is computed over all inquiries of
the groups (distinct companies is not the sum of the groups').
${WHO}
${CSV_NOTE} One row per group, then \`total\`, then the benchmark's rows (\`national\`, \`national-total\`).`.trim();

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

function sendCsv(reply: FastifyReply, name: string, body: string) {
  return reply
    .type(CSV_MEDIA_TYPE)
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .serializer((payload: unknown) => payload as string)
    .send(body);
}

const csvResponse = (json: z.ZodType, description: string) => ({
  description,
  content: {
    'application/json': { schema: json },
    'text/csv': { schema: z.string().describe('UTF-8 with BOM, `;` separated, `,` decimal mark, a header row') },
  },
});

export const statsRoutes: FastifyPluginAsyncZod<{ stats: StatsService }> = async (app, { stats }) => {
  const readers = requireRole('analyst', 'admin', 'coordinator');

  app.get('/v1/stats/compliance', {
    config: { responseHeaders: { 200: ['Content-Disposition'] } },
    onRequest: readers,
    schema: {
      operationId: 'getComplianceStatistics',
      tags: ['statistics'],
      summary: 'Compliance with the first-contact deadline, outcomes and follow-up, by county, actor, topic, period, door, size or triage reason',
      description: COMPLIANCE,
      security: BEARER,
      querystring: complianceQuerySchema,
      response: { 200: csvResponse(complianceReportSchema, 'The figures for each group and the total, and the national benchmark'), ...problemResponses(400, 401, 403) },
    },
    handler: async (request, reply) => {
      const report = stats.compliance(request.query, principalOf(request));
      if (wantsCsv(request.headers.accept)) return sendCsv(reply, `compliance-${report.from}-${report.to}`, complianceCsv(report));
      return reply.type('application/json; charset=utf-8').send(report);
    },
  });

  app.get('/v1/stats/referrals', {
    config: { responseHeaders: { 200: ['Content-Disposition'] } },
    onRequest: readers,
    schema: {
      operationId: 'getReferralStatistics',
      tags: ['statistics'],
      summary: 'Referrals between actors: a from → to matrix by kind, and referrals outside the partnership',
      description:
        'Every referral between actors in the partnership of the inquiries that arrived in the period (Stockholm dates, both included), ' +
        'as a matrix from → to by kind (misrouted, additional-need, unspecified for old history and imports without details), with the ' +
        'distinct companies of each cell; and the cases closed as `referred-outside` (referred outside the partnership), by the actor ' +
        'holding the case. `actor` keeps the referrals the actor made or received.' + WHO + CSV_NOTE,
      security: BEARER,
      querystring: referralsQuerySchema,
      response: { 200: csvResponse(referralsReportSchema, 'The matrix, the referrals outside the partnership and the totals'), ...problemResponses(400, 401, 403) },
    },
    handler: async (request, reply) => {
      const report = stats.referrals(request.query, principalOf(request));
      if (wantsCsv(request.headers.accept)) return sendCsv(reply, `referrals-${report.from}-${report.to}`, referralsCsv(report));
      return reply.type('application/json; charset=utf-8').send(report);
    },
  });

  app.get('/v1/stats/indicators', {
    config: { responseHeaders: { 200: ['Content-Disposition'] } },
    onRequest: readers,
    schema: {
      operationId: 'getIndicators',
      tags: ['statistics'],
      summary: "The regional export centres' indicators for a year, as far as the service can count them",
      description:
        'The indicator set Tillväxtverket follows the export centres by, for one calendar year and optionally one county: companies that asked, ' +
        'were reached, advised by phone or e-mail, referred to another actor in the partnership, visited, helped; joint visits; and the ' +
        'one-working-day criterion (contact with the right actor) against its target, with the companies\' own view beside it. Each figure ' +
        'comes with its exact definition. Indicators the service cannot see (seminars, web visits, financing decisions) are not invented.' + WHO + CSV_NOTE,
      security: BEARER,
      querystring: indicatorsQuerySchema,
      response: { 200: csvResponse(indicatorsReportSchema, 'The indicators, each with its definition, and the national benchmark'), ...problemResponses(400, 401, 403) },
    },
    handler: async (request, reply) => {
      const report = stats.indicators(request.query, principalOf(request));
      if (wantsCsv(request.headers.accept)) return sendCsv(reply, `indicators-${report.year}-${report.county ?? 'all'}`, indicatorsCsv(report));
      return reply.type('application/json; charset=utf-8').send(report);
    },
  });
};

export const mysteryTestRoutes: FastifyPluginAsyncZod<{ tests: MysteryTestService }> = async (app, { tests }) => {
  const analysts = requireRole('analyst', 'admin');
  const detail =
    'For analyst and admin keys only (a key limited to counties, within them). Caseworkers and coordinators cannot tell a test from any other ' +
    'inquiry: registering one changes nothing they can see (no field, event, version, notification or figure of theirs).';

  app.post('/v1/stats/tests', {
    onRequest: analysts,
    schema: {
      operationId: 'registerMysteryTest',
      tags: ['statistics'],
      summary: 'Register an inquiry as a mystery-shopping test',
      description:
        'After sending a fictitious question through any real door, register it by its `reference` with the `expectedActor` that should answer it. ' +
        'From then on it is left out of the analysts\' statistics by default and scored at GET /v1/stats/tests. ' + detail,
      security: BEARER,
      body: registerTestSchema,
      response: { 201: registeredTestSchema, ...problemResponses(400, 401, 403, 404, 409, 415) },
    },
    handler: async (request, reply) => reply.code(201).send(tests.register(principalOf(request), request.body)),
  });

  app.get('/v1/stats/tests', {
    onRequest: analysts,
    schema: {
      operationId: 'getMysteryTestScores',
      tags: ['statistics'],
      summary: 'Scores of the mystery-shopping tests',
      description:
        'The tests whose inquiries arrived in the period: routed to the expected actor, right-actor contact in time, contact by the expected ' +
        'actor in time (what the test asks), hours to contact; in total, per county and per expected actor, and each test. ' + detail,
      security: BEARER,
      querystring: testsQuerySchema,
      response: { 200: testsReportSchema, ...problemResponses(400, 401, 403) },
    },
    handler: async (request) => tests.score(principalOf(request), request.query),
  });
};

/** The company's answers after closing, through its private status link (no API key: the link is the credential). */
export const feedbackRoutes: FastifyPluginAsyncZod<{ feedback: FeedbackService }> = async (app, { feedback }) => {
  app.post('/v1/status/:token/feedback', {
    schema: {
      operationId: 'answerFollowUp',
      tags: ['intake'],
      summary: "The company's answers to the follow-up questions",
      description:
        `Once the case is closed the status view offers two questions: "${QUESTIONS[0]!.en}" (rightActorInTime: yes / no / unsure) and ` +
        `"${QUESTIONS[1]!.en}" (gotHelp: yes / partly / no), and an optional comment. One answer per case: a second is a 409, and so is an ` +
        'answer before the case is closed. The answers feed companyConfirmedRightActorRate, helpRate, partlyHelpedRate and feedbackResponseRate ' +
        'in the statistics; the comment never does.',
      params: z.object({ token: z.string().min(20).max(100) }),
      body: feedbackRequestSchema,
      response: { 201: feedbackReceiptSchema, ...problemResponses(400, 404, 409, 415) },
    },
    handler: async (request, reply) => reply.code(201).send(feedback.answer(request.params.token, request.body)),
  });
};
