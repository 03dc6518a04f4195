import { randomUUID } from 'node:crypto';
import type { Db } from '../src/db/client.js';
import { seededRandom } from './lib.js';

export const HOUR = 3_600_000;
export const SEED_ACTORS = ['almi', 'business-sweden', 'een', 'ekn', 'tillvaxtverket', 'sek', 'chamber-sydsvenska', 'chamber-vastsvenska', 'chamber-stockholm', 'chamber-smaland'];

/**
 * Stores `count` cases directly (one prepared statement, one transaction): a year of arrivals before `now`
 * spread over ten actors and every county, all but the last 200 changed more than an hour ago, 90 % of the
 * older ones closed. Deterministic (seeded): the same cases every run. Then ANALYZE, as a long-running
 * database would have. Returns the seconds it took.
 */
export function seedCases(db: Db, count: number, now: number, seed = 7): number {
  const { rand, pick } = seededRandom(seed);
  const counties = (db.$client.prepare('SELECT code FROM counties').all() as { code: string }[]).map((r) => r.code);
  const classification = JSON.stringify({
    topics: [{ id: 'loans-growth-finance', name: 'Loans and growth financing', score: 0.6, rawScore: 4.5, matchedWords: ['lan', 'maskin'] }],
    confidence: 0.6, outOfScope: null,
  });
  const insert = db.$client.prepare(`INSERT INTO inquiries (
    id, reference, received_at, updated_at, version, status, county_code, county_source, company_name, org_number, org_number_is_personal,
    employees, contact_name, contact_email, contact_phone, subject, message, language, deadline_policy, deadline_at,
    assigned_actor_id, first_assigned_actor_id, classification, confidence, alternatives, status_token_hash, first_contact_at, closed_at
  ) VALUES (?, ?, ?, ?, ?, ?, ?, 'county', ?, NULL, 0, 12, 'Anna Andersson', 'anna@example.se', NULL, NULL, ?, 'sv', 'working-day', ?, ?, ?, ?, 0.6, '[]', ?, ?, ?)`);
  const started = performance.now();
  db.$client.transaction(() => {
    for (let i = 0; i < count; i++) {
      const receivedAt = now - Math.floor(rand() * 365 * 24 * HOUR) - 2 * HOUR;
      const recent = i >= count - 200;
      const updatedAt = recent ? now - Math.floor(rand() * HOUR) : Math.min(receivedAt + Math.floor(rand() * 72 * HOUR), now - 2 * HOUR);
      const actor = pick(SEED_ACTORS);
      const closed = !recent && rand() < 0.9;
      const contacted = closed || rand() < 0.5;
      insert.run(
        randomUUID(), `REC-BENCH-${String(i).padStart(7, '0')}`, receivedAt, updatedAt, 1 + Math.floor(rand() * 5),
        closed ? 'closed' : contacted ? 'contacted' : 'assigned', pick(counties), `Bolag ${i} AB`,
        'Vi behöver ett lån för att köpa en ny maskin.', receivedAt + 24 * HOUR, actor, actor, classification,
        `bench-${i}`, contacted ? receivedAt + Math.floor(rand() * 30 * HOUR) : null, closed ? updatedAt : null,
      );
    }
  })();
  db.$client.exec('ANALYZE');
  return (performance.now() - started) / 1000;
}
