import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ApiKeyService } from '../auth/service.js';
import type { IntakeService } from '../intake/service.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { ProblemError } from '../shared/problems.js';
import type { FeedbackService } from '../stats/feedback.js';
import type { StatsService } from '../stats/service.js';
import type { CaseService } from '../cases/service.js';
import { Assets } from './assets.js';
import { html } from './html.js';
import { languageOf, TEXTS } from './i18n.js';
import { otherLanguageHref, page, sendPage } from './layout.js';
import { ACCEPTS_HTML, prefersHtml, statusPageRoutes } from './status/routes.js';
import { formRoutes } from './form/routes.js';
import { dashboardRoutes } from './dashboard/routes.js';

export interface PagesOptions {
  db: Db;
  clock: Clock;
  config: Config;
  reference: ReferenceService;
  apiKeys: ApiKeyService;
  intake: IntakeService;
  cases: CaseService;
  /** The statistics and the follow-up answers: the same instances as the API's. */
  stats: StatsService;
  feedback: FeedbackService;
}

/**
 * The pages people look at, server-rendered by this app: the company's status page (at its status link,
 * by content negotiation), the reference inquiry form with its receipt, and the compliance dashboard.
 * They call the domain services in this process (intake, feedback, statistics, cases), never the API
 * over HTTP. Each page sets its own CSP; the API's headers are untouched. Form posts are parsed
 * (application/x-www-form-urlencoded) only inside this plugin: the API still answers them with 415.
 */
export async function pagesCapability(app: FastifyInstance, options: PagesOptions) {
  const { db, clock, config, reference, apiKeys, intake, cases, stats, feedback } = options;
  if (!config.PAGES_ENABLED) {
    app.log.info('pages: off (PAGES_ENABLED=false); the status link answers JSON only');
    return;
  }
  app.log.info('pages: on (status page at the status link, /forms, /dashboard)');

  // A browser asking for the status link gets the page; any other client the JSON route, as before.
  app.addConstraintStrategy({
    name: ACCEPTS_HTML,
    storage() {
      const handlers = new Map<string, unknown>();
      return { get: (value: string) => handlers.get(value) ?? null, set: (value: string, store: unknown) => { handlers.set(value, store); } };
    },
    deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const accept = req.headers.accept;
      return typeof accept === 'string' && prefersHtml(accept) ? 'yes' : undefined;
    },
    mustMatchWhenDerived: false,
  } as unknown as Parameters<FastifyInstance['addConstraintStrategy']>[0]);

  const assets = new Assets();
  assets.routes(app);
  await app.register(formbody, { bodyLimit: config.BODY_LIMIT_BYTES });

  // Errors on a page are pages too (a mistyped status link, a limit reached), never problem+json.
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error instanceof ProblemError ? error.status : error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (error instanceof ProblemError && error.headers) reply.headers(error.headers);
    if (status >= 500) request.log.error({ err: { message: error.message, stack: error.stack } }, 'page failed');
    const language = languageOf(request);
    const t = TEXTS[language];
    const { title, text } = status === 404 ? { title: t.notFoundTitle, text: t.notFoundText }
      : status === 429 ? t.errorPages.tooMany
        // A form post without a valid CSRF token: usually a page left open too long, or cookies blocked.
        : status === 403 ? t.errorPages.expiredForm
          : status < 500 ? t.errorPages.badRequest
            : { title: t.errorPages.failed.title, text: t.errorPages.failed.text(request.id) };
    reply.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    return sendPage(reply, page(assets, { language, title, body: html`<h1>${title}</h1><p>${text}</p>`, switchHref: otherLanguageHref(request, language) }), status);
  });

  await statusPageRoutes(app, { intake, feedback, reference, clock, assets });
  await formRoutes(app, { intake, reference, clock, assets, publicBaseUrl: config.PUBLIC_BASE_URL, trustedOrigins: config.TRUSTED_FORM_ORIGINS });
  await app.register(dashboardRoutes, { db, clock, config, reference, apiKeys, assets, stats, cases });
}
