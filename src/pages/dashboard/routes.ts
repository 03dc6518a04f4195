import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { ApiKeyService, Principal } from '../../auth/service.js';
import type { ReferenceService } from '../../reference/service.js';
import type { Clock } from '../../shared/clock.js';
import { localDateOf } from '../../deadlines/calendar.js';
import { ProblemError } from '../../shared/problems.js';
import { instantInWords } from '../../deadlines/in-words.js';
import type { CaseService } from '../../cases/service.js';
import { listCasesQuerySchema } from '../../cases/schemas.js';
import type { StatsService } from '../../stats/service.js';
import type { Assets } from '../assets.js';
import { actorShortName, explicitLanguage, languageOf, TEXTS, type Language } from '../i18n.js';
import { langQuery, otherLanguageHref, page, pageSecurity, sendPage, type FieldError } from '../layout.js';
import { chartCsv } from './csv.js';
import { chartsOf, loadDashboard, type DashboardFilter } from './figures.js';
import { MATRIX_ID, referralMatrixCsv, referralMatrixOf } from './matrix.js';
import { createDashboardSessions } from './sessions.js';
import { dashboardBody, headerTools, signInBody, type BreachedCase } from './view.js';

export interface DashboardOptions {
  db: Db;
  clock: Clock;
  config: Config;
  reference: ReferenceService;
  apiKeys: ApiKeyService;
  assets: Assets;
  stats: StatsService;
  cases: CaseService;
}

const SESSION_COOKIE = 'edi_dashboard';
const COOKIE_PATH = '/dashboard';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (s: string) => DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * The compliance dashboard for analysts and coordinators (admins may look too). Sign-in exchanges an API
 * key for a session cookie (HttpOnly, Secure, SameSite=Strict, path /dashboard); every form post carries
 * a CSRF token (@fastify/csrf-protection, its secret in its own strict cookie). Figures come from the
 * statistics service in this process, limited to the key's counties as in the API; coordinators also see
 * their counties' open cases past the deadline (references only, no personal data).
 */
export async function dashboardRoutes(app: FastifyInstance, o: DashboardOptions) {
  const { db, clock, config, reference } = o;
  const security = pageSecurity();
  const cookieOptions = { path: COOKIE_PATH, httpOnly: true, secure: true, sameSite: 'strict' as const };
  await app.register(cookie);
  await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieKey: 'edi_csrf', cookieOpts: cookieOptions });

  const sessions = createDashboardSessions({
    db, clock, apiKeys: o.apiKeys,
    idleMs: config.DASHBOARD_SESSION_IDLE_MINUTES * 60_000, maxMs: config.DASHBOARD_SESSION_MAX_HOURS * 3_600_000,
  });
  const { stats, cases } = o;

  const namesIn = (language: Language) => ({
    county: (code: string | null) => (code ? reference.places.county(code)?.name ?? code : TEXTS[language].unknownCounty2),
    actor: (id: string | null) => { const a = id ? reference.actor(id) : undefined; return a ? actorShortName(a) : id ?? ''; },
  });

  const principalOf = (request: FastifyRequest) => sessions.resume(request.cookies[SESSION_COOKIE]);
  const lang = (request: FastifyRequest, prefix = '?') => langQuery(explicitLanguage(request), prefix);

  function signInPage(request: FastifyRequest, reply: FastifyReply, o2: { errors?: FieldError[]; notice?: string; status?: number } = {}) {
    const language = languageOf(request);
    const t = TEXTS[language];
    const body = signInBody({ language, csrf: reply.generateCsrf(), action: `/dashboard/sign-in${lang(request)}`, errors: o2.errors ?? [], notice: o2.notice });
    return sendPage(reply, page(o.assets, { language, title: t.signInTitle, body, switchHref: otherLanguageHref(request, language), hasErrors: Boolean(o2.errors?.length) }), o2.status ?? 200);
  }

  app.get('/dashboard/sign-in', { schema: { hide: true }, helmet: security }, async (request, reply) => {
    if (principalOf(request)) return reply.redirect(`/dashboard${lang(request)}`, 303);
    const t = TEXTS[languageOf(request)];
    const q = request.query as Record<string, string | undefined>;
    return signInPage(request, reply, { ...(q.signedOut ? { notice: t.signedOut } : q.expired ? { notice: t.sessionExpired } : {}) });
  });

  app.post('/dashboard/sign-in', { schema: { hide: true }, helmet: security, preHandler: app.csrfProtection }, async (request, reply) => {
    const t = TEXTS[languageOf(request)];
    const key = String((request.body as Record<string, unknown> | undefined)?.key ?? '').trim();
    if (!key) return signInPage(request, reply, { errors: [{ field: 'key', id: 'key', message: t.keyRequired }], status: 400 });
    const result = sessions.signIn(key);
    if (!result.ok) {
      const message = result.reason === 'wrong-role' ? t.keyWrongRole : t.keyInvalid;
      return signInPage(request, reply, { errors: [{ field: 'key', id: 'key', message }], status: result.reason === 'wrong-role' ? 403 : 401 });
    }
    request.log.info({ keyId: result.principal.keyId, role: result.principal.role }, 'dashboard sign-in');
    reply.setCookie(SESSION_COOKIE, result.sessionId, { ...cookieOptions, maxAge: Math.floor(sessions.maxMs / 1000) });
    return reply.header('cache-control', 'no-store').redirect(`/dashboard${lang(request)}`, 303);
  });

  app.post('/dashboard/sign-out', { schema: { hide: true }, helmet: security, preHandler: app.csrfProtection }, async (request, reply) => {
    sessions.signOut(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    return reply.header('cache-control', 'no-store').redirect(`/dashboard/sign-in?signedOut=1${lang(request, '&')}`, 303);
  });

  /** The signed-in principal, or a redirect to the sign-in page (saying the session expired when there was one). */
  function requireSession(request: FastifyRequest, reply: FastifyReply): Principal | null {
    const principal = principalOf(request);
    if (principal) return principal;
    const had = Boolean(request.cookies[SESSION_COOKIE]);
    if (had) reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    void reply.header('cache-control', 'no-store').redirect(`/dashboard/sign-in${had ? `?expired=1${lang(request, '&')}` : lang(request)}`, 303);
    return null;
  }

  function filterOf(request: FastifyRequest, principal: Principal, language: Language): { filter: DashboardFilter; errors: FieldError[] } {
    const q = request.query as Record<string, string | undefined>;
    const t = TEXTS[language];
    const today = localDateOf(clock());
    const [y, m] = today.split('-').map(Number) as [number, number];
    const yearAgo = new Date(Date.UTC(y, m - 12, 1)).toISOString().slice(0, 10);
    const errors: FieldError[] = [];
    const from = q.from?.trim() || yearAgo;
    const to = q.to?.trim() || today;
    if (!isDate(from)) errors.push({ field: 'from', id: 'from', message: t.dateInvalid });
    if (!isDate(to)) errors.push({ field: 'to', id: 'to', message: t.dateInvalid });
    if (errors.length === 0 && from > to) errors.push({ field: 'from', id: 'from', message: t.dateOrder });
    const county = q.county && reference.places.resolveCountyInput(q.county)?.code;
    const allowedCounty = county && (principal.counties === null || principal.counties.includes(county)) ? county : undefined;
    const actor = q.actor && reference.actor(q.actor) ? q.actor : undefined;
    return { filter: { from, to, county: allowedCounty, actor }, errors };
  }

  function breachedFor(principal: Principal, filter: DashboardFilter, language: Language): BreachedCase[] | null {
    if (principal.role !== 'coordinator') return null;
    const t = TEXTS[language];
    const query = listCasesQuerySchema.parse({
      status: 'triage,assigned,claimed', deadlineState: 'breached', order: 'deadline-asc', limit: '50',
      ...(filter.county ? { county: filter.county } : {}),
    });
    const now = clock();
    return cases.list(principal, query).items.map((c) => ({
      reference: c.reference,
      county: c.county?.name ?? t.unknownCounty2,
      actor: c.assignedActor ? actorShortName(c.assignedActor) : t.triageQueue,
      deadline: instantInWords(Date.parse(c.deadline.dueAt), language, { now }),
      status: t.caseStatuses[c.status] ?? c.status,
    }));
  }

  app.get('/dashboard', { schema: { hide: true }, helmet: security }, async (request, reply) => {
    const principal = requireSession(request, reply);
    if (!principal) return reply;
    const language = languageOf(request);
    const t = TEXTS[language];
    const { filter, errors } = filterOf(request, principal, language);
    const data = errors.length === 0 ? loadDashboard(stats, filter, principal) : null;
    const charts = data ? chartsOf(data, language, namesIn(language)) : [];
    const matrix = data ? referralMatrixOf(data.referrals, language, namesIn(language)) : null;
    const query = new URLSearchParams({ from: filter.from, to: filter.to, ...(filter.county ? { county: filter.county } : {}), ...(filter.actor ? { actor: filter.actor } : {}) });
    const explicit = explicitLanguage(request);
    if (explicit) query.set('lang', explicit);
    const csrfToken = reply.generateCsrf();
    const body = dashboardBody({
      language, filter, errors, explicitLanguage: explicit, data, charts, matrix,
      counties: reference.places.counties.filter((c) => principal.counties === null || principal.counties.includes(c.code)).map((c) => ({ code: c.code, name: c.name })),
      actors: reference.actors().filter((a) => a.active).map((a) => ({ id: a.id, name: a.name })),
      csvHref: (chart) => `/dashboard/csv/${chart}?${query.toString()}`,
      breached: data ? breachedFor(principal, filter, language) : null,
    });
    const tools = headerTools(language, { label: principal.label, role: principal.role, csrf: csrfToken, action: `/dashboard/sign-out${lang(request)}` });
    return sendPage(reply, page(o.assets, { language, title: t.dashboardTitle, body, switchHref: otherLanguageHref(request, language), hasErrors: errors.length > 0, wide: true, headerTools: tools }), errors.length > 0 ? 400 : 200);
  });

  app.get('/dashboard/csv/:chart', { schema: { hide: true }, helmet: security }, async (request, reply) => {
    const principal = requireSession(request, reply);
    if (!principal) return reply;
    const language = languageOf(request);
    const { filter, errors } = filterOf(request, principal, language);
    const id = (request.params as { chart: string }).chart;
    const data = errors.length === 0 ? loadDashboard(stats, filter, principal) : null;
    const chart = data ? chartsOf(data, language, namesIn(language)).find((c) => c.id === id) : undefined;
    const csv = chart ? chartCsv(chart)
      : data && id === MATRIX_ID ? referralMatrixCsv(referralMatrixOf(data.referrals, language, namesIn(language)), language)
        : null;
    if (csv === null) throw new ProblemError(404, 'not-found', 'Not found', 'No such chart.');
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${id}-${filter.from}-${filter.to}.csv"`)
      .send(csv);
  });
}
