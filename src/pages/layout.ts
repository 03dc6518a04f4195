import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type Html } from './html.js';
import { TEXTS, type Language } from './i18n.js';
import type { Assets } from './assets.js';

/**
 * The page shell and the pieces every page shares: header with the language switch, error summary,
 * form fields with their hint and error tied by aria-describedby, and each page's own CSP.
 */
export interface PageOptions {
  language: Language;
  title: string;
  body: Html;
  /** The same page in the other language. */
  switchHref: string;
  /** Prefixes the title with "Fel:" / "Error:" (a failed form). */
  hasErrors?: boolean;
  wide?: boolean;
  headerTools?: Html;
  scripts?: string[];
}

export function page(assets: Assets, o: PageOptions): Html {
  const t = TEXTS[o.language];
  const other = o.language === 'sv' ? 'en' : 'sv';
  return html`<!doctype html>
<html lang="${o.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.hasErrors ? t.errorPrefix : ''}${o.title} – ${t.serviceName}</title>
<link rel="stylesheet" href="${assets.url('site.css')}">
<link rel="icon" href="${assets.url('favicon.svg')}" type="image/svg+xml">
${(o.scripts ?? []).map((s) => html`<script src="${assets.url(s)}" defer></script>`)}
</head>
<body class="${o.wide ? 'wide' : ''}">
<a class="skip-link" href="#main">${t.skipToContent}</a>
<header class="site-header">
<div class="inner">
<div class="brand">${t.serviceName}<small>${t.serviceTagline}</small></div>
<div class="header-tools">
${o.headerTools}
<a href="${o.switchHref}" lang="${other}" hreflang="${other}">${t.otherLanguage}</a>
</div>
</div>
</header>
<main id="main" tabindex="-1">
<div class="inner">
${o.body}
</div>
</main>
<footer class="site-footer"><div class="inner"><p>${t.footer}</p></div></footer>
</body>
</html>
`;
}

/** The current path and query with `lang` set (the language switch, and links that keep a chosen language). */
export function withLanguage(request: FastifyRequest, language: Language): string {
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('lang', language);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

export function otherLanguageHref(request: FastifyRequest, language: Language): string {
  return withLanguage(request, language === 'sv' ? 'en' : 'sv');
}

/** `?lang=xx` to append to the page's own links when the language was chosen explicitly, else ''. */
export const langQuery = (explicit: Language | null, prefix = '?') => (explicit ? `${prefix}lang=${explicit}` : '');

export interface FieldError { field: string; id: string; message: string }

/** At the top of a failed form: what is wrong, each a link to its field (GOV.UK / Designsystemet pattern). */
export function errorSummary(language: Language, errors: FieldError[]): Html | null {
  if (errors.length === 0) return null;
  const t = TEXTS[language];
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" id="error-summary">
<h2 id="error-summary-title">${t.errorSummaryTitle}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.id}">${e.message}</a></li>`)}</ul>
</div>`;
}

/** The ids a control's aria-describedby names: its hint and its error, when present. */
export function describedBy(id: string, hint: boolean, error: boolean): Html | null {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? html` aria-describedby="${ids.join(' ')}"` : null;
}

export function errorMessage(language: Language, id: string, message: string | undefined): Html | null {
  if (!message) return null;
  return html`<span class="error-message" id="${id}-error"><span class="visually-hidden">${TEXTS[language].errorPrefix}</span>${message}</span>`;
}

/**
 * A page's Content-Security-Policy, as the route's helmet options: nothing from elsewhere, no inline
 * script or style; script only where the page has one; framing only by the given ancestors.
 */
export function pageSecurity(o: { script?: boolean; connect?: boolean; frameAncestors?: string[] } = {}) {
  const ancestors = o.frameAncestors && o.frameAncestors.length > 0 ? ["'self'", ...o.frameAncestors] : ["'none'"];
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: o.script ? ["'self'"] : ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: o.connect ? ["'self'"] : ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ancestors,
      },
    },
    // frame-ancestors decides framing; X-Frame-Options cannot name other origins, so it goes where framing is allowed.
    ...(o.frameAncestors && o.frameAncestors.length > 0 ? { frameguard: false as const } : {}),
  };
}

/** HTML answers: never cached (they hold personal links or figures), never sent as a referrer. */
export function sendPage(reply: FastifyReply, body: Html, status = 200) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('vary', 'accept, accept-language')
    .send(body.value);
}
