import fs from 'node:fs';
import path from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, LOAN, type CaseWorld } from '../cases/helpers.js';
import { backupDatabase } from '../../src/cli/backup.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadOrgKey, orgKeyOf } from '../../src/stats/company-key.js';
import { run } from '../../src/cli/index.js';

/**
 * Issue 15, item 2: an erased sole trader's personnummer cannot be recovered from the database or a backup. The
 * attacker's way in was a keyed hash kept for the statistics, with its key in the same database: brute-forcing
 * every personnummer of a birth date (a thousand guesses) found it. Now the key lives outside the database, and
 * erasure leaves no hash at all. The test does the attack: every personnummer born 28 December 1981, in every way
 * it could be stored, against every value in every table of the database and of a backup, hashed under every
 * secret the database holds (and under the real key, which the attacker should not even have).
 */
let w: CaseWorld;
const BIRTH = '811228';

/** The ten-digit personnummer of a birth date and serial number, with its Luhn check digit. */
function personnummer(serial: number): string {
  const body = `${BIRTH}${String(serial).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(body[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
const SPACE = Array.from({ length: 1000 }, (_, i) => personnummer(i));
const VICTIMS = [SPACE[137]!, SPACE[512]!, SPACE[998]!];

/** Every value stored in every table of a SQLite file: texts, numbers and blobs. */
function everything(file: string): { texts: string[]; numbers: Set<number>; blobs: Buffer[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const texts: string[] = [];
    const numbers = new Set<number>();
    const blobs: Buffer[] = [];
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).raw(true).iterate() as IterableIterator<unknown[]>) {
        for (const v of row) {
          if (typeof v === 'string') texts.push(v);
          else if (typeof v === 'number' || typeof v === 'bigint') numbers.add(Number(v));
          else if (Buffer.isBuffer(v)) blobs.push(v);
        }
      }
    }
    return { texts, numbers, blobs };
  } finally {
    db.close();
  }
}

/** The attack: which numbers of the space can be found in the stored data, plainly or as a (keyed) hash. */
function bruteForce(file: string, extraKeys: string[] = []): string[] {
  const data = everything(file);
  const text = data.texts.join('\n');
  // Any stored text long enough to be a key is tried as one (the old service kept its key in `settings`).
  const keys = [...new Set([...data.texts.filter((t) => /^[A-Za-z0-9+/_=-]{32,200}$/.test(t)), ...extraKeys])];
  const found: string[] = [];
  for (const n of SPACE) {
    const forms = [n, `${n.slice(0, 6)}-${n.slice(6)}`, `19${n}`];
    const plain = forms.some((f) => text.includes(f) || data.blobs.some((b) => b.includes(f)));
    const digest = createHash('sha256').update(n).digest();
    const unkeyed = text.includes(digest.toString('hex')) || data.numbers.has(digest.readUIntBE(0, 6));
    const keyed = keys.some((k) => data.numbers.has(orgKeyOf(k, n)) || text.includes(createHmac('sha256', k).update(n).digest('hex')));
    if (plain || unkeyed || keyed) found.push(n);
  }
  return found;
}

beforeAll(async () => {
  w = await caseWorld();
  for (const [i, n] of VICTIMS.entries()) {
    // Each sole trader asks twice, once through the form and once imported from the region's old records.
    const res = await w.post('/v1/inquiries', null, {
      company: { name: `Enskild firma ${i}`, orgNumber: n }, contact: { name: 'Ägaren', email: `agare${i}@example.se` }, message: LOAN, county: 'Skåne', consent: true,
    });
    expect(res.statusCode).toBe(201);
    w.clock.advance(HOUR);
    expect((await w.post(`/v1/cases/${res.json().id}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${res.json().id}/close`, w.tokens.almi, { outcome: 'helped' })).statusCode).toBe(200);
  }
  const imported = await w.app.inject({
    method: 'POST', url: '/v1/admin/import', headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/x-ndjson' },
    payload: VICTIMS.map((n, i) => JSON.stringify({ externalId: `pn-${i}`, receivedAt: '2026-03-02T09:00:00+01:00', county: 'SE-M', actor: 'almi', orgNumber: n })).join('\n'),
  });
  expect(imported.json()).toMatchObject({ imported: 3, failed: 0 });
});
afterAll(async () => { await w.close(); });

describe("an erased sole trader's personnummer", () => {
  it('is found by the brute force while it is legitimately stored (the attack works)', () => {
    const key = loadOrgKey(w.config).secret;
    expect(bruteForce(w.config.DATABASE_PATH, [key]).sort()).toEqual([...VICTIMS].sort());
  });

  it('cannot be recovered after erasure from the database or a backup, not even with the ORG key', async () => {
    const analyst = async () => (await w.get('/v1/stats/compliance?from=2026-01-01&to=2026-12-31', w.tokens.analyst)).json().total;
    const before = await analyst();
    for (const n of VICTIMS) {
      const res = await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: n });
      expect(res.json()).toMatchObject({ matched: 2, erased: 2 });
    }
    // The statistics stay consistent: the same companies, counted once each.
    expect(await analyst()).toEqual(before);
    expect(before.distinctCompanies).toBe(3);

    const backup = path.join(path.dirname(w.config.DATABASE_PATH), 'backup.db');
    await backupDatabase(w.config.DATABASE_PATH, backup);
    const key = loadOrgKey(w.config).secret; // the attacker has only the database and the backup; this is the worst case
    expect(bruteForce(w.config.DATABASE_PATH, [key])).toEqual([]);
    expect(bruteForce(backup, [key])).toEqual([]);
    // The key is not in the database: it is a file beside it, not part of a backup.
    expect(fs.readFileSync(`${w.config.DATABASE_PATH}.org-key`, 'utf8').trim()).toBe(key);
    expect(everything(backup).texts).not.toContain(key);
  });
});

describe('the ORG key', () => {
  it('is required in production, with how to make one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://x.se' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://x.se' });
    } catch (error) {
      expect((error as ConfigError).issues.join('\n')).toMatch(/ORG_KEY_SECRET or ORG_KEY_FILE is required in production: create a key with `openssl rand -base64 48/);
    }
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://x.se', RESEARCH_PSEUDONYM_SECRET: 'k'.repeat(32), ORG_KEY_FILE: '/run/secrets/org-key' }).ORG_KEY_FILE).toBe('/run/secrets/org-key');
    expect(() => loadOrgKey({ ...w.config, NODE_ENV: 'production', ORG_KEY_SECRET: undefined, ORG_KEY_FILE: undefined })).toThrow(/required in production/);
    expect(() => loadOrgKey({ ...w.config, ORG_KEY_FILE: '/nonexistent/org-key' })).toThrow(/cannot read/);
    expect(loadOrgKey({ ...w.config, ORG_KEY_SECRET: 'k'.repeat(40) })).toMatchObject({ source: 'ORG_KEY_SECRET', secret: 'k'.repeat(40) });
  });

  it('is made by the CLI, printed and not stored', () => {
    const lines: string[] = [];
    run(['org-key', 'generate'], (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('when changed, leaves the figures as they were and re-keys the companies whose numbers are still stored', async () => {
    const before = (await w.get('/v1/stats/compliance?from=2026-01-01&to=2029-12-31', w.tokens.analyst)).json().total;
    const { openStatsProjection } = await import('../../src/stats/open.js');
    const messages: string[] = [];
    openStatsProjection(w.db, { ...w.config, ORG_KEY_SECRET: 'a-new-key-for-the-statistics-0123456789' }, (m) => messages.push(m));
    expect(messages.join('\n')).toMatch(/ORG key changed/);
    expect((await w.get('/v1/stats/compliance?from=2026-01-01&to=2029-12-31', w.tokens.analyst)).json().total).toEqual(before);
    // The erased sole traders' companies still have no key.
    expect(w.db.$client.prepare('SELECT COUNT(*) AS n FROM stats_companies WHERE org_key IS NOT NULL').get()).toEqual({ n: 0 });
  });
});
