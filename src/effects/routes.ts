import formbody from '@fastify/formbody';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses, ProblemError } from '../shared/problems.js';
import { both } from '../shared/i18n.js';
import type { AuditLog } from '../audit/service.js';
import { extractQuerySchema, type ResearchExtract } from './extract.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { wantsCsv } from '../stats/routes.js';
import { CSV_MEDIA_TYPE, toCsv } from '../shared/csv.js';
import { effectsCsv, effectsQuerySchema, MIN_CELL, effectsReportSchema, type EffectsStatistics } from './statistics.js';
import type { FollowUp } from './follow-up.js';
import { followUpViewSchema, waveAnswerSchema, withdrawalSchema } from './schemas.js';

const token = z.string().min(20).max(100);

/** The company's follow-up over months, through its private status link (the link is the credential; no API key). */
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
function page(language: 'sv' | 'en', title: string, body: string): string {
  return `<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">` +
    `<title>${escapeHtml(title)}</title></head>\n<body style="font-family:sans-serif;line-height:1.5;max-width:40em;margin:2em auto;padding:0 1em">\n<h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`;
}

export const followUpRoutes: FastifyPluginAsyncZod<{ followUp: FollowUp }> = async (app, { followUp }) => {
  // Form posts (the withdrawal page's button, a mail client's one-click List-Unsubscribe-Post) only in this scope.
  await app.register(formbody, { bodyLimit: 1024 });

  app.get('/v1/status/:token/follow-up/withdraw', {
    schema: {
      operationId: 'withdrawFollowUpConsentPage',
      tags: ['intake'],
      summary: 'The page the e-mails link to for withdrawing: one button',
      description: 'Opening the link changes nothing (mail scanners open links); the button POSTs the withdrawal.',
      params: z.object({ token }),
      response: { 200: { description: 'An HTML page', content: { 'text/html': { schema: z.string() } } }, ...problemResponses(400, 404) },
    },
    handler: async (request, reply) => {
      const language = followUp.languageOf(request.params.token);
      const sv = language === 'sv';
      const html = page(language, sv ? 'Inga fler uppföljningsfrågor' : 'No more follow-up questions',
        `<p>${sv ? 'Vill du inte få fler frågor om hur det gått med exporten? Svar du redan gett finns kvar, bara som statistik.' : 'Do you want no more questions about how your exporting went? Answers already given remain, only as statistics.'}</p>\n` +
        `<form method="post"><button type="submit">${sv ? 'Ja, skicka inga fler frågor' : 'Yes, send no more questions'}</button></form>`);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').serializer((p: unknown) => p as string).send(html);
    },
  });

  app.get('/v1/status/:token/follow-up', {
    schema: {
      operationId: 'getFollowUpWaves',
      tags: ['intake'],
      summary: "The company's follow-up questions over months: consent, questions and each wave",
      description: 'For a company that ticked `followUpConsent` at intake: the waves planned when its case was closed ' +
        '(FOLLOW_UP_WAVES_MONTHS after closing), which one is open now, and the answers given. The e-mails link here.',
      params: z.object({ token }),
      response: { 200: followUpViewSchema, ...problemResponses(400, 404) },
    },
    handler: async (request, reply) => reply.header('cache-control', 'no-store').send(followUp.view(request.params.token)),
  });

  app.post('/v1/status/:token/follow-up/withdraw', {
    schema: {
      operationId: 'withdrawFollowUpConsent',
      tags: ['intake'],
      summary: 'Withdraw the consent to follow-up questions (one click)',
      description: 'Nothing more is sent: waves not yet opened are cancelled, and queued messages are not delivered. Answers already given stay, coded, ' +
        'for the statistics. Idempotent: withdrawing again answers with the first withdrawal. No body.',
      params: z.object({ token }),
      response: { 200: withdrawalSchema, ...problemResponses(400, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      const result = followUp.withdraw(request.params.token);
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return result;
      const sv = followUp.languageOf(request.params.token) === 'sv';
      const html = page(sv ? 'sv' : 'en', sv ? 'Klart' : 'Done',
        `<p>${sv ? 'Du får inga fler uppföljningsfrågor från exportcentrumet.' : 'You will get no more follow-up questions from the export centre.'}</p>`);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').serializer((p: unknown) => p as string).send(html as unknown as typeof result);
    },
  });

  app.post('/v1/status/:token/follow-up/:months', {
    schema: {
      operationId: 'answerFollowUpWave',
      tags: ['intake'],
      summary: "The company's answer to one follow-up wave",
      description: 'One answer per wave, while the wave is open (from its invitation for three times FOLLOW_UP_REMINDER_DAYS). ' +
        '409 when it is not open yet, already answered, expired, or the consent was withdrawn. The comment is personal data: erased with the case, never in statistics.',
      params: z.object({ token, months: z.coerce.number().int().min(1).max(120) }),
      body: waveAnswerSchema,
      response: { 201: z.object({ months: z.number().int(), answeredAt: z.iso.datetime() }).meta({ id: 'FollowUpWaveReceipt' }), ...problemResponses(400, 404, 409, 415) },
    },
    handler: async (request, reply) => reply.code(201).send(followUp.answer(request.params.token, request.params.months, request.body)),
  });
};

const EFFECTS_DESCRIPTION = `
What happened to companies after they asked, from their own answers to the follow-up waves (only companies that consented).
Per wave (months after closing) and group: **invitations** (companies asked), **responses**, **responseRate**,
**shareStartedExporting** (began exporting since the inquiry), **shareExporting** (exporting now: started or continued),
**shareNewMarkets** (named at least one new export market), and the shares of the contribution answers
(**contributionYes**, **contributionPartly**, **contributionNo**, **contributionDontKnow**). Shares are of the responses.

Cohort = the Europe/Stockholm month the inquiry arrived (\`cohortFrom\`..\`cohortTo\`, both included).
Groups: county, actor (the actor holding the case when it was closed), topic (top classified topic), sizeBand, outcome (of the case), channel,
arm (the pilot experiment and arm drawn at intake, \`experimentId:armId\`; null outside any experiment: compare arms as assigned, intention-to-treat).

**Small cells are suppressed**: a figure that would describe fewer than ${MIN_CELL} companies is \`null\` and the row says \`suppressed: true\`;
when only one group of a wave is suppressed, the next smallest is suppressed too (so the total cannot give it away).
Send \`Accept: text/csv\` for CSV (UTF-8 with BOM, \`;\` separator, decimal comma), one row per group and wave, then each wave's total.
Analysts and admins see every county; a key limited to counties (a regional coordinator) sees only those.`.trim();

export const effectsStatsRoutes: FastifyPluginAsyncZod<{ statistics: EffectsStatistics }> = async (app, { statistics }) => {
  app.get('/v1/stats/effects', {
    onRequest: requireRole('analyst', 'admin', 'coordinator'),
    schema: {
      operationId: 'getEffectStatistics',
      tags: ['statistics'],
      summary: 'Effects for companies over months: exports, new markets and whether the help contributed, by wave',
      description: EFFECTS_DESCRIPTION,
      security: BEARER,
      querystring: effectsQuerySchema,
      response: {
        200: {
          description: 'The figures per wave and group, and each wave\'s total',
          content: {
            'application/json': { schema: effectsReportSchema },
            'text/csv': { schema: z.string().describe('CSV with a header row (UTF-8 BOM, `;`, decimal comma)') },
          },
        },
        ...problemResponses(400, 401, 403),
      },
    },
    handler: async (request, reply) => {
      const me = principalOf(request);
      const report = statistics.report(request.query, me.counties);
      if (wantsCsv(request.headers.accept)) {
        return reply
          .type(CSV_MEDIA_TYPE)
          .header('content-disposition', `attachment; filename="effects-${report.cohortFrom}-${report.cohortTo}.csv"`)
          .serializer((payload: unknown) => payload as string)
          .send(effectsCsv(report, toCsv));
      }
      return reply.type('application/json; charset=utf-8').send(report);
    },
  });
};

/** The research extract for the `researcher` role: one pseudonymised row per inquiry, NDJSON or CSV, streamed. */
export const researchRoutes: FastifyPluginAsyncZod<{ extract: ResearchExtract | null; columns: string[]; audit: Pick<AuditLog, 'record'> }> = async (app, { extract, columns, audit }) => {
  app.get('/v1/research/extract', {
    onRequest: requireRole('researcher'),
    schema: {
      operationId: 'getResearchExtract',
      tags: ['statistics'],
      summary: 'The research extract: one row per inquiry, pseudonymised, for evaluation',
      description: `One row per inquiry (by Stockholm arrival month), columns: ${columns.join(', ')}. ` +
        'The README\'s data dictionary defines each. No personal data: the organisation number appears only as `orgPseudonym`, ' +
        'HMAC-SHA256 under RESEARCH_PSEUDONYM_SECRET (held outside the database), the same in every extract; sole traders\' rows have none. ' +
        'NDJSON by default (`application/x-ndjson`), CSV with `Accept: text/csv` (UTF-8 with BOM, `;`). Streamed. Every extract is recorded in the audit log. ' +
        '503 while RESEARCH_PSEUDONYM_SECRET is not set.',
      security: BEARER,
      querystring: extractQuerySchema,
      response: {
        200: {
          description: 'The rows',
          content: {
            'application/x-ndjson': { schema: z.string().describe('One JSON object per line') },
            'text/csv': { schema: z.string().describe('CSV with a header row') },
          },
        },
        ...problemResponses(400, 401, 403, 503),
      },
    },
    handler: async (request, reply) => {
      if (!extract) {
        throw new ProblemError(503, 'research-extract-off', 'Research extract not configured',
          both('The research extract needs RESEARCH_PSEUDONYM_SECRET (the pseudonym key, held outside the database).', 'Forskningsuttaget kräver RESEARCH_PSEUDONYM_SECRET (pseudonymnyckeln, som hålls utanför databasen).'));
      }
      const me = principalOf(request);
      audit.record({ by: me.keyId, byRole: me.role }, { action: 'research-extract-read', data: { ...request.query, format: wantsCsv(request.headers.accept) ? 'csv' : 'ndjson' } });
      const csv = wantsCsv(request.headers.accept);
      return reply
        .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="research-extract.${csv ? 'csv' : 'ndjson'}"`)
        .header('cache-control', 'no-store')
        // A stream is sent as it is (no serializer); the schema above documents its content.
        .send((csv ? extract.csv(request.query, me.counties) : extract.ndjson(request.query, me.counties)) as unknown as string);
    },
  });
};
