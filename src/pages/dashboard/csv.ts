import { toCsv } from '../../shared/csv.js';
import type { ChartModel } from './figures.js';

/**
 * A chart's table as CSV for Swedish spreadsheets, through the project's one CSV writer (src/shared/csv.ts: UTF-8 with
 * BOM, `;` between cells, `,` as decimal mark, CRLF lines; contract 8 of the team's contracts).
 */
export function chartCsv(model: ChartModel): string {
  return toCsv(
    [model.category, ...model.columns.map((c) => c.label)],
    model.rows.map((row) => [row.label, ...model.columns.map((c) => row.values[c.key] ?? null)]),
  );
}
