import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase, type Db } from '../db/client.js';
import { startOfLocalDate } from '../deadlines/calendar.js';
import { exportLabels } from './operations.js';
import { createRoutingRepository } from './repository.js';

/**
 * Routing commands on the service's database (DATABASE_PATH):
 *
 *   npm run cli -- routing export-labels --since <YYYY-MM-DD | ISO instant> [--out <file.jsonl>]
 *
 * Writes every misrouted referral and every assignment of a triage case since the date (Stockholm
 * midnight) as corpus lines for review (tests/fixtures/corpus/README.md), to stdout or a file; a
 * summary goes to stderr. Review the lines before adding them to a `part-*.jsonl`: a label is what one
 * caseworker or coordinator decided, not yet what the corpus should say.
 */
export const ROUTING_USAGE = 'npm run cli -- routing export-labels --since <YYYY-MM-DD | ISO instant> [--out <file.jsonl>]';

export interface RoutingCliIo { out: (text: string) => void; err: (line: string) => void; db?: Db }

export function runRoutingCli(argv: string[], io: RoutingCliIo = { out: (t) => process.stdout.write(t), err: (l) => process.stderr.write(`${l}\n`) }): number {
  const [command, ...rest] = argv;
  if (command !== 'export-labels') { io.err(`Usage: ${ROUTING_USAGE}`); return 64; }
  let values: { since?: string | undefined; out?: string | undefined };
  try {
    ({ values } = parseArgs({ args: rest, strict: true, options: { since: { type: 'string' }, out: { type: 'string' } } }));
  } catch (error) {
    io.err(`${(error as Error).message}\nUsage: ${ROUTING_USAGE}`);
    return 64;
  }
  const sinceMs = parseSince(values.since);
  if (sinceMs === null) { io.err(`--since needs a date (YYYY-MM-DD, Stockholm midnight) or an ISO instant\nUsage: ${ROUTING_USAGE}`); return 64; }

  const db = io.db ?? openDatabase(loadConfig().DATABASE_PATH);
  try {
    if (!io.db) migrateDatabase(db);
    const { lines, skippedErased } = exportLabels(createRoutingRepository(db), sinceMs);
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : '');
    if (values.out) fs.writeFileSync(values.out, text);
    else io.out(text);
    const bySource = lines.reduce<Record<string, number>>((m, l) => ({ ...m, [l.label.source]: (m[l.label.source] ?? 0) + 1 }), {});
    io.err(`${lines.length} labelled inquiries since ${new Date(sinceMs).toISOString()} (${Object.entries(bySource).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})` +
      `${skippedErased ? `; ${skippedErased} left out because their personal data was erased` : ''}${values.out ? `; written to ${values.out}` : ''}`);
    return 0;
  } finally {
    if (!io.db) db.$client.close();
  }
}

function parseSince(since: string | undefined): number | null {
  if (!since) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(since)) {
    const [y, m, d] = since.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return startOfLocalDate(since);
  }
  const ms = Date.parse(since);
  return /^\d{4}-\d{2}-\d{2}T/.test(since) && Number.isFinite(ms) ? ms : null;
}
