import type { ChartModel } from './figures.js';

/**
 * A chart's table as CSV for Swedish spreadsheets: UTF-8 with BOM, `;` between cells, `,` as decimal mark,
 * CRLF lines (contract 8 in the team's contracts). S9 owns the project's shared writer (src/shared/csv.ts);
 * when it lands this function should call it, keeping the same output.
 */
export function chartCsv(model: ChartModel): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    const s = typeof v === 'number' ? String(v).replace('.', ',') : v;
    return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [[model.category, ...model.columns.map((c) => c.label)].map(cell).join(';')];
  for (const row of model.rows) lines.push([row.label, ...model.columns.map((c) => row.values[c.key] ?? null)].map(cell).join(';'));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
