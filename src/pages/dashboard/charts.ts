import { html, type Html } from '../html.js';
import { formatNumber, formatPercent, TEXTS, type Language } from '../i18n.js';
import { formatValue, type ChartModel } from './figures.js';
import type { ReferralMatrixModel } from './matrix.js';

/**
 * Charts drawn on the server as inline SVG: they need no script (the dashboard works with JavaScript off
 * and under a CSP without script), print and zoom sharply, and carry a title and description for screen
 * readers, while the table beside each chart gives the exact numbers. Colours come from the stylesheet
 * (classes, no inline styles, which the CSP forbids); bars below the target differ in colour and the
 * tables say which, so colour is never the only cue.
 */
const WIDTH = 640;
const round = (n: number) => Math.round(n * 10) / 10;

export function chartSvg(model: ChartModel, language: Language): Html {
  return model.kind === 'hbar' ? horizontal(model, language) : vertical(model, language);
}

/** The axis: its top and the tick step. Shares run to 100 %; counts and hours to a round number in whole steps. */
function scaleOf(model: ChartModel): { max: number; step: number } {
  const format = model.columns.find((c) => c.key === model.value)!.format;
  if (format === 'share') return { max: 1, step: 0.25 };
  const top = Math.max(0, ...model.rows.map((r) => r.values[model.value] ?? 0));
  const rough = Math.max(1, top / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough)!;
  const step1 = format === 'count' ? Math.max(1, Math.round(step)) : step;
  return { max: Math.max(step1, Math.ceil(top / step1) * step1), step: step1 };
}

function scaleMax(model: ChartModel): number {
  return scaleOf(model).max;
}

function labels(model: ChartModel, language: Language) {
  const format = model.columns.find((c) => c.key === model.value)!.format;
  return { format, text: (v: number | null) => formatValue(v, format, language) };
}

function frame(model: { id: string; title: string; description: string }, height: number, content: Html): Html {
  const id = `chart-${model.id}`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">
<title id="${id}-title">${model.title}</title>
<desc id="${id}-desc">${model.description}</desc>
${content}
</svg>`;
}

function targetLabel(model: ChartModel, language: Language): string {
  return `${TEXTS[language].target} ${formatPercent(model.target ?? 0, language, 0)}`;
}

function horizontal(model: ChartModel, language: Language): Html {
  const labelWidth = 190;
  const barMax = WIDTH - labelWidth - 80;
  const rowHeight = 30;
  const top = model.target !== undefined ? 28 : 8;
  const height = top + model.rows.length * rowHeight + 12;
  const max = scaleMax(model);
  const { text } = labels(model, language);
  const bars = model.rows.map((r, i) => {
    const v = r.values[model.value] ?? null;
    const y = top + i * rowHeight;
    const w = v === null ? 0 : round((v / max) * barMax);
    const below = model.target !== undefined && v !== null && v < model.target;
    return html`<g>
<text x="${labelWidth - 8}" y="${y + 19}" text-anchor="end" font-size="14">${r.label}</text>
<rect class="bar${below ? ' below' : ''}" x="${labelWidth}" y="${y + 5}" width="${w}" height="${rowHeight - 10}"></rect>
<text x="${labelWidth + w + 6}" y="${y + 19}" font-size="14">${text(v)}</text>
</g>`;
  });
  const targetX = model.target !== undefined ? round(labelWidth + (model.target / max) * barMax) : null;
  return frame(model, height, html`<line class="axis" x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${height - 8}"></line>
${bars}
${targetX !== null ? html`<line class="target" x1="${targetX}" y1="${top - 4}" x2="${targetX}" y2="${height - 8}"></line>
<text class="target-label" x="${targetX}" y="${top - 10}" text-anchor="middle" font-size="13">${targetLabel(model, language)}</text>` : null}`);
}

function vertical(model: ChartModel, language: Language): Html {
  const height = 280;
  const left = 56;
  const right = WIDTH - 12;
  const top = 28;
  const bottom = height - 46;
  const plotHeight = bottom - top;
  const n = Math.max(1, model.rows.length);
  const slot = (right - left) / n;
  const barWidth = Math.min(56, slot * 0.65);
  const max = scaleMax(model);
  const { text, format } = labels(model, language);
  const y = (v: number) => round(bottom - (v / max) * plotHeight);
  const { step } = scaleOf(model);
  const ticks: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(Math.round(v * 1000) / 1000);
  const grid = ticks.map((v) => html`<line class="grid" x1="${left}" y1="${y(v)}" x2="${right}" y2="${y(v)}"></line>
<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="12">${format === 'share' ? formatPercent(v, language, 0) : formatValue(Math.round(v * 10) / 10, format, language)}</text>`);
  const small = n > 8;
  const bars = model.rows.map((r, i) => {
    const v = r.values[model.value] ?? null;
    const x = round(left + i * slot + (slot - barWidth) / 2);
    const below = model.target !== undefined && v !== null && v < model.target;
    const label = small && /^\d{4}-\d{2}$/.test(r.label) ? r.label.slice(2) : r.label;
    return html`<g>
${v !== null ? html`<rect class="bar${below ? ' below' : ''}" x="${x}" y="${y(v)}" width="${round(barWidth)}" height="${round(bottom - y(v))}"></rect>` : null}
<text x="${round(x + barWidth / 2)}" y="${v === null ? bottom - 4 : y(v) - 5}" text-anchor="middle" font-size="${small ? 11 : 13}">${text(v)}</text>
<text x="${round(x + barWidth / 2)}" y="${bottom + 18}" text-anchor="middle" font-size="${small ? 11 : 13}">${label}</text>
</g>`;
  });
  const target = model.target !== undefined ? html`<line class="target" x1="${left}" y1="${y(model.target)}" x2="${right}" y2="${y(model.target)}"></line>
<text class="target-label" x="${right}" y="${y(model.target) - 6}" text-anchor="end" font-size="13">${targetLabel(model, language)}</text>` : null;
  return frame(model, height, html`${grid}<line class="axis" x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}"></line>${bars}${target}`);
}

/**
 * The referral matrix drawn as one stacked bar per from → to pair: misrouted, additional need and (for old
 * history) unknown kind side by side, with a legend, and the count written at the end of each bar with the
 * misrouted part in words, so colour is never the only cue. The pair's names sit above its bar (actor names are
 * long); the table beside it is the matrix itself.
 */
export function referralMatrixSvg(model: ReferralMatrixModel, language: Language): Html {
  const t = TEXTS[language].referralMatrix;
  const left = 8;
  const barMax = WIDTH - left - 150;
  const rowHeight = 46;
  const legendHeight = 34;
  const height = legendHeight + model.pairs.length * rowHeight + 8;
  const max = Math.max(1, ...model.pairs.map((p) => p.counts.total));
  const kinds = ([
    ['misrouted', 'bar misrouted', t.misrouted],
    ['additionalNeed', 'bar additional', t.additionalNeed],
    ...(model.hasUnspecified ? [['unspecified', 'bar unspecified', t.unspecified]] : []),
  ] as [keyof ReferralMatrixModel['total'], string, string][]);
  const legend = kinds.map(([, cls, label], i) => html`<rect class="${cls}" x="${left + i * 190}" y="8" width="16" height="16"></rect>
<text x="${left + i * 190 + 22}" y="21" font-size="14">${label}</text>`);
  const count = (n: number) => formatNumber(n, language, 0);
  const bars = model.pairs.map((p, i) => {
    const y = legendHeight + i * rowHeight;
    let x = left;
    const segments = kinds.map(([k, cls]) => {
      const w = round((p.counts[k] / max) * barMax);
      const rect = w > 0 ? html`<rect class="${cls}" x="${round(x)}" y="${y + 22}" width="${w}" height="18"></rect>` : null;
      x += w;
      return rect;
    });
    return html`<g>
<text x="${left}" y="${y + 16}" font-size="14">${p.from.label} → ${p.to.label}</text>
${segments}
<text x="${round(x) + 6}" y="${y + 36}" font-size="14">${t.barText(count(p.counts.total), count(p.counts.misrouted))}</text>
</g>`;
  });
  return frame(model, height, html`${legend}${bars}`);
}
