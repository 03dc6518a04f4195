import { orgKeyFingerprint, orgKeyOf } from './company-key.js';
import { PROJECTION_VERSION, deriveFacts, type StatsProjection } from './projection.js';
import type { CaseRecordRow } from './repository.js';
import { createCompactor } from './compaction.js';

/**
 * Keeping the statistics current across versions of their definitions, run at start-up (and by the CLI) before
 * anything writes:
 * - `rebuild`: derives every inquiry's facts and every cell again from the inquiries and their history, in write
 *   transactions of a page of inquiries. Restartable: the cells are cleared first and the work is marked in
 *   progress, so a crash half-way makes the next start do it again; the facts rows keep the company ids.
 * - the one-off upgrade from the trigger era (migration 0019 kept the old facts as `case_facts_legacy`): the old
 *   facts' keyed hashes become company ids. A company whose number is still stored gets a keyed hash under the
 *   key outside the database; an erased sole trader's inquiries keep one shared id and no hash at all. Then the
 *   rebuild, then the old table and the old key (which lived in the database) go. The figures come out the same. The
 *   effects' follow-up waves, which counted companies by the old keys, get the same company ids.
 * - a changed ORG key: the company keys are made again from the numbers still stored (the ids, and so the
 *   figures, do not change; only an erased sole trader can no longer be recognised, which is the point).
 */
const VERSION_KEY = 'stats_projection_version';
const REBUILDING_KEY = 'stats_projection_rebuilding';
const FINGERPRINT_KEY = 'stats_org_key_fingerprint';
const LEGACY_SECRET_KEY = 'stats_company_key_secret';
const PAGE = 2000;

export function ensureStatsCurrent(projection: StatsProjection, log: (message: string) => void = () => {}): void {
  const client = projection.repository.client;
  const setting = (key: string) => (client.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  const legacy = client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_facts_legacy'").pluck().get() !== undefined;
  const fingerprint = orgKeyFingerprint(projection.orgKeySecret);

  if (legacy) {
    const mapped = legacyCompanies(projection);
    const total = rebuild(projection, 'legacy');
    client.transaction(() => {
      // Migration 0019 renamed the waves' org_key to company_id; until now it still held the old keys.
      client.exec(`UPDATE follow_up_waves SET company_id = (SELECT l.company_id FROM case_facts_legacy l
        WHERE l.org_key = follow_up_waves.company_id AND l.company_id IS NOT NULL LIMIT 1) WHERE company_id IS NOT NULL`);
      client.exec('DROP TABLE case_facts_legacy');
      client.prepare('DELETE FROM settings WHERE key = ?').run(LEGACY_SECRET_KEY);
      client.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(FINGERPRINT_KEY, fingerprint);
    })();
    if (total > 0) log(`statistics: ${total} inquiries moved to the projection (${mapped} companies)`);
    return;
  }
  if (setting(VERSION_KEY) !== String(PROJECTION_VERSION) || setting(REBUILDING_KEY) !== null) {
    const total = rebuild(projection, 'facts');
    if (total > 0) log(`statistics: rebuilt from ${total} inquiries (projection version ${PROJECTION_VERSION})`);
  }
  const stored = setting(FINGERPRINT_KEY);
  if (stored !== fingerprint) {
    if (stored !== null) {
      const n = rekeyCompanies(projection);
      log(`statistics: the ORG key changed; ${n} company keys made again from the numbers still stored`);
    }
    client.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(FINGERPRINT_KEY, fingerprint);
  }
}

/**
 * Gives every old facts row with a company key a company id (column `company_id` added to the legacy table), in
 * one transaction. The old key is a hash under the old secret; the number itself is still in the inquiry unless a
 * sole trader's data was erased, so: a number still stored gets its id through the new key, and the old hash of
 * it leads the erased inquiries of the same company to the same id; old hashes no stored number leads to become
 * ids of their own, without any hash.
 */
function legacyCompanies(projection: StatsProjection): number {
  const client = projection.repository.client;
  const columns = client.prepare("SELECT name FROM pragma_table_info('case_facts_legacy')").pluck().all() as string[];
  if (columns.includes('company_id')) return 0; // done by an earlier, interrupted start
  return client.transaction(() => {
    client.exec('ALTER TABLE case_facts_legacy ADD COLUMN company_id INTEGER');
    const rows = client.prepare(`SELECT l.inquiry_id AS id, l.org_key AS oldKey, i.org_number AS orgNumber
      FROM case_facts_legacy l JOIN inquiries i ON i.id = l.inquiry_id WHERE l.org_key IS NOT NULL OR i.org_number IS NOT NULL`).all() as { id: string; oldKey: number | null; orgNumber: string | null }[];
    const byOldKey = new Map<number, number>();
    const set = client.prepare('UPDATE case_facts_legacy SET company_id = ? WHERE inquiry_id = ?');
    for (const r of rows) {
      if (r.orgNumber === null) continue;
      const id = projection.repository.companyIdFor(orgKeyOf(projection.orgKeySecret, r.orgNumber));
      if (r.oldKey !== null) byOldKey.set(r.oldKey, id);
      set.run(id, r.id);
    }
    for (const r of rows) {
      if (r.orgNumber !== null || r.oldKey === null) continue;
      let id = byOldKey.get(r.oldKey);
      if (id === undefined) byOldKey.set(r.oldKey, (id = projection.repository.newAnonymousCompany()));
      set.run(id, r.id);
    }
    return new Set(byOldKey.values()).size;
  })();
}

/** Derives all facts and cells again; returns the number of inquiries. `companies`: where the company ids come from. */
export function rebuild(projection: StatsProjection, companies: 'facts' | 'legacy'): number {
  const client = projection.repository.client;
  client.transaction(() => {
    client.exec('DELETE FROM stats_cells');
    client.exec('DELETE FROM stats_stale');
    client.prepare("INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING").run(REBUILDING_KEY);
  }).immediate();

  const page = client.prepare(`SELECT id, received_at AS receivedAt, county_code AS countyCode, first_assigned_actor_id AS firstAssignedActorId,
      classification, channel, entry_point AS entryPoint, employees, deadline_policy AS deadlinePolicy, deadline_at AS deadlineAt,
      closed_at AS closedAt, org_number AS orgNumber FROM inquiries WHERE id > ? ORDER BY id LIMIT ${PAGE}`);
  const inRange = (sqlText: string) => client.prepare(sqlText);
  const events = inRange('SELECT inquiry_id AS id, type, at, data FROM inquiry_events WHERE inquiry_id BETWEEN ? AND ? ORDER BY inquiry_id, id');
  const outcomes = inRange('SELECT inquiry_id AS id, outcome FROM case_work WHERE inquiry_id BETWEEN ? AND ?');
  const feedback = inRange('SELECT inquiry_id AS id, answer AS help, right_actor_in_time AS rightActor FROM case_feedback WHERE inquiry_id BETWEEN ? AND ?');
  const tests = inRange('SELECT inquiry_id AS id FROM stats_mystery_tests WHERE inquiry_id BETWEEN ? AND ?').pluck();
  const escalations = inRange(`SELECT inquiry_id AS id, MAX(CASE kind WHEN 'breached' THEN 2 ELSE 1 END) AS level
    FROM deadline_escalations WHERE inquiry_id BETWEEN ? AND ? GROUP BY inquiry_id`);
  const companyIds = inRange(companies === 'legacy'
    ? 'SELECT inquiry_id AS id, company_id AS companyId FROM case_facts_legacy WHERE inquiry_id BETWEEN ? AND ?'
    : 'SELECT inquiry_id AS id, company_id AS companyId FROM case_facts WHERE inquiry_id BETWEEN ? AND ?');

  const byId = <T extends { id: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) {
      let list = map.get(r.id);
      if (!list) map.set(r.id, (list = []));
      list.push(r);
    }
    return map;
  };

  let after = '';
  let total = 0;
  for (;;) {
    const rows = page.all(after) as (CaseRecordRow & { orgNumber: string | null })[];
    if (rows.length === 0) break;
    const first = rows[0]!.id;
    const last = rows[rows.length - 1]!.id;
    client.transaction(() => {
      const ev = byId((events.all(first, last) as { id: string; type: string; at: number; data: string }[]));
      const out = new Map((outcomes.all(first, last) as { id: string; outcome: string | null }[]).map((r) => [r.id, r.outcome]));
      const fb = new Map((feedback.all(first, last) as { id: string; help: string; rightActor: string | null }[]).map((r) => [r.id, r]));
      const test = new Set(tests.all(first, last) as string[]);
      const esc = new Map((escalations.all(first, last) as { id: string; level: number }[]).map((r) => [r.id, r.level]));
      const known = new Map((companyIds.all(first, last) as { id: string; companyId: number | null }[]).map((r) => [r.id, r.companyId]));
      const unit = projection.unit();
      for (const row of rows) {
        const history = (ev.get(row.id) ?? []).map((e) => ({ type: e.type, at: e.at, data: JSON.parse(e.data) as Record<string, unknown> }));
        const facts = deriveFacts(row, history, {
          outcome: out.get(row.id) ?? null,
          feedback: fb.get(row.id) ?? null,
          isTest: test.has(row.id),
          companyId: known.has(row.id) ? known.get(row.id)! : projection.companyIdOf(row.orgNumber),
          escalated: esc.get(row.id) ?? 0,
        }, projection.atRiskMs);
        unit.factsDerived(facts);
      }
      unit.flush();
    }).immediate();
    total += rows.length;
    after = last;
  }

  client.transaction(() => {
    client.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(VERSION_KEY, String(PROJECTION_VERSION));
    client.prepare('DELETE FROM settings WHERE key = ?').run(REBUILDING_KEY);
  }).immediate();
  createCompactor(projection).compact();
  return total;
}

/**
 * Makes every company key again under the current ORG key, from the organisation numbers still stored. A company
 * none of whose inquiries holds its number any more (an erased sole trader) keeps its id and no key.
 */
export function rekeyCompanies(projection: StatsProjection): number {
  const client = projection.repository.client;
  return client.transaction(() => {
    client.exec('UPDATE stats_companies SET org_key = NULL');
    const rows = client.prepare(`SELECT f.company_id AS id, MIN(i.org_number) AS orgNumber FROM case_facts f JOIN inquiries i ON i.id = f.inquiry_id
      WHERE f.company_id IS NOT NULL AND i.org_number IS NOT NULL GROUP BY f.company_id`).all() as { id: number; orgNumber: string }[];
    const set = client.prepare('UPDATE stats_companies SET org_key = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM stats_companies WHERE org_key = ?)');
    let n = 0;
    for (const r of rows) {
      const key = orgKeyOf(projection.orgKeySecret, r.orgNumber);
      n += set.run(key, r.id, key).changes;
    }
    return n;
  }).immediate();
}
