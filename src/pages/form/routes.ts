import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IntakeService } from '../../intake/service.js';
import type { ReferenceService } from '../../reference/service.js';
import type { County } from '../../reference/places.js';
import type { Clock } from '../../shared/clock.js';
import { ProblemError } from '../../shared/problems.js';
import type { Assets } from '../assets.js';
import { html } from '../html.js';
import { explicitLanguage, languageOf, TEXTS, type Language } from '../i18n.js';
import { langQuery, otherLanguageHref, page, pageSecurity, sendPage, type FieldError } from '../layout.js';
import { alternativesSection, whatHappens } from '../status/view.js';
import { fieldErrors, intakeBodyOf, validate, type FormValues } from './fields.js';
import { formBody } from './view.js';

export interface FormPageDeps {
  intake: Pick<IntakeService, 'submit' | 'statusFor' | 'languageFor'>;
  reference: ReferenceService;
  clock: Clock;
  assets: Assets;
  publicBaseUrl: string;
  /** Origins allowed to frame the form (TRUSTED_FORM_ORIGINS). */
  trustedOrigins: string[];
}

/** The entry point (issue 9) of inquiries sent through this reference form, so the statistics can tell them apart. */
export const REFERENCE_FORM_ENTRY_POINT = 'reference-form';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;
const tokenParams = z.object({ token: z.string().min(20).max(100) });

/**
 * The reference inquiry form: `/forms/{county}` (SE-M, 12, skane, Skåne län …) or `/forms` (then it asks
 * for the municipality). It posts to itself as an ordinary form, so it works without JavaScript; the server
 * validates with the intake schema and submits through the intake service in this process, with the
 * per-load idempotency key from the form (a double click, a reload after sending: still one inquiry).
 * Success is a 303 to the receipt, so a reload never posts again. Regions may frame these pages from
 * TRUSTED_FORM_ORIGINS only (CSP frame-ancestors).
 */
export async function formRoutes(app: FastifyInstance, deps: FormPageDeps) {
  const { intake, reference, clock, assets } = deps;
  const security = pageSecurity({ script: true, connect: true, frameAncestors: deps.trustedOrigins });
  const countyNames = new Map(reference.places.counties.map((c) => [c.code, c.name]));

  function countyOf(request: FastifyRequest): County | null | undefined {
    const param = (request.params as { county?: string }).county;
    if (param === undefined) return null;
    return reference.places.resolveCountyInput(param) ?? undefined;
  }

  function renderForm(request: FastifyRequest, reply: FastifyReply, county: County | null, o: { values: FormValues; errors?: FieldError[]; formError?: string; status?: number }) {
    const language = languageOf(request);
    const t = TEXTS[language];
    const body = formBody({
      language,
      county: county ? { code: county.code, shortName: county.shortName } : null,
      municipalities: reference.places.municipalities.filter((m) => !county || m.countyCode === county.code).sort((a, b) => a.name.localeCompare(b.name, 'sv')),
      countyNames,
      action: `${new URL(request.url, 'http://x').pathname}${langQuery(explicitLanguage(request))}`,
      values: o.values,
      errors: o.errors ?? [],
      ...(o.formError ? { formError: o.formError } : {}),
    });
    const hasErrors = Boolean(o.errors?.length || o.formError);
    return sendPage(reply, page(assets, {
      language, title: t.formTitle(county?.shortName ?? null), body, hasErrors,
      switchHref: otherLanguageHref(request, language), scripts: ['form.js'],
    }), o.status ?? 200);
  }

  async function show(request: FastifyRequest, reply: FastifyReply) {
    const county = countyOf(request);
    if (county === undefined) throw new ProblemError(404, 'not-found', 'Not found', 'No such county.');
    return renderForm(request, reply, county, { values: { idempotencyKey: randomUUID() } });
  }

  async function submit(request: FastifyRequest, reply: FastifyReply) {
    const county = countyOf(request);
    if (county === undefined) throw new ProblemError(404, 'not-found', 'Not found', 'No such county.');
    const language = languageOf(request);
    const t = TEXTS[language];
    const posted = (request.body ?? {}) as Record<string, unknown>;
    const values: FormValues = {};
    for (const [k, v] of Object.entries(posted)) if (typeof v === 'string') (values as Record<string, string>)[k] = v;
    const key = values.idempotencyKey && IDEMPOTENCY_KEY.test(values.idempotencyKey) ? values.idempotencyKey : randomUUID();
    values.idempotencyKey = key;

    const body = intakeBodyOf(values, { countyCode: county?.code ?? null, language });
    const checked = validate(body);
    const invalid = checked.ok ? [] : checked.invalidParams;
    // The form without a county asks for the municipality: that is how it finds the export centre.
    if (!county && !values.municipality?.trim()) invalid.push({ name: 'body.municipality', reason: 'Required', code: 'required' });
    if (invalid.length > 0 || !checked.ok) {
      return renderForm(request, reply, county, { values, errors: fieldErrors(invalid, language), status: 400 });
    }
    if (checked.data.website) {
      request.log.info({ honeypot: true }, 'inquiry refused: honeypot field filled');
      return renderForm(request, reply, county, { values: { ...values, website: '', idempotencyKey: randomUUID() }, formError: t.botRefused, status: 422 });
    }
    let created;
    try {
      ({ created } = await intake.submit({ ...checked.data, entryPoint: checked.data.entryPoint ?? REFERENCE_FORM_ENTRY_POINT }, { idempotencyKey: key }));
    } catch (error) {
      if (error instanceof ProblemError && error.status === 400 && error.invalidParams) {
        return renderForm(request, reply, county, { values, errors: fieldErrors(error.invalidParams, language), status: 400 });
      }
      throw error;
    }
    const receipt = `${new URL(created.statusUrl).pathname}/receipt${langQuery(explicitLanguage(request))}`;
    return reply.header('cache-control', 'no-store').redirect(receipt, 303);
  }

  for (const url of ['/forms', '/forms/:county']) {
    app.get(url, { schema: { hide: true }, helmet: security }, show);
    app.post(url, { schema: { hide: true }, helmet: security }, submit);
  }

  // The receipt: reference, who contacts the company by when, and the status link. Framed like the form.
  app.get('/v1/status/:token/receipt', {
    schema: { hide: true },
    helmet: security,
    handler: async (request, reply) => {
      const parsed = tokenParams.safeParse(request.params);
      if (!parsed.success) throw new ProblemError(404, 'not-found', 'Not found', 'No inquiry has this status link.');
      const token = parsed.data.token;
      const view = intake.statusFor(token);
      const language: Language = languageOf(request, intake.languageFor(token));
      const t = TEXTS[language];
      const statusUrl = `${deps.publicBaseUrl.replace(/\/$/, '')}/v1/status/${token}${langQuery(explicitLanguage(request))}`;
      const happening = whatHappens(view, reference, language, clock());
      const body = html`<div class="panel done"><h1>${t.receiptTitle}</h1>
<p>${t.reference} <span class="reference">${view.reference}</span></p>
${happening.sentences.map((s) => html`<p class="lead">${s}</p>`)}</div>
<h2>${t.receiptLinkTitle}</h2>
<p>${t.receiptLinkText}</p>
<p><a href="${statusUrl}" id="status-link" target="_top">${statusUrl}</a></p>
${alternativesSection(view, reference, language)}`;
      return sendPage(reply, page(assets, { language, title: t.receiptTitle, body, switchHref: otherLanguageHref(request, language) }));
    },
  });
}
