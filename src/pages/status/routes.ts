import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IntakeService } from '../../intake/service.js';
import type { FeedbackService } from '../../stats/feedback.js';
import { HELP_ANSWERS, RIGHT_ACTOR_ANSWERS } from '../../stats/feedback.js';
import type { ReferenceService } from '../../reference/service.js';
import type { Clock } from '../../shared/clock.js';
import { ProblemError } from '../../shared/problems.js';
import type { Assets } from '../assets.js';
import { explicitLanguage, languageOf, TEXTS, type Language } from '../i18n.js';
import { langQuery, otherLanguageHref, page, pageSecurity, sendPage, type FieldError } from '../layout.js';
import { statusBody, thanksBody, type FollowUpValues } from './view.js';

export interface StatusPageDeps {
  intake: Pick<IntakeService, 'statusFor' | 'languageFor'>;
  feedback: FeedbackService;
  reference: ReferenceService;
  clock: Clock;
  assets: Assets;
}

const tokenParams = z.object({ token: z.string().min(20).max(100) });
const followUpBody = z.object({ rightActorInTime: z.string().optional(), gotHelp: z.string().optional(), comment: z.string().optional() }).loose();

/** Chosen by content negotiation: browsers that prefer HTML get the page, everyone else the JSON as before. */
export const ACCEPTS_HTML = 'acceptsHtml';

/**
 * The company's status page at its status link (`GET /v1/status/{token}` with `Accept: text/html`), the
 * follow-up questions once the case is closed (answered once), and the thank-you page. The token is the
 * credential and is in the URL: every answer is `no-store` and `Referrer-Policy: no-referrer`, links
 * to actors' sites carry rel=noreferrer, and the logs mask the token (src/plugins/logging.ts).
 */
export async function statusPageRoutes(app: FastifyInstance, deps: StatusPageDeps) {
  const { intake, feedback, reference, clock, assets } = deps;
  const security = pageSecurity();

  function render(request: FastifyRequest, token: string, extra: { errors?: FieldError[]; values?: FollowUpValues } = {}) {
    const view = intake.statusFor(token);
    const language = languageOf(request, intake.languageFor(token));
    const explicit = explicitLanguage(request);
    const body = statusBody({
      view, language, now: clock(), reference,
      followUpAction: `/v1/status/${encodeURIComponent(token)}/follow-up${langQuery(explicit)}`,
      ...extra,
    });
    // The switch always leads to the status page itself (after a failed follow-up post too).
    const switchHref = `/v1/status/${encodeURIComponent(token)}?lang=${language === 'sv' ? 'en' : 'sv'}`;
    return page(assets, { language, title: TEXTS[language].statusTitle, body, switchHref, hasErrors: Boolean(extra.errors?.length) });
  }

  app.get('/v1/status/:token', {
    constraints: { [ACCEPTS_HTML]: 'yes' },
    schema: { hide: true },
    helmet: security,
    handler: async (request, reply) => {
      const { token } = parseToken(request.params);
      return sendPage(reply, render(request, token));
    },
  });

  app.post('/v1/status/:token/follow-up', {
    schema: { hide: true },
    helmet: security,
    handler: async (request, reply) => {
      const { token } = parseToken(request.params);
      const body = followUpBody.safeParse(request.body ?? {});
      const values = body.success ? body.data : {};
      const rightActorInTime = RIGHT_ACTOR_ANSWERS.find((a) => a === values.rightActorInTime);
      const gotHelp = HELP_ANSWERS.find((a) => a === values.gotHelp);
      const comment = (values.comment ?? '').trim();
      const language = languageOf(request, intake.languageFor(token));
      const t = TEXTS[language];
      const errors: FieldError[] = [];
      if (!rightActorInTime) errors.push({ field: 'rightActorInTime', id: 'rightActorInTime', message: t.answerRequired });
      if (!gotHelp) errors.push({ field: 'gotHelp', id: 'gotHelp', message: t.answerRequired });
      if (comment.length > 2000) errors.push({ field: 'comment', id: 'comment', message: t.commentTooLong });
      if (errors.length > 0 || !rightActorInTime || !gotHelp) {
        return sendPage(reply, render(request, token, { errors, values: { rightActorInTime: values.rightActorInTime, gotHelp: values.gotHelp, comment } }), 400);
      }
      const back = `/v1/status/${encodeURIComponent(token)}`;
      const lang = langQuery(explicitLanguage(request));
      try {
        // The same service, and so the same rules, event and statistics, as POST /v1/status/{token}/feedback.
        feedback.answer(token, { rightActorInTime, gotHelp, ...(comment ? { comment } : {}) });
      } catch (error) {
        // Answered already, or not closed yet: the status page says which.
        if (error instanceof ProblemError && error.status === 409) return reply.code(303).header('cache-control', 'no-store').redirect(`${back}${lang}`);
        throw error;
      }
      return reply.code(303).header('cache-control', 'no-store').redirect(`${back}/thanks${lang}`);
    },
  });

  app.get('/v1/status/:token/thanks', {
    schema: { hide: true },
    helmet: security,
    handler: async (request, reply) => {
      const { token } = parseToken(request.params);
      const view = intake.statusFor(token);
      const back = `/v1/status/${encodeURIComponent(token)}${langQuery(explicitLanguage(request))}`;
      if (!view.followUp?.answered) return reply.code(303).header('cache-control', 'no-store').redirect(back);
      const language: Language = languageOf(request, intake.languageFor(token));
      return sendPage(reply, page(assets, { language, title: TEXTS[language].thanksTitle, body: thanksBody(language, back), switchHref: otherLanguageHref(request, language) }));
    },
  });
}

function parseToken(params: unknown): { token: string } {
  const parsed = tokenParams.safeParse(params);
  if (!parsed.success) throw new ProblemError(404, 'not-found', 'Not found', 'No inquiry has this status link.');
  return parsed.data;
}

/** True when the Accept header ranks text/html above JSON (a browser navigating), by q-value; ties go to the first listed. */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined || !accept.includes('html')) return false;
  let htmlScore = -1;
  let json = -1;
  accept.split(',').forEach((part, i) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    if (!(q > 0)) return;
    const score = q * 1000 - i;
    if (type === 'text/html' || type === 'application/xhtml+xml') htmlScore = Math.max(htmlScore, score);
    if (type === 'application/json' || type === 'application/*') json = Math.max(json, score);
  });
  return htmlScore > json;
}
