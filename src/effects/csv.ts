/**
 * CSV as Swedish spreadsheets read it (CONTRACTS.md §8): UTF-8 with a byte-order mark, `;` between
 * fields, `,` as the decimal mark, CRLF line ends, fields quoted when they hold `;`, `"` or a line break.
 *
 * TO BE REPLACED by the shared writer src/shared/csv.ts (issue 9) once it is on main: same format.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? String(value).replace('.', ',') : String(value);
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(';')}\r\n`;
}

export const CSV_BOM = '\uFEFF';

export function toCsv(header: string[], rows: unknown[][]): string {
  return CSV_BOM + csvLine(header) + rows.map(csvLine).join('');
}
