/**
 * CSV that opens correctly, by double-click, in a spreadsheet with Swedish settings (Excel, LibreOffice, Numbers
 * in sv-SE): the one writer every CSV output of the service uses.
 *
 * - UTF-8 with a byte-order mark: without it Excel reads the file as Windows-1252 and "Skåne" becomes "SkÃ¥ne".
 * - `;` between fields: with Swedish regional settings the list separator is `;`, because `,` is the decimal mark;
 *   a comma-separated file opens as one column.
 * - `,` as the decimal mark (0,6667), so that numbers are numbers in a Swedish spreadsheet and not text or dates.
 * - CRLF line ends and RFC 4180 quoting (a field with `;`, `"` or a line break is quoted, `"` doubled).
 * - Empty for null. Text that a spreadsheet would run as a formula (starting with = + - @) is prefixed with `'`.
 */
export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8';
/** The byte-order mark that starts every document (for a streamed one, before its first line). */
export const CSV_BOM = '\uFEFF';

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).replace('.', ',') : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row with its line end, for documents written as a stream (after CSV_BOM). */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(';')}\r\n`;
}

/** A whole CSV document: the header row, then one row per record. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return CSV_BOM + csvLine(header) + rows.map(csvLine).join('');
}
