import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runImportCli } from '../../src/import/cli.js';
import { createImportService } from '../../src/import/service.js';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { loadKnowledge } from '../../src/classification/knowledge.js';
import { seedReferenceData } from '../../src/reference/seed.js';
import { ReferenceService } from '../../src/reference/service.js';
import { createReferenceRepository } from '../../src/reference/repository.js';
import { Places } from '../../src/reference/places.js';
import { openStatsProjection } from '../../src/stats/open.js';

/** The command line's bulk import: its own page cache while it runs (IMPORT_CACHE_MB), large batches, the same result. */
describe('npm run cli -- import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-cli-'));
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('uses IMPORT_CACHE_MB as the page cache while a bulk import runs, and gives the cache back after it', () => {
    expect(loadConfig({}).IMPORT_CACHE_MB).toBe(128);
    expect(() => loadConfig({ IMPORT_CACHE_MB: '0' })).toThrow(/IMPORT_CACHE_MB/);
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'cache.db'), IMPORT_CACHE_MB: '300' });
    const db = openDatabase(config.DATABASE_PATH);
    migrateDatabase(db);
    const knowledge = loadKnowledge();
    seedReferenceData(db, knowledge);
    const reference = new ReferenceService(createReferenceRepository(db), new Places(), knowledge);
    const { projection } = openStatsProjection(db, config);
    const cache = () => db.$client.pragma('cache_size', { simple: true });
    const before = cache();
    const run = createImportService({ db, reference, clock: () => Date.parse('2026-11-25T08:00:00Z'), projection, deadlinePolicy: 'working-day', bulkCacheMb: config.IMPORT_CACHE_MB }).start();
    expect(cache()).toBe(-300 * 1024); // KiB
    run.add(JSON.stringify({ externalId: 'C-1', receivedAt: '2026-05-04T10:00:00+02:00', county: 'SE-M', actor: 'almi' }));
    expect(run.finish()).toMatchObject({ imported: 1, failed: 0 });
    expect(cache()).toBe(before);
    db.$client.close();
  });

  it('imports a file in batches of 20,000 lines and reports what it did', async () => {
    const file = path.join(dir, 'cases.ndjson');
    const lines = Array.from({ length: 20_050 }, (_, i) => JSON.stringify({
      externalId: `L-${i}`, receivedAt: new Date(Date.parse('2026-01-05T09:00:00+01:00') + i * 900_000).toISOString(),
      county: i % 2 ? 'SE-M' : 'SE-AB', actor: i % 3 ? 'almi' : 'business-sweden',
    }));
    fs.writeFileSync(file, `${lines.join('\n')}\n${JSON.stringify({ externalId: 'bad', receivedAt: 'yesterday' })}\n`);
    process.env.DATABASE_PATH = path.join(dir, 'cli.db');
    process.env.IMPORT_CACHE_MB = '64';
    let printed = '';
    const out = new Writable({ write(chunk, _encoding, done) { printed += String(chunk); done(); } });
    expect(await runImportCli([file], out)).toBe(1); // one line rejected
    expect(JSON.parse(printed)).toMatchObject({ lines: 20_051, imported: 20_050, failed: 1, errors: [{ line: 20_051, externalId: 'bad' }] });
    const db = openDatabase(process.env.DATABASE_PATH);
    expect(db.$client.prepare('SELECT COUNT(*) FROM case_facts').pluck().get()).toBe(20_050);
    // Statistics cells written by the projection match the facts: every case counted once in the county grain.
    expect(db.$client.prepare("SELECT SUM(received) FROM stats_cells WHERE grain = 'c'").pluck().get()).toBe(20_050);
    db.$client.close();
  }, 120_000);
});
