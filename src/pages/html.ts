/**
 * HTML as plain TypeScript functions: `html` is a tagged template that escapes every interpolated value,
 * so a page cannot forget to escape what a company typed. Only an `Html` value (another template's
 * output, or `raw()` for markup this code wrote itself) is inserted as is. Arrays are joined; null,
 * undefined and false render nothing, so conditionals read naturally: ${error && html`<p>…</p>`}.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Markup written by this code (never input): inserted without escaping. */
export const raw = (markup: string): Html => new Html(markup);
