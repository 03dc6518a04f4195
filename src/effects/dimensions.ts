import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/client.js';

/**
 * The dimensions effects are grouped by, read from the inquiry and its history.
 *
 * TO BE REPLACED when issue 9 lands on main: `sizeBandOf` by src/stats/projection.ts's, and `channel`
 * by the inquiry's own `channel` column (form|phone|email|visit|event|import). Until then the channel
 * is the one the `received` event recorded.
 */
export const SIZE_BANDS = ['0-9', '10-49', '50-249', '250+', 'unknown'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];

export function sizeBandOf(employees: number | null | undefined): SizeBand {
  if (employees === null || employees === undefined) return 'unknown';
  if (employees < 10) return '0-9';
  if (employees < 50) return '10-49';
  if (employees < 250) return '50-249';
  return '250+';
}

export interface CaseDimensions {
  cohortMonth: string; countyCode: string | null; actorId: string | null; topicId: string | null;
  sizeBand: SizeBand; channel: string | null; orgKey: number | null;
}

export function dimensionsReader(db: Db) {
  const read = db.$client.prepare(`
    SELECT f.local_month AS cohortMonth, i.county_code AS countyCode, i.assigned_actor_id AS actorId, f.top_topic_id AS topicId,
      f.org_key AS orgKey, i.employees AS employees,
      (SELECT json_extract(e.data, '$.channel') FROM inquiry_events e WHERE e.inquiry_id = i.id AND e.type = 'received' ORDER BY e.id LIMIT 1) AS channel
    FROM inquiries i JOIN case_facts f ON f.inquiry_id = i.id WHERE i.id = ?`) as Statement<[string], Omit<CaseDimensions, 'sizeBand'> & { employees: number | null }>;
  return (inquiryId: string): CaseDimensions | null => {
    const row = read.get(inquiryId);
    if (!row) return null;
    const { employees, ...rest } = row;
    return { ...rest, sizeBand: sizeBandOf(employees) };
  };
}
