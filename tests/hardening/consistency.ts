import type Database from 'better-sqlite3';

/** PRAGMA integrity_check's rows: ['ok'] when the file is sound. */
export function integrityCheck(sqlite: Database.Database): string[] {
  return (sqlite.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
}

/**
 * The service's consistency rules, checked on the raw tables: every inquiry has its history
 * (at least one event), and every assignment points to an existing actor. Returns what is wrong.
 */
export function consistencyProblems(sqlite: Database.Database): string[] {
  const problems: string[] = [];
  const noHistory = sqlite.prepare(
    'SELECT i.id FROM inquiries i WHERE NOT EXISTS (SELECT 1 FROM inquiry_events e WHERE e.inquiry_id = i.id)',
  ).all() as { id: string }[];
  for (const r of noHistory) problems.push(`inquiry ${r.id} has no history`);
  for (const column of ['assigned_actor_id', 'first_assigned_actor_id']) {
    const dangling = sqlite.prepare(
      `SELECT i.id, i.${column} AS actor FROM inquiries i WHERE i.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = i.${column})`,
    ).all() as { id: string; actor: string }[];
    for (const r of dangling) problems.push(`inquiry ${r.id}: ${column} ${r.actor} is no actor`);
  }
  const orphanEvents = sqlite.prepare(
    'SELECT count(*) AS n FROM inquiry_events e WHERE NOT EXISTS (SELECT 1 FROM inquiries i WHERE i.id = e.inquiry_id)',
  ).get() as { n: number };
  if (orphanEvents.n > 0) problems.push(`${orphanEvents.n} events without an inquiry`);
  return problems;
}
