import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { msg } from '../shared/i18n.js';
import { csvLine, CSV_BOM } from '../shared/csv.js';
import type { StartDates } from './start-dates.js';

/**
 * The research extract: one row per inquiry, built for evaluation (the README's data dictionary defines
 * every column). No personal data: coded fields only, no inquiry id or reference, and the organisation
 * number only as a pseudonym, HMAC-SHA256 under RESEARCH_PSEUDONYM_SECRET, a key held outside the
 * database. The same number gives the same pseudonym in every extract (so Tillväxtverket can link it to
 * register data such as foreign-trade statistics under its own agreement, by computing the same HMAC
 * over the register's numbers); without the key it cannot be reversed or recomputed. A sole trader's
 * number is a personnummer: those rows carry no pseudonym.
 *
 * Streamed in pages of PAGE rows (keyset on arrival), so a large extract neither holds the database nor
 * builds up in memory.
 */
const PAGE = 1000;
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: msg('A month, YYYY-MM', 'En månad, ÅÅÅÅ-MM') });

export const extractQuerySchema = z.strictObject({
  cohortFrom: month.optional().describe('First cohort (Stockholm arrival month) included, YYYY-MM; default: the first'),
  cohortTo: month.optional().describe('Last cohort included, YYYY-MM; default: the last'),
});
export type ExtractQuery = z.infer<typeof extractQuerySchema>;

/** The pseudonym of a (normalised, 10-digit) organisation number. */
export function orgPseudonym(secret: string, orgNumber: string): string {
  return createHmac('sha256', secret).update(`org:${orgNumber}`).digest('base64url');
}

interface Row {
  id: string; receivedAt: number; cohortMonth: string; countyCode: string | null; channel: string | null; centreStarted: number | null;
  actorId: string | null; topicId: string | null; sizeBand: string; firstContactAt: number | null; deadlineAt: number;
  closedAt: number | null; outcome: string | null; feedback: string | null; feedbackRightActorInTime: string | null;
  orgNumber: string | null; orgNumberIsPersonal: number; experimentId: string | null; experimentArm: string | null;
}

export function extractColumns(waves: number[]): string[] {
  return [
    'cohortMonth', 'countyCode', 'centreStartYear', 'centreStartedOn', 'centreStarted', 'channel', 'actorId', 'topicId', 'sizeBand',
    'rightActorInTime', 'outcome', 'feedback', 'feedbackRightActorInTime',
    ...waves.flatMap((m) => [`w${m}Exporting`, `w${m}NewMarkets`, `w${m}ExportShare`, `w${m}Contribution`]),
    'experimentId', 'experimentArm', 'orgPseudonym',
  ];
}

export function createResearchExtract({ db, startDates, waves, secret, now }: { db: Db; startDates: StartDates; waves: number[]; secret: string; now: () => number }) {
  const page = db.$client.prepare(`
    SELECT i.id, i.received_at AS receivedAt, substr(f.local_date, 1, 7) AS cohortMonth, i.county_code AS countyCode, f.channel,
      (SELECT json_extract(e.data, '$.exportCentreStarted') FROM inquiry_events e WHERE e.inquiry_id = i.id AND e.type = 'received' ORDER BY e.id LIMIT 1) AS centreStarted,
      f.first_actor_id AS actorId, f.top_topic_id AS topicId, f.size_band AS sizeBand, f.first_contact_at AS firstContactAt, f.deadline_at AS deadlineAt,
      f.closed_at AS closedAt, f.outcome, f.feedback_help AS feedback, f.feedback_right_actor AS feedbackRightActorInTime,
      i.org_number AS orgNumber, i.org_number_is_personal AS orgNumberIsPersonal, x.experiment_id AS experimentId, x.arm_id AS experimentArm
    FROM inquiries i JOIN case_facts f ON f.inquiry_id = i.id LEFT JOIN experiment_assignments x ON x.inquiry_id = i.id
    WHERE f.local_date BETWEEN @from || '-01' AND @to || '-31' AND f.is_test = 0 AND (i.received_at, i.id) > (@afterAt, @afterId)
      AND (@allCounties = 1 OR i.county_code IN (SELECT value FROM json_each(@counties)))
    ORDER BY i.received_at, i.id LIMIT ${PAGE}`) as Statement<[Record<string, unknown>], Row>;
  const answers = db.$client.prepare(`SELECT months, exporting, new_markets AS newMarkets, export_share AS exportShare, contribution
    FROM follow_up_waves WHERE inquiry_id = ? AND answered_at IS NOT NULL`) as Statement<[string], { months: number; exporting: string; newMarkets: string; exportShare: string; contribution: string }>;
  const columns = extractColumns(waves);

  /**
   * Contact with the right actor in time, by the statistics' rule (src/cases/right-actor.ts, src/stats/projection.ts):
   * `first_contact_at` of the facts is the first right-actor contact (a contact does not count when the actor that
   * made it later referred the case on as misrouted), so true when it was at or before the deadline, false when it
   * was late or the deadline passed without one (contactedLate, openOverdue, closedOverdue); null while the case is
   * open and in time, or closed in time without contact (not part of the rate).
   */
  function rightActorInTime(r: Row, at: number): boolean | null {
    if (r.firstContactAt !== null) return r.firstContactAt <= r.deadlineAt;
    if (r.closedAt !== null) return r.closedAt <= r.deadlineAt ? null : false;
    return at > r.deadlineAt ? false : null;
  }

  function toRecord(r: Row, at: number): Record<string, unknown> {
    const start = startDates.get(r.countyCode);
    const record: Record<string, unknown> = {
      cohortMonth: r.cohortMonth, countyCode: r.countyCode,
      centreStartYear: start?.startYear ?? null, centreStartedOn: start?.startedOn ?? null,
      centreStarted: r.centreStarted === null ? null : r.centreStarted === 1,
      channel: r.channel, actorId: r.actorId, topicId: r.topicId, sizeBand: r.sizeBand,
      rightActorInTime: rightActorInTime(r, at), outcome: r.outcome, feedback: r.feedback, feedbackRightActorInTime: r.feedbackRightActorInTime,
    };
    const given = new Map(answers.all(r.id).map((a) => [a.months, a]));
    for (const m of waves) {
      const a = given.get(m);
      record[`w${m}Exporting`] = a?.exporting ?? null;
      record[`w${m}NewMarkets`] = a ? a.newMarkets : null;
      record[`w${m}ExportShare`] = a?.exportShare ?? null;
      record[`w${m}Contribution`] = a?.contribution ?? null;
    }
    record.experimentId = r.experimentId;
    record.experimentArm = r.experimentArm;
    record.orgPseudonym = r.orgNumber && !r.orgNumberIsPersonal ? orgPseudonym(secret, r.orgNumber) : null;
    return record;
  }

  async function* records(q: ExtractQuery, counties: string[] | null): AsyncGenerator<Record<string, unknown>> {
    const at = now();
    let after = { afterAt: -1, afterId: '' };
    for (;;) {
      const rows = page.all({
        from: q.cohortFrom ?? '0000-00', to: q.cohortTo ?? '9999-99', ...after,
        allCounties: counties === null ? 1 : 0, counties: JSON.stringify(counties ?? []),
      });
      for (const r of rows) yield toRecord(r, at);
      if (rows.length < PAGE) return;
      const last = rows.at(-1)!;
      after = { afterAt: last.receivedAt, afterId: last.id };
      await new Promise((resolve) => setImmediate(resolve)); // let requests in between pages
    }
  }

  return {
    columns,
    ndjson(q: ExtractQuery, counties: string[] | null): Readable {
      return Readable.from((async function* () {
        for await (const r of records(q, counties)) yield `${JSON.stringify(r)}\n`;
      })());
    },
    csv(q: ExtractQuery, counties: string[] | null): Readable {
      return Readable.from((async function* () {
        yield CSV_BOM + csvLine(columns);
        for await (const r of records(q, counties)) yield csvLine(columns.map((c) => r[c]));
      })());
    },
  };
}
export type ResearchExtract = ReturnType<typeof createResearchExtract>;
