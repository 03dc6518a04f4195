import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import { CELL_COUNTS, snakeCase, type CellCount } from '../db/schema/stats.js';
import type { Role } from '../auth/service.js';
import type { Clock } from '../shared/clock.js';
import { badRequest, ProblemError } from '../shared/problems.js';
import { toCsv } from '../shared/csv.js';
import { both } from '../shared/i18n.js';
import type { ReferenceService } from '../reference/service.js';
import { CELL_DIMENSIONS, IntList, VarintReader, decodeHistogram, grainFor, periodsWithin, rollupGrain, weekOf, type CellDimension, type RollupPeriod } from './cells.js';
import { CONTACT_CHANNEL_BITS, delayMinutesOf, figuresOf } from './projection.js';
import { FACT_SELECT, factsFromRow, type CaseFacts } from './repository.js';
import type {
  ComplianceFigures, ComplianceGroup, ComplianceQuery, ComplianceReport, GroupDimension, Indicator, IndicatorsQuery,
  IndicatorsReport, ReferralsQuery, ReferralsReport,
} from './schemas.js';

/**
 * The statistics' queries. Compliance reads the projection's cells (see cells.ts, projection.ts): a period of a
 * grain is one range read of small rows, whatever the number of inquiries behind them; sums add up, the delay
 * histograms and company multisets of a group are merged here, so percentiles are exact to the minute and
 * distinct companies exact. A grouping that no grain has is answered from the per-case facts with the same
 * definitions (`figuresOf`), only slower. The one figure that depends on the moment of the request, open in time
 * versus overdue, comes from the partial index on open cases.
 *
 * Who sees what: analyst and admin keys see all counties (or those their key is limited to); coordinator keys
 * see their counties. Every report carries the national benchmark. Test inquiries (mystery shopping) are left out
 * for analysts unless asked for; coordinators always see them counted like any inquiry, so that registering a
 * test changes nothing they can see.
 *
 * The service API (also for the dashboard, in-process): `compliance(query, viewer)`, `referrals(query, viewer)`,
 * `indicators(query, viewer)` and the CSV forms `complianceCsv`, `referralsCsv`, `indicatorsCsv`.
 */
export interface Viewer {
  role: Role;
  /** ISO county codes the key is limited to; null for all. */
  counties: string[] | null;
}

export { isoWeekOf } from './cells.js';

const N = CELL_COUNTS.length;
const IX = Object.fromEntries(CELL_COUNTS.map((c, i) => [c, i])) as Record<CellCount, number>;
const CELL_DIMS = new Set<string>(CELL_DIMENSIONS);
const isCellDimension = (d: GroupDimension): d is CellDimension & GroupDimension => CELL_DIMS.has(d);

/**
 * The figures of one group while it is being summed: counts, and the delays (minute, count) and companies (id, cases,
 * helped) of its rows. A cell's blobs are kept as they were read and decoded only when the group is summed, so a row
 * that belongs to a report's group and to its benchmark's is never copied; the per-case path pushes single entries.
 */
class Group {
  counts = new Float64Array(N);
  openInTime = 0;
  delayBlobs: Uint8Array[] = [];
  companyBlobs: Uint8Array[] = [];
  minutes = new IntList();
  companies = new IntList();
  companyHelped = new IntList();
  constructor(readonly values: (string | null)[]) {}
}

/**
 * Work arrays of one report: which companies were seen in the group and in the union being summed (by stamp, so they
 * are never cleared), the decoded delays, and a coarse histogram of delays in 64-minute buckets; they grow with the
 * largest id and minute met.
 */
class Merge {
  inUnion = new Int32Array(1024);
  helpedInUnion = new Int32Array(1024);
  inGroup = new Int32Array(1024);
  helpedInGroup = new Int32Array(1024);
  unionStamp = 0;
  groupStamp = 0;
  coarse = new Float64Array(256);
  minutes = new IntList();
  minuteCounts = new IntList();
  reader = new VarintReader();
  fitCompany(id: number) {
    const grow = (a: Int32Array) => {
      const bigger = new Int32Array(Math.max(id + 1, a.length * 2));
      bigger.set(a);
      return bigger;
    };
    this.inUnion = grow(this.inUnion);
    this.helpedInUnion = grow(this.helpedInUnion);
    this.inGroup = grow(this.inGroup);
    this.helpedInGroup = grow(this.helpedInGroup);
  }
  fitBucket(bucket: number) {
    if (bucket < this.coarse.length) return;
    const coarse = new Float64Array(Math.max(bucket + 1, this.coarse.length * 2));
    coarse.set(this.coarse);
    this.coarse = coarse;
  }
}

/** What a group sums to, apart from open in time (which changes with the clock): see `aggregate` in the service. */
interface Aggregate { counts: Float64Array; distinct: number; helped: number; median: number | null; p90: number | null }

/** The national benchmark of a report, summed but not finished: its total and its groups in order. */
interface BenchmarkAggregates { total: Aggregate; groups: { values: (string | null)[]; aggregate: Aggregate }[] }

/**
 * The national benchmarks last summed, by period, grouping, tests and actor, each with the database generation it
 * was summed at (see `databaseGeneration`): an entry is used only while nothing in the database changed since, so
 * a cached benchmark is exactly what summing again would give. A region's dashboard reads its own county beside the
 * nation; without this every such read would sum the whole country's year again. A few entries are enough: the
 * dashboards of the regions ask for the same periods.
 */
export class BenchmarkCache {
  private readonly entries = new Map<string, { generation: string; value: BenchmarkAggregates }>();
  constructor(private readonly capacity = 16) {}
  get(key: string, generation: string): BenchmarkAggregates | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== generation) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    return entry.value;
  }
  set(key: string, generation: string, value: BenchmarkAggregates): void {
    this.entries.delete(key);
    this.entries.set(key, { generation, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Appends a group's delays (the cells' delta-coded varint histograms, then single cases) to the merge's lists. */
function decodeDelays(g: Group, merge: Merge): void {
  const minutes = merge.minutes;
  const counts = merge.minuteCounts;
  for (const blob of g.delayBlobs) {
    // (minute delta, count) pairs.
    const read = merge.reader.of(blob);
    let minute = 0;
    while (read.more()) {
      minute += read.next();
      minutes.push(minute);
      counts.push(read.next());
    }
  }
  for (let i = 0; i < g.minutes.length; i++) {
    minutes.push(g.minutes.data[i]!);
    counts.push(1);
  }
}

/**
 * The median and 90th percentile (PERCENTILE.INC, in hours) of the delays at [from, to) of the merge's lists, exact:
 * a coarse histogram of 64-minute buckets finds each rank's bucket, then only that bucket's minutes are sorted.
 */
function percentiles(merge: Merge, from: number, to: number): { median: number | null; p90: number | null } {
  const m = merge.minutes.data;
  const c = merge.minuteCounts.data;
  let count = 0;
  let top = -1;
  for (let i = from; i < to; i++) {
    const bucket = Math.floor(m[i]! / 64);
    if (bucket > top) {
      merge.fitBucket(bucket);
      top = bucket;
    }
    count += c[i]!;
  }
  if (count === 0) return { median: null, p90: null };
  const coarse = merge.coarse;
  for (let i = from; i < to; i++) coarse[Math.floor(m[i]! / 64)]! += c[i]!;
  const rank = (p: number) => p * (count - 1);
  const ranks = [0.5, 0.9].flatMap((p) => [Math.floor(rank(p)), Math.ceil(rank(p))]);
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  const found = new Map<number, { bucket: number; offset: number }>();
  let cumulative = 0;
  let w = 0;
  for (let b = 0; b <= top && w < wanted.length; b++) {
    const n = coarse[b]!;
    while (w < wanted.length && wanted[w]! < cumulative + n) {
      found.set(wanted[w]!, { bucket: b, offset: wanted[w]! - cumulative });
      w++;
    }
    cumulative += n;
  }
  coarse.fill(0, 0, top + 1);
  const buckets = new Map<number, [number, number][]>();
  for (const { bucket } of found.values()) buckets.set(bucket, []);
  for (let i = from; i < to; i++) {
    const list = buckets.get(Math.floor(m[i]! / 64));
    if (list) list.push([m[i]!, c[i]!]);
  }
  for (const list of buckets.values()) list.sort((a, b) => a[0] - b[0]);
  const [m0, m1, q0, q1] = ranks.map((r) => {
    const { bucket, offset } = found.get(r)!;
    let left = offset;
    for (const [minute, n] of buckets.get(bucket)!) {
      if (left < n) return minute;
      left -= n;
    }
    throw new Error('percentile rank outside its bucket');
  }) as [number, number, number, number];
  // Linear interpolation between the two closest ranks.
  return {
    median: (m0 + (m1 - m0) * (rank(0.5) - Math.floor(rank(0.5)))) / 60,
    p90: (q0 + (q1 - q0) * (rank(0.9) - Math.floor(rank(0.9)))) / 60,
  };
}

const round = (x: number | null, digits: number) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b, 4));

export interface StatsDeps { db: Db; clock: Clock; reference: ReferenceService; target: number }

export function createStatsService({ db, clock, reference, target }: StatsDeps) {
  const client: Database.Database = db.$client;
  const statements = new Map<string, Database.Statement>();
  const prepare = (sqlText: string) => {
    let statement = statements.get(sqlText);
    if (!statement) statements.set(sqlText, (statement = client.prepare(sqlText)));
    return statement;
  };

  // The database's generation: SQLite's data_version changes when another connection (another instance on the same
  // file) commits, total_changes() when this connection writes anything. Equal generations mean equal data.
  const dataVersion = client.prepare('PRAGMA data_version').pluck();
  const totalChanges = client.prepare('SELECT total_changes()').pluck();
  const databaseGeneration = () => `${dataVersion.get() as number}:${totalChanges.get() as number}`;
  const benchmarks = new BenchmarkCache();

  /** The county of a query, checked against the caller's scope; throws 400 / 403. */
  function countyOf(input: string | undefined, viewer: Viewer): string | null {
    if (input === undefined) return null;
    const county = reference.places.resolveCountyInput(input);
    if (!county) throw badRequest(null, [{ name: 'querystring.county', reason: both(`Unknown county "${input}": use an ISO 3166-2 code (SE-M), an SCB code (12) or a name`, `Okänt län "${input}": ange en ISO 3166-2-kod (SE-M), en SCB-kod (12) eller ett namn`) }]);
    if (viewer.counties !== null && !viewer.counties.includes(county.code)) {
      throw new ProblemError(403, 'forbidden', 'Not allowed', both(`This key is limited to ${viewer.counties.join(', ')}: ${county.code} is not one of them.`, `Nyckeln gäller bara ${viewer.counties.join(', ')}: ${county.code} är inte ett av dem.`));
    }
    return county.code;
  }

  function actorOf(input: string | undefined): string | null {
    if (input === undefined) return null;
    if (!reference.actor(input)) throw badRequest(null, [{ name: 'querystring.actor', reason: both(`Unknown actor "${input}": see GET /v1/actors`, `Okänd aktör "${input}": se GET /v1/actors`) }]);
    return input;
  }

  /** Coordinators see tests like any inquiry (nothing tells a test apart); analysts and admins leave them out unless asked. */
  const withTests = (viewer: Viewer, asked: boolean | undefined) => viewer.role === 'coordinator' || asked === true;

  const allowed = (viewer: Viewer, county: string | null) => (c: string | null) =>
    (county === null || c === county) && (viewer.counties === null || (c !== null && viewer.counties.includes(c)));

  /**
   * What each group and their union sum to, apart from the one figure that depends on the moment of the request (open
   * in time): the counts, the distinct companies and companies helped from the merged multisets, the exact
   * percentiles. Every company and delay entry is decoded once, for its group and the union together.
   */
  function aggregateAll(list: Group[], merge: Merge): { total: Aggregate; groups: Aggregate[] } {
    const totalCounts = new Float64Array(N);
    const unionStamp = ++merge.unionStamp;
    let distinctInUnion = 0;
    let helpedInUnion = 0;
    merge.minutes.length = merge.minuteCounts.length = 0;
    const groups = list.map((g): Aggregate => {
      for (let i = 0; i < N; i++) totalCounts[i]! += g.counts[i]!;
      const groupStamp = ++merge.groupStamp;
      let distinct = 0;
      let helped = 0;
      let inUnion = merge.inUnion;
      let helpedUnion = merge.helpedInUnion;
      let inGroup = merge.inGroup;
      let helpedGroup = merge.helpedInGroup;
      const mark = (id: number, h: boolean) => {
        if (id >= inUnion.length) {
          merge.fitCompany(id);
          ({ inUnion, helpedInUnion: helpedUnion, inGroup, helpedInGroup: helpedGroup } = merge);
        }
        if (inGroup[id] !== groupStamp) {
          inGroup[id] = groupStamp;
          distinct++;
          if (inUnion[id] !== unionStamp) {
            inUnion[id] = unionStamp;
            distinctInUnion++;
          }
        }
        if (h && helpedGroup[id] !== groupStamp) {
          helpedGroup[id] = groupStamp;
          helped++;
          if (helpedUnion[id] !== unionStamp) {
            helpedUnion[id] = unionStamp;
            helpedInUnion++;
          }
        }
      };
      for (const blob of g.companyBlobs) {
        // (id delta, cases, helped) triples; the cases are not needed here.
        const read = merge.reader.of(blob);
        let id = 0;
        while (read.more()) {
          id += read.next();
          read.next();
          mark(id, read.next() > 0);
        }
      }
      for (let i = 0; i < g.companies.length; i++) mark(g.companies.data[i]!, g.companyHelped.data[i]! > 0);
      const from = merge.minutes.length;
      decodeDelays(g, merge);
      return { counts: g.counts, distinct, helped, ...percentiles(merge, from, merge.minutes.length) };
    });
    const total = { counts: totalCounts, distinct: distinctInUnion, helped: helpedInUnion, ...percentiles(merge, 0, merge.minutes.length) };
    return { total, groups };
  }

  /** The finished figures of an aggregate, given how many of its open cases still have their deadline ahead now. */
  function figures({ counts: c, distinct, helped, median, p90 }: Aggregate, openInTime: number): ComplianceFigures {
    const get = (k: CellCount) => c[IX[k]]!;
    const contacted = get('contactedInTime') + get('contactedLate');
    const openOverdue = get('open') - openInTime + get('closedOverdue');
    const complianceRate = ratio(get('contactedInTime'), contacted + openOverdue);
    const responses = get('feedbackResponses');
    const rightActorAnswers = get('rightActorYes') + get('rightActorNo') + get('rightActorUnsure');
    return {
      received: get('received'),
      contactedInTime: get('contactedInTime'),
      contactedLate: get('contactedLate'),
      openInTime,
      openOverdue,
      closedWithoutContact: get('closedWithoutContact'),
      complianceRate,
      firstResponseInTime: get('firstResponseInTime'),
      medianHoursToFirstContact: round(median, 2),
      p90HoursToFirstContact: round(p90, 2),
      backdatedContacts: get('backdatedContacts'),
      referrals: get('referrals'),
      misroutedReferrals: get('referralsMisrouted'),
      rightFirstTime: ratio(get('rightFirst'), contacted),
      distinctCompanies: distinct,
      companiesHelped: helped,
      triaged: get('triaged'),
      jointWork: get('jointWork'),
      closed: get('closed'),
      outcomeHelped: get('outcomeHelped'),
      outcomeReferredOutside: get('outcomeReferredOutside'),
      outcomeNoReply: get('outcomeNoReply'),
      outcomeDuplicate: get('outcomeDuplicate'),
      outcomeWithdrawn: get('outcomeWithdrawn'),
      outcomeSpam: get('outcomeSpam'),
      feedbackResponses: responses,
      feedbackResponseRate: ratio(get('feedbackFromOffered'), get('feedbackOffered')),
      companyConfirmedRightActorRate: ratio(get('rightActorYes'), rightActorAnswers),
      helpRate: ratio(get('helpYes'), responses),
      partlyHelpedRate: ratio(get('helpPartly'), responses),
      feedbackRightHelpRate: ratio(get('helpYes'), responses),
      target,
      targetMet: complianceRate === null ? null : complianceRate >= target,
    };
  }

  /** The value of a grouping dimension from a row's dimension values and date (or, for a roll-up row, its month or week). */
  function valueOf(d: GroupDimension, dims: Record<CellDimension, string>, date: string): string | null {
    switch (d) {
      case 'month': return date.slice(0, 7);
      case 'week': return date.length === 8 ? date : weekOf(date);
      case 'channel': case 'sizeBand': return dims[d];
      default: return dims[d] === '' ? null : dims[d];
    }
  }

  /** One consistent snapshot for the whole report (a read transaction), also with other instances on the file. */
  function compliance(query: ComplianceQuery, viewer: Viewer): ComplianceReport {
    return client.transaction(() => complianceNow(query, viewer))();
  }

  /**
   * Which rows of a grain cover [from, to]: the month (or ISO week) roll-ups of the periods lying wholly inside it that
   * are not stale, and the day cells of every other day.
   */
  function coverage(grain: string, from: string, to: string, period: RollupPeriod | null): { rollups: string[]; days: [string, string][] } {
    if (period === null) return { rollups: [], days: [[from, to]] };
    const within = periodsWithin(from, to, period);
    if (within.length === 0) return { rollups: [], days: [[from, to]] };
    const stale = new Set(prepare('SELECT period FROM stats_stale WHERE grain = ? AND period BETWEEN ? AND ?').pluck()
      .all(rollupGrain(grain, period), within[0]!.key, within[within.length - 1]!.key) as string[]);
    const clean = within.filter((p) => !stale.has(p.key));
    const days: [string, string][] = [];
    let cursor = from;
    const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    for (const p of clean) {
      if (cursor < p.first) days.push([cursor, dayBefore(p.first)]);
      cursor = dayAfter(p.last);
    }
    if (cursor <= to) days.push([cursor, to]);
    return { rollups: clean.map((p) => p.key), days };
  }

  function complianceNow(query: ComplianceQuery, viewer: Viewer): ComplianceReport {
    const now = clock();
    const groupBy = query.groupBy ?? [];
    const county = countyOf(query.county, viewer);
    const actor = actorOf(query.actor);
    const tests = withTests(viewer, query.includeTests);
    const inScope = allowed(viewer, county);
    const benchBy = groupBy.filter((d) => d !== 'county');
    // A reader limited to some counties needs the national benchmark too; while the database is unchanged since it
    // was last summed for this period and grouping, it is taken from the cache and only the reader's rows are read.
    const scope = county !== null ? [county] : viewer.counties;
    const benchKey = JSON.stringify([query.from, query.to, benchBy, tests, actor]);
    const generation = databaseGeneration();
    const cachedBench = scope !== null ? benchmarks.get(benchKey, generation) : undefined;

    const mainGroups = new Map<string, Group>();
    const benchGroups = new Map<string, Group>();
    const keyOf = (values: (string | null)[]) => values.map((v) => (v === null ? '\u0000' : v)).join('\u001f');
    const groupFor = (map: Map<string, Group>, by: GroupDimension[], dims: Record<CellDimension, string>, date: string) => {
      const values = by.map((d) => valueOf(d, dims, date));
      const key = keyOf(values);
      let g = map.get(key);
      if (!g) map.set(key, (g = new Group(values)));
      return g;
    };
    let excluded = 0; // rows in the benchmark but outside the reader's scope
    const dims = Object.fromEntries(CELL_DIMENSIONS.map((d) => [d, ''])) as Record<CellDimension, string>;
    /** A cell: to the reader's group when in scope, and to the benchmark's unless it is cached. */
    const addCell = (rowCounty: string | null, date: string, counts: ArrayLike<number>, delays: Uint8Array | null, companies: Uint8Array | null) => {
      const into = (g: Group) => {
        for (let i = 0; i < N; i++) g.counts[i]! += counts[i]!;
        if (delays) g.delayBlobs.push(delays);
        if (companies) g.companyBlobs.push(companies);
      };
      if (inScope(rowCounty)) into(groupFor(mainGroups, groupBy, dims, date));
      else excluded++;
      if (!cachedBench) into(groupFor(benchGroups, benchBy, dims, date));
    };
    /** A case (the per-case path), likewise. */
    const addCase = (rowCounty: string | null, date: string, counts: ArrayLike<number>, minute: number | null, company: number | null, helped: boolean) => {
      const into = (g: Group) => {
        for (let i = 0; i < N; i++) g.counts[i]! += counts[i]!;
        if (minute !== null) g.minutes.push(minute);
        if (company !== null) {
          g.companies.push(company);
          g.companyHelped.push(+helped);
        }
      };
      if (inScope(rowCounty)) into(groupFor(mainGroups, groupBy, dims, date));
      else excluded++;
      if (!cachedBench) into(groupFor(benchGroups, benchBy, dims, date));
    };

    const needed = new Set<CellDimension>(groupBy.filter(isCellDimension));
    if (scope !== null) needed.add('county');
    if (actor !== null) needed.add('actor');
    const grain = grainFor(needed);
    const where = ['local_date BETWEEN @from AND @to'];
    if (!tests) where.push('test = 0');
    const params: Record<string, unknown> = { from: query.from, to: query.to };
    if (cachedBench) params.scope = JSON.stringify(scope);
    if (grain) {
      const filters = [...(tests ? [] : ['test = 0']), ...(actor !== null ? ['actor = @actor'] : []),
        ...(cachedBench ? ['county IN (SELECT value FROM json_each(@scope))'] : [])];
      if (actor !== null) params.actor = actor;
      // Roll-ups by ISO week when grouping by week, by month otherwise (by day only when both are asked).
      const period: RollupPeriod | null = groupBy.includes('week') ? (groupBy.includes('month') ? null : 'w') : 'm';
      const { rollups, days } = coverage(grain.id, query.from, query.to, period);
      const select = `SELECT ${CELL_DIMENSIONS.map(snakeCase).join(', ')}, local_date, ${CELL_COUNTS.map(snakeCase).join(', ')}, delays, companies FROM stats_cells WHERE `;
      const reads: { sql: string; params: Record<string, unknown> }[] = [];
      if (rollups.length > 0) {
        reads.push({
          sql: `${select}grain = @grain AND local_date IN (${rollups.map((_, i) => `@p${i}`).join(', ')})${filters.map((f) => ` AND ${f}`).join('')}`,
          params: { ...params, grain: rollupGrain(grain.id, period!), ...Object.fromEntries(rollups.map((k, i) => [`p${i}`, k])) },
        });
      }
      if (days.length > 0) {
        reads.push({
          sql: `${select}grain = @grain AND (${days.map((_, i) => `local_date BETWEEN @d${i} AND @e${i}`).join(' OR ')})${filters.map((f) => ` AND ${f}`).join('')}`,
          params: { ...params, grain: grain.id, ...Object.fromEntries(days.flatMap(([a, b], i) => [[`d${i}`, a], [`e${i}`, b]])) },
        });
      }
      const D = CELL_DIMENSIONS.length;
      for (const read of reads) for (const row of prepare(read.sql).raw(true).iterate(read.params) as IterableIterator<unknown[]>) {
        for (let i = 0; i < D; i++) dims[CELL_DIMENSIONS[i]!] = row[i] as string;
        const date = row[D] as string;
        const counts = row.slice(D + 1, D + 1 + N) as number[];
        addCell(dims.county === '' ? null : dims.county, date, counts, row[D + 1 + N] as Buffer | null, row[D + 2 + N] as Buffer | null);
      }
    } else {
      // No grain has these dimensions together: the same definitions over the per-case facts.
      const factWhere = where.map((w) => w.replace('test = 0', 'is_test = 0'));
      if (actor !== null) {
        factWhere.push('first_actor_id = @actor');
        params.actor = actor;
      }
      if (cachedBench) factWhere.push('county_code IN (SELECT value FROM json_each(@scope))');
      for (const row of prepare(`SELECT ${FACT_SELECT} FROM case_facts WHERE ${factWhere.join(' AND ')}`).iterate(params) as IterableIterator<CaseFacts>) {
        const figures = figuresOf(row);
        const counts = CELL_COUNTS.map((c) => figures[c]);
        dims.county = row.countyCode ?? '';
        dims.actor = row.firstActorId ?? '';
        dims.topic = row.topTopicId ?? '';
        dims.channel = row.channel;
        dims.entryPoint = row.entryPoint ?? '';
        dims.sizeBand = row.sizeBand;
        dims.triageReason = row.triageReason ?? '';
        addCase(row.countyCode, row.localDate, counts, delayMinutesOf(row), row.companyId, row.outcome === 'helped');
      }
    }

    // Open cases whose deadline is still ahead, from the partial index on open cases: a handful of rows, read for the
    // whole country every time (this figure changes with the clock, so it is never cached).
    const openWhere = ['first_contact_at IS NULL', 'closed_at IS NULL', 'deadline_at >= @now', 'local_date BETWEEN @from AND @to'];
    if (!tests) openWhere.push('is_test = 0');
    if (actor !== null) openWhere.push('first_actor_id = @actor');
    const openSql = `SELECT county_code, first_actor_id, top_topic_id, channel, entry_point, size_band, triage_reason, local_date, COUNT(*)
      FROM case_facts INDEXED BY case_facts_open_deadline_idx WHERE ${openWhere.join(' AND ')} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;
    const benchOpen = new Map<string, number>();
    let benchOpenTotal = 0;
    for (const row of prepare(openSql).raw(true).iterate({ from: query.from, to: query.to, ...(actor !== null ? { actor } : {}), now }) as IterableIterator<unknown[]>) {
      CELL_DIMENSIONS.forEach((d, i) => { dims[d] = (row[i] as string | null) ?? ''; });
      const n = row[8] as number;
      const date = row[7] as string;
      if (inScope(row[0] as string | null)) groupFor(mainGroups, groupBy, dims, date).openInTime += n;
      else excluded++;
      const key = keyOf(benchBy.map((d) => valueOf(d, dims, date)));
      benchOpen.set(key, (benchOpen.get(key) ?? 0) + n);
      benchOpenTotal += n;
    }

    const merge = new Merge();
    const inOrder = (map: Map<string, Group>) => [...map.values()].filter((g) => g.counts[IX.received]! > 0).sort((a, b) => compareValues(a.values, b.values));
    const benchAggregates: BenchmarkAggregates = cachedBench ?? (() => {
      const list = inOrder(benchGroups);
      const { total, groups } = aggregateAll(list, merge);
      return { total, groups: list.map((g, i) => ({ values: g.values, aggregate: groups[i]! })) };
    })();
    if (!cachedBench) benchmarks.set(benchKey, generation, benchAggregates);
    const bench = {
      total: figures(benchAggregates.total, benchOpenTotal),
      groups: benchBy.length === 0 ? [] : benchAggregates.groups.map(({ values, aggregate: a }): ComplianceGroup => ({
        ...Object.fromEntries(benchBy.map((d, i) => [d, values[i]])),
        ...figures(a, benchOpen.get(keyOf(values)) ?? 0),
      })),
    };
    const finish = (map: Map<string, Group>, by: GroupDimension[], total?: ComplianceFigures) => {
      const list = inOrder(map);
      const sums = aggregateAll(list, merge);
      return {
        total: total ?? figures(sums.total, list.reduce((n, g) => n + g.openInTime, 0)),
        groups: by.length === 0 ? [] : list.map((g, i): ComplianceGroup => ({
          ...Object.fromEntries(by.map((d, j) => [d, g.values[j]])),
          ...figures(sums.groups[i]!, g.openInTime),
        })),
      };
    };
    // When the report's scope left no row out (a national reader, no county filter), its total is the benchmark's
    // total, and without a county grouping its groups are the benchmark's groups too: summarise each once (the
    // union of a year's company multisets is most of a report's time).
    const main = excluded > 0 || cachedBench ? finish(mainGroups, groupBy) : groupBy.length === benchBy.length ? bench : finish(mainGroups, groupBy, bench.total);
    return {
      from: query.from,
      to: query.to,
      groupBy,
      filters: { county, actor },
      asOf: new Date(now).toISOString(),
      total: main.total,
      groups: main.groups,
      benchmark: { scope: 'national', groupBy: benchBy, total: bench.total, groups: bench.groups },
    };
  }

  /**
   * Open cases now by deadline state, for the dashboard: no right-actor contact yet and not closed (so a case contacted
   * by the wrong actor and referred on as misrouted is open again), split into on track (deadline ahead, not yet at
   * risk), at risk (deadline ahead, at-risk instant passed) and breached (open past its deadline). Arrival in
   * [from, to]; county, actor and the viewer's counties as in compliance; tests as in compliance.
   */
  function openByDeadlineState(query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, viewer: Viewer) {
    const now = clock();
    const county = countyOf(query.county, viewer);
    const actor = actorOf(query.actor);
    const where = ['first_contact_at IS NULL', 'closed_at IS NULL', 'local_date BETWEEN @from AND @to'];
    if (!withTests(viewer, undefined)) where.push('is_test = 0');
    if (actor !== null) where.push('first_actor_id = @actor');
    if (county !== null) where.push('county_code = @county');
    else if (viewer.counties !== null) where.push(`county_code IN (SELECT value FROM json_each(@scope))`);
    const sqlText = `SELECT COALESCE(SUM(deadline_at >= @now AND at_risk_at > @now), 0) AS onTrack,
        COALESCE(SUM(deadline_at >= @now AND at_risk_at <= @now), 0) AS atRisk, COALESCE(SUM(deadline_at < @now), 0) AS breached
      FROM case_facts WHERE ${where.join(' AND ')}`;
    const params: Record<string, unknown> = { from: query.from, to: query.to, now };
    if (actor !== null) params.actor = actor;
    if (county !== null) params.county = county;
    else if (viewer.counties !== null) params.scope = JSON.stringify(viewer.counties);
    return prepare(sqlText).get(params) as { onTrack: number; atRisk: number; breached: number };
  }

  /**
   * How long the right-actor contact took (the delays behind the percentiles): contacted inquiries per bucket of elapsed
   * hours, split at `edgesHours` (ascending, whole hours): [0, e1), [e1, e2), …, [eN, ∞). From the cells' minute
   * histograms (county × actor grain, month roll-ups where fresh), so exact like the percentiles.
   */
  function firstContactDistribution(query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, viewer: Viewer, edgesHours: number[]): number[] {
    const county = countyOf(query.county, viewer);
    const actor = actorOf(query.actor);
    const inScope = allowed(viewer, county);
    const edges = edgesHours.map((h) => h * 60); // a delay of m whole minutes is ≥ h hours exactly when m ≥ 60h
    const counts = new Array<number>(edges.length + 1).fill(0);
    const filters = [...(withTests(viewer, undefined) ? [] : ['test = 0']), ...(actor !== null ? ['actor = @actor'] : [])];
    const { rollups, days } = coverage('ca', query.from, query.to, 'm');
    const reads: { sql: string; params: Record<string, unknown> }[] = [];
    const base = { ...(actor !== null ? { actor } : {}) };
    const select = 'SELECT county, delays FROM stats_cells WHERE delays IS NOT NULL AND ';
    if (rollups.length > 0) {
      reads.push({
        sql: `${select}grain = @grain AND local_date IN (${rollups.map((_, i) => `@p${i}`).join(', ')})${filters.map((f) => ` AND ${f}`).join('')}`,
        params: { ...base, grain: rollupGrain('ca', 'm'), ...Object.fromEntries(rollups.map((k, i) => [`p${i}`, k])) },
      });
    }
    if (days.length > 0) {
      reads.push({
        sql: `${select}grain = @grain AND (${days.map((_, i) => `local_date BETWEEN @d${i} AND @e${i}`).join(' OR ')})${filters.map((f) => ` AND ${f}`).join('')}`,
        params: { ...base, grain: 'ca', ...Object.fromEntries(days.flatMap(([a, b], i) => [[`d${i}`, a], [`e${i}`, b]])) },
      });
    }
    for (const read of reads) {
      for (const [cellCounty, delays] of prepare(read.sql).raw(true).iterate(read.params) as IterableIterator<[string, Buffer]>) {
        if (!inScope(cellCounty === '' ? null : cellCounty)) continue;
        for (const [minute, n] of decodeHistogram(delays)) {
          let i = 0;
          while (i < edges.length && minute >= edges[i]!) i++;
          counts[i]! += n;
        }
      }
    }
    return counts;
  }

  /** Facts rows of a period, as the slower queries read them (referrals, indicators). */
  function factsOf(from: string, to: string, tests: boolean, extra = '', params: Record<string, unknown> = {}): CaseFacts[] {
    const sqlText = `SELECT ${FACT_SELECT} FROM case_facts WHERE local_date BETWEEN @from AND @to${tests ? '' : ' AND is_test = 0'}${extra}`;
    return (prepare(sqlText).all({ from, to, ...params }) as Record<string, unknown>[]).map(factsFromRow);
  }

  function referrals(query: ReferralsQuery, viewer: Viewer): ReferralsReport {
    const now = clock();
    const county = countyOf(query.county, viewer);
    const actor = actorOf(query.actor);
    const tests = withTests(viewer, query.includeTests);
    const inScope = allowed(viewer, county);
    const rows = factsOf(query.from, query.to, tests, " AND (referrals > 0 OR outcome = 'referred-outside')");
    const closing = prepare('SELECT assigned_actor_id FROM inquiries WHERE id = ?').pluck();

    const totals = (list: CaseFacts[]) => {
      const t = { referrals: 0, misrouted: 0, additionalNeed: 0, unspecified: 0, referredOutside: 0, inquiriesReferred: 0, companiesReferred: 0 };
      const companies = new Set<number>();
      for (const f of list) {
        const mine = (f.referralList ?? []).filter((r) => actor === null || r.from === actor || r.to === actor);
        if (mine.length > 0) {
          t.inquiriesReferred++;
          if (f.companyId !== null) companies.add(f.companyId);
        }
        for (const r of mine) {
          t.referrals++;
          if (r.kind === 'misrouted') t.misrouted++;
          else if (r.kind === 'additional-need') t.additionalNeed++;
          else t.unspecified++;
        }
        if (f.outcome === 'referred-outside' && (actor === null || closing.get(f.inquiryId) === actor)) t.referredOutside++;
      }
      t.companiesReferred = companies.size;
      return t;
    };

    const mine = rows.filter((f) => inScope(f.countyCode));
    const cells = new Map<string, { from: string | null; to: string | null; kind: 'misrouted' | 'additional-need' | 'unspecified'; referrals: number; companies: Set<number> }>();
    const outside = new Map<string | null, number>();
    for (const f of mine) {
      for (const r of f.referralList ?? []) {
        if (actor !== null && r.from !== actor && r.to !== actor) continue;
        const kind = r.kind ?? 'unspecified';
        const key = JSON.stringify([r.from, r.to, kind]);
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { from: r.from, to: r.to, kind, referrals: 0, companies: new Set() }));
        cell.referrals++;
        if (f.companyId !== null) cell.companies.add(f.companyId);
      }
      if (f.outcome === 'referred-outside') {
        const by = (closing.get(f.inquiryId) as string | null | undefined) ?? null;
        if (actor === null || by === actor) outside.set(by, (outside.get(by) ?? 0) + 1);
      }
    }
    const order = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
    return {
      from: query.from,
      to: query.to,
      filters: { county, actor },
      asOf: new Date(now).toISOString(),
      matrix: [...cells.values()]
        .sort((a, b) => order(a.from, b.from) || order(a.to, b.to) || order(a.kind, b.kind))
        .map((c) => ({ from: c.from, to: c.to, kind: c.kind, referrals: c.referrals, companies: c.companies.size })),
      outsideByActor: [...outside.entries()].sort((a, b) => order(a[0], b[0])).map(([a, n]) => ({ actor: a, referredOutside: n })),
      totals: totals(mine),
      benchmark: { scope: 'national', totals: totals(rows) },
    };
  }

  function indicators(query: IndicatorsQuery, viewer: Viewer): IndicatorsReport {
    const county = countyOf(query.county, viewer);
    const from = `${query.year}-01-01`;
    const to = `${query.year}-12-31`;
    const tests = withTests(viewer, query.includeTests);
    const rows = factsOf(from, to, tests);
    const totalOf = (c: string | null, v: Viewer) => compliance({ from, to, groupBy: [], ...(c ? { county: c } : {}), includeTests: tests }, v).total;
    const list = (facts: CaseFacts[], figures: ComplianceFigures): Indicator[] => {
      const companies = (predicate: (f: CaseFacts) => boolean) => new Set(facts.filter((f) => f.companyId !== null && predicate(f)).map((f) => f.companyId)).size;
      const phoneOrEmail = CONTACT_CHANNEL_BITS.phone! | CONTACT_CHANNEL_BITS.email!;
      return [
        { id: 'inquiries-received', name: 'Inquiries received', nameSv: 'Inkomna förfrågningar', value: facts.length, unit: 'inquiries', target: null,
          definition: 'Inquiries that arrived in the year (Stockholm arrival date) by any door: web form, phone, e-mail, visit, event, import.' },
        { id: 'companies-asking', name: 'Companies that asked', nameSv: 'Företag som frågat', value: companies(() => true), unit: 'companies', target: null,
          definition: 'Distinct companies (by organisation number) among those inquiries; inquiries without a number are not counted.' },
        { id: 'companies-reached', name: 'Companies reached', nameSv: 'Nådda företag', value: companies((f) => f.firstResponseAt !== null), unit: 'companies', target: null,
          definition: 'Distinct companies with at least one inquiry where an actor (or the county coordinator) recorded a contact with the company.' },
        { id: 'companies-advised-phone-email', name: 'Companies advised by phone or e-mail', nameSv: 'Företag rådgivna per telefon eller e-post', value: companies((f) => (f.contactChannels & phoneOrEmail) !== 0), unit: 'companies', target: null,
          definition: 'Distinct companies with at least one contact recorded with channel phone or email.' },
        { id: 'companies-referred', name: 'Companies referred to another actor in the partnership', nameSv: 'Företag slussade till annan aktör i samverkan', value: companies((f) => f.referrals > 0), unit: 'companies', target: null,
          definition: 'Distinct companies with at least one inquiry referred from one actor to another in the partnership (any kind: misrouted or additional need).' },
        { id: 'companies-visited', name: 'Companies visited', nameSv: 'Besökta företag', value: companies((f) => (f.contactChannels & CONTACT_CHANNEL_BITS.meeting!) !== 0), unit: 'companies', target: null,
          definition: 'Distinct companies with at least one contact recorded with channel meeting (a visit or meeting in person).' },
        { id: 'joint-visits', name: 'Joint visits and meetings', nameSv: 'Gemensamma besök och möten', value: facts.filter((f) => f.jointWork === 1).length, unit: 'inquiries', target: null,
          definition: 'Inquiries where a first contact or a note named other actors who took part (withActors).' },
        { id: 'companies-helped', name: 'Companies helped', nameSv: 'Företag som fått hjälp', value: companies((f) => f.outcome === 'helped'), unit: 'companies', target: null,
          definition: 'Distinct companies with at least one inquiry closed with the outcome helped.' },
        { id: 'right-actor-one-working-day', name: 'Contact with the right actor within one working day', nameSv: 'Kontakt med rätt aktör inom en arbetsdag', value: figures.complianceRate, unit: 'share', target,
          definition: 'complianceRate: inquiries with a right-actor contact at or before the deadline, among those contacted or past their deadline (see GET /v1/stats/compliance). Target: COMPLIANCE_TARGET.' },
        { id: 'companies-confirm-right-actor', name: 'Companies confirming they reached the right organisation in time', nameSv: 'Företag som anger att de nått rätt organisation i tid', value: figures.companyConfirmedRightActorRate, unit: 'share', target,
          definition: 'Among the companies\' answers to "Did you reach the right organisation within one working day?", the share of yes (the company\'s own view).' },
      ];
    };
    const inScope = allowed(viewer, county);
    return {
      year: query.year,
      county,
      asOf: new Date(clock()).toISOString(),
      indicators: list(rows.filter((f) => inScope(f.countyCode)), totalOf(county, viewer)),
      benchmark: { scope: 'national', indicators: list(rows, totalOf(null, { role: 'analyst', counties: null })) },
    };
  }

  return {
    compliance, referrals, indicators,
    openByDeadlineState: (query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, viewer: Viewer) => client.transaction(() => openByDeadlineState(query, viewer))(),
    firstContactDistribution: (query: Pick<ComplianceQuery, 'from' | 'to' | 'county' | 'actor'>, viewer: Viewer, edgesHours: number[]) =>
      client.transaction(() => firstContactDistribution(query, viewer, edgesHours))(),
  };
}

export type StatsService = ReturnType<typeof createStatsService>;

/** Null first, then by value: the order of the groups (as SQL's ORDER BY would give). */
function compareValues(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const FIGURES: (keyof ComplianceFigures)[] = [
  'received', 'contactedInTime', 'contactedLate', 'openInTime', 'openOverdue', 'closedWithoutContact', 'complianceRate',
  'firstResponseInTime', 'medianHoursToFirstContact', 'p90HoursToFirstContact', 'backdatedContacts', 'referrals', 'misroutedReferrals',
  'rightFirstTime', 'distinctCompanies', 'companiesHelped', 'triaged', 'jointWork', 'closed', 'outcomeHelped', 'outcomeReferredOutside',
  'outcomeNoReply', 'outcomeDuplicate', 'outcomeWithdrawn', 'outcomeSpam', 'feedbackResponses', 'feedbackResponseRate',
  'companyConfirmedRightActorRate', 'helpRate', 'partlyHelpedRate', 'feedbackRightHelpRate', 'target', 'targetMet',
];

/** The compliance report as CSV (src/shared/csv.ts): a row per group, `total`, then the national benchmark's rows. */
export function complianceCsv(report: ComplianceReport): string {
  const rows: unknown[][] = [];
  const dims = report.groupBy;
  for (const g of report.groups) rows.push(['group', ...dims.map((d) => g[d]), ...FIGURES.map((f) => g[f])]);
  rows.push(['total', ...dims.map(() => null), ...FIGURES.map((f) => report.total[f])]);
  for (const g of report.benchmark.groups) rows.push(['national', ...dims.map((d) => (d === 'county' ? null : g[d])), ...FIGURES.map((f) => g[f])]);
  rows.push(['national-total', ...dims.map(() => null), ...FIGURES.map((f) => report.benchmark.total[f])]);
  return toCsv(['row', ...dims, ...FIGURES], rows);
}

export function referralsCsv(report: ReferralsReport): string {
  const rows: unknown[][] = report.matrix.map((c) => ['referral', c.from, c.to, c.kind, c.referrals, c.companies]);
  for (const o of report.outsideByActor) rows.push(['outside-partnership', o.actor, null, 'referred-outside', o.referredOutside, null]);
  return toCsv(['row', 'from', 'to', 'kind', 'referrals', 'companies'], rows);
}

export function indicatorsCsv(report: IndicatorsReport): string {
  const national = new Map(report.benchmark.indicators.map((i) => [i.id, i.value]));
  return toCsv(
    ['id', 'name', 'nameSv', 'unit', 'year', 'county', 'value', 'national', 'target', 'definition'],
    report.indicators.map((i) => [i.id, i.name, i.nameSv, i.unit, report.year, report.county ?? 'all', i.value, national.get(i.id) ?? null, i.target, i.definition]),
  );
}
