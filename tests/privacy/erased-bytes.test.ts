import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStatsProjection } from '../../src/stats/open.js';
import { caseWorld, HOUR, type CaseWorld } from '../cases/helpers.js';
import { backupDatabase } from '../../src/cli/backup.js';
import { createErasureService } from '../../src/privacy/service.js';
import { createAuditLog } from '../../src/audit/service.js';

/**
 * Erased personal data is gone from the disk, not only from the rows: after an erasure (on request, and by
 * retention) none of the erased values is anywhere in the raw bytes of the database file, its write-ahead log
 * or a backup taken afterwards. Searching the bytes finds them before the erasure, so the search can fail.
 *
 * Why each part is needed: without secure_delete, overwritten rows linger in freed space of the file; without
 * truncating the write-ahead log, its earlier frames keep every page as it was written; a page-by-page backup
 * would copy the freed pages. The values are made unusual enough that nothing else in the database holds them
 * (the classifier's matched words and the place names found in the text stay in the history by design).
 */
let w: CaseWorld;
let dir: string;
beforeAll(async () => {
  w = await caseWorld();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-bytes-'));
});
afterAll(async () => {
  await w.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The values of one data subject; the message is long enough to spill into overflow pages. */
function subject(tag: string) {
  const name = `Qwilhelmina Zörnstrand${tag}`;
  return {
    name,
    email: `qwilhelmina.zornstrand${tag.toLowerCase()}@exempel.se`,
    phone: `070-31${tag.length}9 27 ${tag.length}6`,
    personnummer: '121212-1212',
    personnummerDigits: '1212121212',
    companyName: `Zörnstrands Vävstuga${tag}`,
    message: `Vi behöver ett lån för att köpa en ny maskin. Kontakta ${name}. ${'Xylofonvävare '.repeat(300)}Slut${tag}.`,
    note: `Pratade med ${name} om vävstolen Kvarnsnurran${tag}`,
    comment: `Tack för hjälpen, hälsningar Zörnstrandskan${tag}`,
  };
}
type Subject = ReturnType<typeof subject>;

const filesOf = (databasePath: string) => [databasePath, `${databasePath}-wal`, `${databasePath}-shm`].filter((f) => fs.existsSync(f));

/** Which of the values occur anywhere in the raw bytes of the files. */
function found(files: string[], s: Subject): string[] {
  const bytes = files.map((f) => fs.readFileSync(f));
  const values = [s.name, s.email, s.phone, s.personnummer, s.personnummerDigits, s.companyName, `Slut${s.name.slice(-1)}`, 'Xylofonvävare', 'Kvarnsnurran', 'Zörnstrandskan'];
  return values.filter((v) => bytes.some((b) => b.includes(Buffer.from(v, 'utf8'))));
}

/** A sole trader's case worked to the end with a note and a feedback comment, amid other traffic. */
async function workedCase(s: Subject) {
  for (let i = 0; i < 30; i++) await w.submit({ message: `Vi vill exportera till Norge, fråga nummer ${i}. Behöver vi finansiering?` });
  const created = await w.post('/v1/inquiries', null, {
    company: { name: s.companyName, orgNumber: s.personnummer }, contact: { name: s.name, email: s.email, phone: s.phone },
    county: 'Skåne', message: s.message, consent: true,
  }, { 'idempotency-key': `bytes-${s.companyName.length}-${Date.now()}` });
  expect(created.statusCode, created.body).toBe(201);
  const { id, statusUrl } = created.json();
  expect((await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', note: s.note })).statusCode).toBe(200);
  expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' })).statusCode).toBe(200);
  expect((await w.post(`${new URL(statusUrl).pathname}/feedback`, null, { rightActorInTime: 'yes', gotHelp: 'yes', comment: s.comment })).statusCode).toBe(201);
  for (let i = 0; i < 30; i++) await w.submit({ message: `Vi söker kunder i Tyskland, fråga nummer ${i}.` });
  return id as string;
}

describe('erased values on disk', () => {
  it('after an erasure on request: not in the database file, not in its write-ahead log, not in a fresh backup', async () => {
    const s = subject('A');
    const id = await workedCase(s);
    const files = filesOf(w.config.DATABASE_PATH);
    expect(found(files, s).length, 'the values are on disk before the erasure').toBeGreaterThanOrEqual(8);

    expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.admin, { requestReference: 'DNR-1' })).json().alreadyErased).toBe(false);
    expect(found(filesOf(w.config.DATABASE_PATH), s)).toEqual([]);
    const wal = `${w.config.DATABASE_PATH}-wal`;
    if (fs.existsSync(wal)) expect(fs.statSync(wal).size).toBe(0);

    const backup = path.join(dir, 'after-erasure.db');
    await backupDatabase(w.config.DATABASE_PATH, backup);
    expect(found(filesOf(backup), s)).toEqual([]);
    // The service goes on writing afterwards, and the erased values do not come back.
    await w.submit();
    expect(found(filesOf(w.config.DATABASE_PATH), s)).toEqual([]);
  });

  it('after retention erased a closed case, and after the company-wide erasure', async () => {
    const old = subject('BB');
    const id = await workedCase(old);
    w.clock.advance(400 * 24 * HOUR);
    expect(found(filesOf(w.config.DATABASE_PATH), old).length).toBeGreaterThanOrEqual(8);
    const erased = createErasureService({ db: w.db, clock: w.clock.fn, audit: createAuditLog({ db: w.db, clock: w.clock.fn }), projection: openStatsProjection(w.db, w.config).projection }).eraseExpired(w.clock.now, 365);
    expect(erased).toBeGreaterThanOrEqual(1);
    expect(w.db.$client.prepare('SELECT erased_at FROM inquiries WHERE id = ?').get(id)).toEqual({ erased_at: w.clock.now });
    expect(found(filesOf(w.config.DATABASE_PATH), old)).toEqual([]);

    const other = subject('CCC');
    await workedCase(other);
    expect(found(filesOf(w.config.DATABASE_PATH), other).length).toBeGreaterThanOrEqual(8);
    expect((await w.post('/v1/admin/erasure', w.tokens.admin, { orgNumber: other.personnummer })).json().erased).toBeGreaterThanOrEqual(1);
    expect(found(filesOf(w.config.DATABASE_PATH), other)).toEqual([]);
    const backup = path.join(dir, 'after-retention.db');
    await backupDatabase(w.config.DATABASE_PATH, backup);
    expect(found(filesOf(backup), old)).toEqual([]);
    expect(found(filesOf(backup), other)).toEqual([]);
  });

  it('a backup holds none of them even when the file still does (a database written before secure_delete was on)', async () => {
    const s = subject('DDDD');
    w.db.$client.pragma('secure_delete = OFF'); // as the service ran before this version
    try {
      const id = await workedCase(s);
      expect((await w.post(`/v1/cases/${id}/erase`, w.tokens.admin)).statusCode).toBe(200);
      expect(found(filesOf(w.config.DATABASE_PATH), s).length, 'left in freed space of the file').toBeGreaterThan(0);
    } finally {
      w.db.$client.pragma('secure_delete = ON');
    }
    // VACUUM INTO copies live rows into a fresh file: no freed space comes along (a page-by-page copy would carry it).
    const backup = path.join(dir, 'old-file.db');
    await backupDatabase(w.config.DATABASE_PATH, backup);
    expect(found(filesOf(backup), s)).toEqual([]);
  });
});
