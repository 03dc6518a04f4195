import { html, type Html } from '../html.js';
import { formatNumber, formatPercent, TEXTS, type Language } from '../i18n.js';
import { describedBy, errorMessage, errorSummary, type FieldError } from '../layout.js';
import { chartSvg, referralMatrixSvg } from './charts.js';
import { formatValue, type ChartModel, type DashboardData, type DashboardFilter } from './figures.js';
import { misroutedShare, type KindCounts, type ReferralMatrixModel } from './matrix.js';

export function signInBody(o: { language: Language; csrf: string; action: string; errors: FieldError[]; notice?: string | undefined }): Html {
  const t = TEXTS[o.language];
  const error = o.errors.find((e) => e.field === 'key')?.message;
  return html`${errorSummary(o.language, o.errors)}
<h1>${t.signInTitle}</h1>
${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : null}
<p>${t.signInIntro}</p>
<form method="post" action="${o.action}">
<input type="hidden" name="_csrf" value="${o.csrf}">
<div class="field ${error ? 'has-error' : ''}">
<label for="key">${t.apiKey}</label>
<span class="hint" id="key-hint">${t.apiKeyHint}</span>
${errorMessage(o.language, 'key', error)}
<input type="password" id="key" name="key" required autocomplete="off" spellcheck="false" autocapitalize="off"${describedBy('key', true, Boolean(error))}${error ? html` aria-invalid="true"` : null}>
</div>
<button type="submit" class="button">${t.signIn}</button>
</form>`;
}

export function headerTools(language: Language, o: { label: string; role: string; csrf: string; action: string }): Html {
  const t = TEXTS[language];
  return html`<span class="who">${t.signedInAs(o.label, t.roles[o.role] ?? o.role)}</span>
<form method="post" action="${o.action}"><input type="hidden" name="_csrf" value="${o.csrf}"><button type="submit" class="button link-like" id="sign-out">${t.signOut}</button></form>`;
}

export interface BreachedCase { reference: string; county: string; actor: string; deadline: string; status: string }

export interface DashboardView {
  language: Language;
  filter: DashboardFilter;
  errors: FieldError[];
  counties: { code: string; name: string }[];
  actors: { id: string; name: string }[];
  explicitLanguage: Language | null;
  data: DashboardData | null;
  charts: ChartModel[];
  /** The referral matrix, drawn after the referrals per actor. */
  matrix: ReferralMatrixModel | null;
  csvHref: (chart: string) => string;
  breached: BreachedCase[] | null;
}

export function dashboardBody(v: DashboardView): Html {
  const t = TEXTS[v.language];
  const fromError = v.errors.find((e) => e.field === 'from')?.message;
  const toError = v.errors.find((e) => e.field === 'to')?.message;
  return html`${errorSummary(v.language, v.errors)}
<h1>${t.dashboardTitle}</h1>
<form method="get" action="/dashboard" class="filters" aria-labelledby="filter-title">
<h2 id="filter-title" class="visually-hidden">${t.filterTitle}</h2>
${v.explicitLanguage ? html`<input type="hidden" name="lang" value="${v.explicitLanguage}">` : null}
<div class="field ${fromError ? 'has-error' : ''}"><label for="from">${t.from}</label>${errorMessage(v.language, 'from', fromError)}<input type="date" id="from" name="from" value="${v.filter.from}" required${describedBy('from', false, Boolean(fromError))}></div>
<div class="field ${toError ? 'has-error' : ''}"><label for="to">${t.to}</label>${errorMessage(v.language, 'to', toError)}<input type="date" id="to" name="to" value="${v.filter.to}" required${describedBy('to', false, Boolean(toError))}></div>
<div class="field"><label for="county">${t.county}</label><select id="county" name="county"><option value="">${t.allCounties}</option>${v.counties.map((c) => html`<option value="${c.code}"${v.filter.county === c.code ? html` selected` : null}>${c.name}</option>`)}</select></div>
<div class="field"><label for="actor">${t.actor}</label><select id="actor" name="actor"><option value="">${t.allActors}</option>${v.actors.map((a) => html`<option value="${a.id}"${v.filter.actor === a.id ? html` selected` : null}>${a.name}</option>`)}</select></div>
<button type="submit" class="button">${t.show}</button>
</form>
${v.data ? content(v, v.data) : null}`;
}

function content(v: DashboardView, data: DashboardData): Html {
  const t = TEXTS[v.language];
  const total = data.total;
  const hours = (h: number | null) => (h === null ? t.notAvailable : t.hoursValue(formatNumber(h, v.language)));
  const rate = total.complianceRate;
  const status = rate === null ? null : rate >= total.target ? html` <span class="tag met">${t.atOrAbove}</span>` : html` <span class="tag below">${t.below}</span>`;
  return html`<section aria-labelledby="key-figures">
<h2 id="key-figures">${t.keyFigures}</h2>
<dl class="figures">
<div><dt>${t.received}</dt><dd>${formatNumber(total.received, v.language, 0)}</dd></div>
<div><dt>${t.inTimeShare} (${t.target.toLowerCase()} ${formatPercent(total.target, v.language, 0)})</dt><dd>${formatPercent(rate, v.language)}${status}</dd></div>
<div><dt>${t.median}</dt><dd>${hours(total.medianHoursToFirstContact)}</dd></div>
<div><dt>${t.p90}</dt><dd>${hours(total.p90HoursToFirstContact)}</dd></div>
<div><dt>${t.openBreached}</dt><dd>${formatNumber(data.open.breached, v.language, 0)}</dd></div>
</dl>
</section>
${total.received === 0 ? html`<p>${t.noData}</p>` : null}
${v.charts.map((chart) => html`${chartBlock(v, chart)}${chart.id === 'open' && v.breached ? breachedList(v.language, v.breached) : null}${chart.id === 'referrals' && v.matrix ? matrixBlock(v, v.matrix) : null}`)}`;
}

function chartBlock(v: DashboardView, chart: ChartModel): Html {
  const t = TEXTS[v.language];
  const headingId = `h-${chart.id}`;
  return html`<section class="chart-block" aria-labelledby="${headingId}" id="section-${chart.id}">
<h2 id="${headingId}">${chart.title}</h2>
<div class="chart-grid">
<figure>
${chart.rows.length > 0 ? chartSvg(chart, v.language) : html`<p>${t.noData}</p>`}
<figcaption class="muted">${chart.description}</figcaption>
</figure>
<div>
<div class="table-scroll" tabindex="0" role="region" aria-label="${t.tableCaption(chart.title)}">
<table>
<caption>${t.tableCaption(chart.title)}</caption>
<thead><tr><th scope="col">${chart.category}</th>${chart.columns.map((c) => html`<th scope="col" class="num">${c.label}</th>`)}</tr></thead>
<tbody>${chart.rows.map((r) => html`<tr><th scope="row">${r.label}</th>${chart.columns.map((c) => html`<td class="num">${formatValue(r.values[c.key] ?? null, c.format, v.language)}</td>`)}</tr>`)}</tbody>
</table>
</div>
<p class="csv"><a href="${v.csvHref(chart.id)}" download>${t.downloadCsv(chart.short)}</a></p>
</div>
</div>
</section>`;
}

function breachedList(language: Language, cases: BreachedCase[]): Html {
  const t = TEXTS[language];
  const c = t.breachedColumns;
  return html`<section class="chart-block" aria-labelledby="h-breached" id="section-breached">
<h2 id="h-breached">${t.breachedTitle}</h2>
<p>${t.breachedIntro}</p>
${cases.length === 0 ? html`<p>${t.breachedNone}</p>` : html`<div class="table-scroll" tabindex="0" role="region" aria-label="${t.breachedTitle}"><table>
<caption class="visually-hidden">${t.breachedTitle}</caption>
<thead><tr><th scope="col">${c.reference}</th><th scope="col">${c.county}</th><th scope="col">${c.actor}</th><th scope="col">${c.deadline}</th><th scope="col">${c.status}</th></tr></thead>
<tbody>${cases.map((x) => html`<tr><th scope="row">${x.reference}</th><td>${x.county}</td><td>${x.actor}</td><td>${x.deadline}</td><td>${x.status}</td></tr>`)}</tbody>
</table></div>`}
</section>`;
}

/**
 * The referral matrix: the chart (a bar per pair, split by kind) and the matrix as a table, rows the referring
 * actor and columns the receiving one (each column header names its actor, "Till Almi", so a screen reader reading a
 * cell hears both), every cell saying how many of its referrals were misrouted; each row ends with its total, its
 * split by kind and its share misrouted, and the foot sums the columns. The table grows with the actors, so chart and
 * table are stacked rather than side by side. With no referrals, a sentence says so.
 */
function matrixBlock(v: DashboardView, m: ReferralMatrixModel): Html {
  const t = TEXTS[v.language];
  const r = t.referralMatrix;
  const n = (x: number) => formatNumber(x, v.language, 0);
  const headingId = `h-${m.id}`;
  const cell = (c: KindCounts | undefined) => html`<td class="num">${n(c?.total ?? 0)}${c && c.misrouted > 0 ? html`<span class="cell-note">${r.ofWhichMisrouted(n(c.misrouted))}</span>` : null}</td>`;
  const summary = (c: KindCounts) => html`<td class="num">${n(c.total)}</td><td class="num">${n(c.misrouted)}</td><td class="num">${n(c.additionalNeed)}</td>${m.hasUnspecified ? html`<td class="num">${n(c.unspecified)}</td>` : null}<td class="num">${formatPercent(misroutedShare(c), v.language)}</td>`;
  const empty = m.pairs.length === 0;
  const csv = html`<p class="csv"><a href="${v.csvHref(m.id)}" download>${t.downloadCsv(m.short)}</a></p>`;
  return html`<section class="chart-block" aria-labelledby="${headingId}" id="section-${m.id}">
<h2 id="${headingId}">${m.title}</h2>
${empty ? html`<p class="empty">${r.none}</p>` : html`<div class="chart-grid stacked">
<figure>
${referralMatrixSvg(m, v.language)}
<figcaption class="muted">${m.description} ${r.kinds}</figcaption>
</figure>
<div>
<div class="table-scroll" tabindex="0" role="region" aria-label="${t.tableCaption(m.title)}">
<table>
<caption>${t.tableCaption(m.title)}<span class="caption-note">${r.captionNote}</span></caption>
<thead><tr><th scope="col">${r.fromActor}</th>${m.columns.map((c) => html`<th scope="col" class="num">${r.toColumn(c.label)}</th>`)}<th scope="col" class="num">${r.total}</th><th scope="col" class="num">${r.misrouted}</th><th scope="col" class="num">${r.additionalNeed}</th>${m.hasUnspecified ? html`<th scope="col" class="num">${r.unspecified}</th>` : null}<th scope="col" class="num">${r.misroutedShare}</th></tr></thead>
<tbody>${m.rows.map((row) => html`<tr><th scope="row">${row.label}</th>${m.columns.map((c) => cell(m.cell(row.key, c.key)))}${summary(m.rowTotal(row.key))}</tr>`)}</tbody>
<tfoot><tr><th scope="row">${r.total}</th>${m.columns.map((c) => cell(m.columnTotal(c.key)))}${summary(m.total)}</tr></tfoot>
</table>
</div>
${csv}
</div>
</div>`}
${empty ? csv : null}
</section>`;
}
