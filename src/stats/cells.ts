/**
 * The statistics cells' storage format (table `stats_cells`): which grains are kept, and how the two sparse
 * multisets of a cell are encoded. What goes into a cell is decided in projection.ts; this module only stores.
 *
 * A cell is one Stockholm arrival date × one combination of its grain's dimensions (+ whether the inquiries are
 * mystery-shopping tests). Its counts are additive; its two multisets merge exactly:
 * - `delays`: minutes from arrival to the right-actor contact → number of inquiries (a sparse histogram at
 *   minute resolution, so percentiles over any union of cells are exact to the minute);
 * - `companies`: company id → [inquiries, inquiries closed as helped] (so distinct companies and companies
 *   helped over any union of cells are exact).
 * Both are sorted by key and stored as unsigned LEB128 varints, the key as the difference from the previous key:
 * a day's cell of a county holds a few hundred bytes at a million inquiries a year.
 */

/** The dimensions a cell can be keyed by (besides the date and the test flag). */
export const CELL_DIMENSIONS = ['county', 'actor', 'topic', 'channel', 'entryPoint', 'sizeBand', 'triageReason'] as const;
export type CellDimension = (typeof CELL_DIMENSIONS)[number];

/**
 * The grains kept. Every change of a case updates one cell per grain (two when it moves between cells). A query
 * reads the smallest grain that has every dimension it groups or filters by; a query no grain covers (say actor
 * with channel) reads the per-case facts instead, with the same definitions.
 */
export const GRAINS: readonly { id: string; dims: readonly CellDimension[] }[] = [
  { id: 'c', dims: ['county'] },
  { id: 't', dims: ['topic'] },
  { id: 'ca', dims: ['county', 'actor'] },
  { id: 'cx', dims: ['county', 'channel', 'entryPoint', 'sizeBand', 'triageReason'] },
];

/**
 * Roll-ups: each grain is also kept summed by month (`c@m`, local_date `2026-05`) and by ISO week (`c@w`, local_date
 * `2026-W19`), made from its day cells by compaction (compaction.ts). A year is then twelve rows per combination
 * instead of 365. A roll-up is used only while nothing under it changed since it was made (table stats_stale, written
 * in the same transaction as the change); otherwise the query reads that period's day cells. Exact either way.
 */
export type RollupPeriod = 'm' | 'w';
export const rollupGrain = (grain: string, period: RollupPeriod) => `${grain}@${period}`;

/** ISO 8601 week of a calendar date (YYYY-MM-DD), as YYYY-Www (the week's Thursday decides the year). */
export function isoWeekOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0
  day.setUTCDate(day.getUTCDate() - weekday + 3); // the Thursday of this week
  const weekYear = day.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((day.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

const weeks = new Map<string, string>();
/** isoWeekOf, memoised (the queries ask it for every day cell). */
export function weekOf(date: string): string {
  let w = weeks.get(date);
  if (w === undefined) weeks.set(date, (w = isoWeekOf(date)));
  return w;
}

export function periodOf(date: string, period: RollupPeriod): string {
  return period === 'm' ? date.slice(0, 7) : weekOf(date);
}

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first and last calendar date of a month (YYYY-MM) or ISO week (YYYY-Www). */
export function datesOf(key: string, period: RollupPeriod): [string, string] {
  if (period === 'm') {
    const [y, m] = key.split('-').map(Number) as [number, number];
    return [`${key}-01`, dateOf(Date.UTC(y, m, 0))];
  }
  const [y, w] = key.split('-W').map(Number) as [number, number];
  const jan4 = Date.UTC(y, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000 + (w - 1) * 7 * 86_400_000;
  return [dateOf(monday), dateOf(monday + 6 * 86_400_000)];
}

/** The months or ISO weeks lying wholly within [from, to], with their dates. */
export function periodsWithin(from: string, to: string, period: RollupPeriod): { key: string; first: string; last: string }[] {
  const out: { key: string; first: string; last: string }[] = [];
  let key = periodOf(from, period);
  for (let guard = 0; guard < 10_000; guard++) {
    const [first, last] = datesOf(key, period);
    if (first > to) break;
    if (first >= from && last <= to) out.push({ key, first, last });
    const next = new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    key = periodOf(next, period);
  }
  return out;
}

/** The smallest grain with all the dimensions; null when none has them. Grains are listed smallest first. */
export function grainFor(dims: ReadonlySet<CellDimension>): (typeof GRAINS)[number] | null {
  return GRAINS.find((g) => [...dims].every((d) => g.dims.includes(d))) ?? null;
}

// --- Varint multisets ------------------------------------------------------------------------------------

class Writer {
  buf = Buffer.allocUnsafe(64);
  n = 0;
  uint(v: number) {
    if (this.n + 8 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.n);
      this.buf = bigger;
    }
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.n));
  }
}

/** Calls `each` with the unsigned varints of a blob, `width` at a time, in order. */
function readUints(blob: Uint8Array, width: number, each: (values: number[]) => void): void {
  const values = new Array<number>(width).fill(0);
  const read = new VarintReader().of(blob);
  while (read.more()) {
    for (let k = 0; k < width; k++) values[k] = read.next();
    each(values);
  }
}

/** A histogram of delays in minutes: minute → count, as a sorted map. */
export type Histogram = Map<number, number>;
/** Companies: id → [inquiries, helped]. */
export type CompanyCounts = Map<number, [number, number]>;

export function decodeHistogram(blob: Uint8Array | null): Histogram {
  const out: Histogram = new Map();
  if (!blob) return out;
  let key = 0;
  readUints(blob, 2, ([delta, count]) => {
    key += delta!;
    out.set(key, count!);
  });
  return out;
}

export function encodeHistogram(h: Histogram): Buffer | null {
  const keys = [...h.keys()].filter((k) => h.get(k)! > 0).sort((a, b) => a - b);
  if (keys.length === 0) return null;
  const w = new Writer();
  let previous = 0;
  for (const k of keys) {
    w.uint(k - previous);
    w.uint(h.get(k)!);
    previous = k;
  }
  return w.done();
}

export function decodeCompanies(blob: Uint8Array | null): CompanyCounts {
  const out: CompanyCounts = new Map();
  if (!blob) return out;
  let key = 0;
  readUints(blob, 3, ([delta, cases, helped]) => {
    key += delta!;
    out.set(key, [cases!, helped!]);
  });
  return out;
}

export function encodeCompanies(c: CompanyCounts): Buffer | null {
  const keys = [...c.keys()].filter((k) => c.get(k)![0] > 0).sort((a, b) => a - b);
  if (keys.length === 0) return null;
  const w = new Writer();
  let previous = 0;
  for (const k of keys) {
    const [cases, helped] = c.get(k)!;
    w.uint(k - previous);
    w.uint(cases);
    w.uint(helped);
    previous = k;
  }
  return w.done();
}

/**
 * Reads a blob's unsigned varints one at a time, without building maps or arrays: the read path of a query, which
 * decodes hundreds of thousands of entries. `of(blob)` starts a blob; `more()` says whether a value is left.
 */
export class VarintReader {
  private blob: Uint8Array = new Uint8Array(0);
  private at = 0;
  of(blob: Uint8Array): this {
    this.blob = blob;
    this.at = 0;
    return this;
  }
  more(): boolean {
    return this.at < this.blob.length;
  }
  next(): number {
    let byte = this.blob[this.at++]!;
    let v = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = this.blob[this.at++]!;
      v += (byte & 0x7f) * scale;
    }
    return v;
  }
}

/** A growable list of non-negative integers below 2^53, in a typed array. */
export class IntList {
  data = new Float64Array(16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
}
