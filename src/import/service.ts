import { timeOrderedId } from '../shared/ids.js';
import { StringDecoder } from 'node:string_decoder';
import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { computeDeadline, type DeadlinePolicy } from '../deadlines/policy.js';
import { parseOrgNumber } from '../intake/org-number.js';
import { deriveFacts, type ProjectionUnit, type StatsProjection } from '../stats/projection.js';
import { importLineSchema, type ImportLine, type ImportReport } from './schemas.js';

/**
 * Import of historical cases, one JSON object per line (NDJSON), idempotent by `externalId`.
 * Every line is validated completely (shape, then county, actors and topic against the reference data)
 * before anything of it is written; valid lines are written in transactions of `batchSize` with
 * prepared statements; should writing a line fail, its batch is written again with each line in its own
 * savepoint, so a line is imported whole or not at all.
 * Each imported case gets an inquiry row (channel `import`, placeholders instead of contact details, which a
 * spreadsheet history does not need), an `imported` event holding what the line said, its outcome, and its share of
 * the statistics through the projection (derived from that event by the same rules as every other inquiry; the
 * cells of a batch are written once per batch). An existing externalId is left as it was.
 */
export const MAX_REPORTED_ERRORS = 1000;

const PLACEHOLDER = {
  companyName: '(importerat ärende)', contactName: '(importerat ärende)', contactEmail: 'import@example.invalid',
  message: 'Importerat från regionens tidigare ärendehantering.',
};

interface Prepared { line: number; value: ImportLine; countyCode: string; actor: string | null; firstContactActor: string | null; orgNumber: string | null; referrals: number }


export interface ImportDeps {
  db: Db; reference: ReferenceService; clock: Clock; projection: StatsProjection; deadlinePolicy: DeadlinePolicy; batchSize?: number;
  /** The page cache of a bulk import, in MB (IMPORT_CACHE_MB). */
  bulkCacheMb?: number;
}

export function createImportService({ db, reference, clock, projection, deadlinePolicy, batchSize = 1000, bulkCacheMb = 128 }: ImportDeps) {
  const client: Database.Database = db.$client;
  const topics = new Map(reference.topics().map((t) => [t.id, t]));
  const statements = {
    exists: client.prepare('SELECT 1 FROM imported_cases WHERE external_id = ?').pluck(),
    inquiry: client.prepare(`INSERT INTO inquiries (
        id, reference, received_at, channel, updated_at, version, status, county_code, county_source, company_name, org_number,
        org_number_is_personal, employees, contact_name, contact_email, message, language, deadline_policy, deadline_at,
        assigned_actor_id, first_assigned_actor_id, classification, confidence, alternatives, status_token_hash,
        first_contact_at, first_response_at, closed_at)
      VALUES (@id, @reference, @receivedAt, 'import', @updatedAt, 1, @status, @countyCode, 'county', @companyName, @orgNumber,
        @orgNumberIsPersonal, @employees, @contactName, @contactEmail, @message, 'sv', @deadlinePolicy, @deadlineAt,
        @assignedActorId, @firstAssignedActorId, @classification, 1, '[]', @statusTokenHash, @firstContactAt, @firstResponseAt, @closedAt)`),
    imported: client.prepare('INSERT INTO imported_cases (external_id, inquiry_id, imported_at) VALUES (?, ?, ?)'),
    event: client.prepare("INSERT INTO inquiry_events (inquiry_id, type, at, by, by_role, data) VALUES (?, 'imported', ?, ?, 'admin', ?)"),
    outcome: client.prepare('INSERT INTO case_work (inquiry_id, outcome) VALUES (?, ?)'),
  };

  /** Validates one line completely; the reasons when it cannot be imported. */
  function validate(text: string, line: number): { ok: true; value: Prepared } | { ok: false; externalId: string | null; errors: string[] } {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, externalId: null, errors: ['Not valid JSON'] };
    }
    const externalId = json && typeof json === 'object' && typeof (json as { externalId?: unknown }).externalId === 'string' ? (json as { externalId: string }).externalId : null;
    const parsed = importLineSchema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, externalId, errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`) };
    }
    const v = parsed.data;
    const errors: string[] = [];
    const county = reference.places.resolveCountyInput(v.county);
    if (!county) errors.push(`county: Unknown county "${v.county}"`);
    if (v.actor && !reference.actor(v.actor)) errors.push(`actor: Unknown actor "${v.actor}"`);
    if (v.firstContactActor && !reference.actor(v.firstContactActor)) errors.push(`firstContactActor: Unknown actor "${v.firstContactActor}"`);
    if (v.rightActorContactActor && !reference.actor(v.rightActorContactActor)) errors.push(`rightActorContactActor: Unknown actor "${v.rightActorContactActor}"`);
    (v.referralDetails ?? []).forEach((r, i) => {
      for (const [field, a] of [['from', r.from], ['to', r.to]] as const) {
        if (a && !reference.actor(a)) errors.push(`referralDetails.${i}.${field}: Unknown actor "${a}"`);
      }
    });
    if (v.topic && !topics.has(v.topic)) errors.push(`topic: Unknown topic "${v.topic}"`);
    if (Date.parse(v.receivedAt) > clock()) errors.push('receivedAt: In the future');
    if (errors.length > 0) return { ok: false, externalId: v.externalId, errors };
    const actor = v.actor ?? null;
    return {
      ok: true,
      value: {
        line, value: v, countyCode: county!.code, actor,
        firstContactActor: v.firstContactAt ? (v.firstContactActor ?? actor) : null,
        orgNumber: v.orgNumber ? parseOrgNumber(v.orgNumber)!.normalized : null,
        referrals: v.referrals ?? v.referralDetails?.length ?? 0,
      },
    };
  }

  /**
   * Writes one validated line; false when its externalId was imported before. Runs inside a transaction; the
   * statistics' share is buffered in `unit` as the line's last step, so a line that fails leaves nothing behind.
   */
  function write(p: Prepared, now: number, unit: ProjectionUnit): boolean {
    const v = p.value;
    if (statements.exists.get(v.externalId) !== undefined) return false;
    // Time-ordered ids, as intake uses: every index keyed by the id (inquiries, case_facts, imported_cases,
    // inquiry_events) is appended to at its right edge instead of at a random page.
    const id = timeOrderedId();
    const receivedAt = Date.parse(v.receivedAt);
    const policy = v.deadlinePolicy ?? deadlinePolicy;
    const deadline = computeDeadline(policy, receivedAt);
    const closedAt = v.closedAt ? Date.parse(v.closedAt) : null;
    const topic = v.topic ? topics.get(v.topic)! : null;
    const org = v.orgNumber ? parseOrgNumber(v.orgNumber) : null;
    const triaged = v.triaged || !p.actor;
    const rightActorContactActor = v.rightActorContactAt ? (v.rightActorContactActor ?? v.referralDetails?.at(-1)?.to ?? null) : null;
    const classification = { topics: topic ? [{ id: topic.id, name: topic.name, score: 1, rawScore: 0, matchedWords: [] }] : [], confidence: 1, outOfScope: null };
    const event = {
      type: 'imported', at: now,
      data: {
        externalId: v.externalId, receivedAt: v.receivedAt, policy, deadlineAt: new Date(deadline.deadlineAt).toISOString(),
        skippedDays: deadline.skippedDays, firstContactAt: v.firstContactAt ?? null, firstContactActor: p.firstContactActor,
        actor: p.actor, referrals: p.referrals, ...(v.referralDetails ? { referralDetails: v.referralDetails } : {}),
        rightActorContactAt: v.rightActorContactAt ?? null, rightActorContactActor,
        triaged, triageReason: triaged ? (v.triageReason ?? null) : null, closedAt: v.closedAt ?? null,
        outcome: v.outcome ?? null, feedback: v.feedback ?? null, gotHelp: v.gotHelp ?? null, rightActorInTime: v.rightActorInTime ?? null,
      },
    };
    const record = {
      id, receivedAt, countyCode: p.countyCode, firstAssignedActorId: p.actor, classification, channel: 'import', entryPoint: null,
      employees: v.employees ?? null, deadlinePolicy: policy, deadlineAt: deadline.deadlineAt, closedAt,
    };
    // The same derivation as every other inquiry, from the event written below: which contact counts is decided there.
    const facts = deriveFacts(record, [event], {
      outcome: v.outcome ?? null, feedback: null, isTest: false, escalated: 0, companyId: projection.companyIdOf(p.orgNumber),
    }, projection.atRiskMs);
    const status = closedAt !== null ? 'closed' : facts.firstContactAt !== null ? 'contacted' : p.actor ? 'assigned' : 'triage';
    statements.inquiry.run({
      id, reference: `IMP-${v.externalId}`, receivedAt, updatedAt: now, status, countyCode: p.countyCode,
      ...PLACEHOLDER, orgNumber: p.orgNumber, orgNumberIsPersonal: org?.isPersonnummer ? 1 : 0, employees: v.employees ?? null,
      deadlinePolicy: policy, deadlineAt: deadline.deadlineAt,
      // After referrals the actor that has it is unknown to a spreadsheet: the one whose contact counted, else the one that
      // made first contact, else the first.
      assignedActorId: (facts.firstContactAt !== null ? facts.firstContactActorId : null) ?? p.firstContactActor ?? p.actor,
      firstAssignedActorId: p.actor,
      classification: JSON.stringify(classification),
      statusTokenHash: `imported:${id}`, firstContactAt: facts.firstContactAt, firstResponseAt: facts.firstResponseAt, closedAt,
    });
    statements.imported.run(v.externalId, id, now);
    statements.event.run(id, now, 'import', JSON.stringify(event.data));
    if (v.outcome && closedAt !== null) statements.outcome.run(id, v.outcome);
    unit.factsDerived(facts);
    return true;
  }

  /**
   * One import: lines are validated as they are added, and written in batches. Two ways to drive it:
   * - `add` each line, then `finish` (the command line, benchmarks): batches of `batchSize` lines, one
   *   transaction each, as fast as it goes, with a large page cache and few checkpoints (`bulk`);
   * - `inSlices` (the HTTP route, inside the running service): time slices of `sliceMs`, each validating some
   *   lines and writing as many as fit in one transaction, then yielding to the event loop, so requests (and
   *   health checks) are answered within a slice or two whatever the size of the import.
   */
  function start({ bulk = true }: { bulk?: boolean } = {}) {
    const report: ImportReport = { lines: 0, imported: 0, alreadyImported: 0, failed: 0, errors: [] };
    let lineNo = 0;
    let pending: Prepared[] = [];
    const fail = (line: number, externalId: string | null, errors: string[]) => {
      report.failed++;
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, externalId, errors });
    };
    // Lines in one transaction, no savepoints: lines were validated in full, so a failure while writing is
    // rare. If one happens the transaction is rolled back and those lines are written again one by one, each
    // in its own savepoint, so a failing line still leaves nothing behind and the others are imported.
    // Writing stops at the deadline (after at least one line); the lines not reached stay pending.
    let attempted = 0;
    const writeSome = client.transaction((batch: Prepared[], deadline: number) => {
      const now = clock();
      const unit = projection.unit();
      let imported = 0;
      attempted = 0;
      do {
        if (write(batch[attempted++]!, now, unit)) imported++;
      } while (attempted < batch.length && performance.now() < deadline);
      unit.flush();
      return imported;
    });
    const writeEach = client.transaction((batch: Prepared[]) => {
      const now = clock();
      const unit = projection.unit();
      for (const p of batch) {
        try {
          if (client.transaction(() => write(p, now, unit))()) report.imported++;
          else report.alreadyImported++;
        } catch (error) {
          fail(p.line, p.value.externalId, [`Could not be stored: ${(error as Error).message}`]);
        }
      }
      unit.flush();
    });
    /** Writes pending lines until the deadline; returns how many were written (or rejected). */
    const flush = (deadline = Number.POSITIVE_INFINITY): number => {
      let imported: number;
      try {
        imported = writeSome.immediate(pending, deadline);
      } catch {
        writeEach.immediate(pending.slice(0, attempted));
        pending = pending.slice(attempted);
        return attempted;
      }
      report.imported += imported;
      report.alreadyImported += attempted - imported;
      pending = pending.slice(attempted);
      return attempted;
    };
    const validateLine = (text: string): void => {
      lineNo++;
      if (text.trim() === '') return;
      report.lines++;
      const result = validate(text, lineNo);
      if (!result.ok) return fail(lineNo, result.externalId, result.errors);
      pending.push(result.value);
    };
    // In bulk: a larger page cache (the inserts into random-keyed indexes otherwise thrash the default 2 MB),
    // and fewer, larger checkpoints (each batch rewrites many of the same index pages; with the default 1,000
    // pages nearly every commit would also copy the WAL back). Not in slices: a checkpoint of 64 MB at some
    // commit would hold up the service for longer than a slice.
    const cacheBefore = client.pragma('cache_size', { simple: true }) as number;
    const checkpointBefore = client.pragma('wal_autocheckpoint', { simple: true }) as number;
    if (bulk) {
      client.pragma(`cache_size = ${-bulkCacheMb * 1024}`);
      client.pragma('wal_autocheckpoint = 16384');
    }
    const restore = () => {
      if (!bulk) return;
      client.pragma(`cache_size = ${cacheBefore}`);
      client.pragma(`wal_autocheckpoint = ${checkpointBefore}`);
    };
    return {
      add(text: string): void {
        validateLine(text);
        if (pending.length >= batchSize) flush();
      },
      finish(): ImportReport {
        while (pending.length > 0) flush();
        restore();
        return report;
      },
      /** The counts so far, for progress reports. */
      progress: () => ({ lines: report.lines, imported: report.imported, alreadyImported: report.alreadyImported, failed: report.failed }),
      /** The time-sliced import of all `lines`; see above. */
      async inSlices(lines: Iterator<string>, { sliceMs = 20, onProgress, progressEveryMs = 5_000 }: SliceOptions = {}): Promise<ImportReport> {
        let exhausted = false;
        let lastProgress = performance.now();
        try {
          while (!exhausted || pending.length > 0) {
            const sliceStart = performance.now();
            // Validating is cheap next to writing: at most half the slice, and no more than a batch ahead.
            while (!exhausted && pending.length < batchSize && performance.now() - sliceStart < sliceMs / 2) {
              const next = lines.next();
              if (next.done) exhausted = true;
              else validateLine(next.value);
            }
            if (pending.length > 0) flush(sliceStart + sliceMs);
            if (onProgress && performance.now() - lastProgress >= progressEveryMs) {
              lastProgress = performance.now();
              onProgress(this.progress());
            }
            await new Promise((resolve) => setImmediate(resolve));
          }
          return report;
        } finally {
          restore();
        }
      },
    };
  }

  return {
    start,
    /** Imports NDJSON held in memory (chunks as received) in time slices, yielding to the event loop between them. */
    importInSlices(chunks: Iterable<Buffer | string>, options: SliceOptions = {}): Promise<ImportReport> {
      return start({ bulk: false }).inSlices(linesOf(chunks), options);
    },
  };
}

export interface ImportProgress { lines: number; imported: number; alreadyImported: number; failed: number }
export interface SliceOptions { sliceMs?: number; onProgress?: (progress: ImportProgress) => void; progressEveryMs?: number }

/** The lines of NDJSON arriving in chunks (split anywhere, even inside a UTF-8 character or between CR and LF). */
export function* linesOf(chunks: Iterable<Buffer | string>): Generator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for (const chunk of chunks) {
    const parts = (rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n');
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith('\r') ? part.slice(0, -1) : part;
  }
  rest += decoder.end();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

export type ImportService = ReturnType<typeof createImportService>;
