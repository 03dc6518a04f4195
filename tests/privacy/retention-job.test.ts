import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { buildTestApp, inquiry } from '../helpers/app.js';

/** The retention job is wired into the app: started when it is ready (not under NODE_ENV=test), stopped on close. */
describe('the retention job', () => {
  it('erases expired closed cases when the app starts, and leaves the others', async () => {
    const t = await buildTestApp();
    const coord = t.app.apiKeys.create({ role: 'coordinator', label: 'Skåne', counties: ['SE-M'] }, 'test').token;
    const post = (url: string, payload?: object) => t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${coord}` }, ...(payload ? { payload } : {}) });
    const closed = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne' }) })).json().id as string;
    const open = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne' }) })).json().id as string;
    expect((await post(`/v1/cases/${closed}/close`, { outcome: 'withdrawn' })).statusCode).toBe(200);
    const closedAt = t.clock.now;
    await t.app.close();

    // The same database, started as in production with a clock 31 days later and RETENTION_DAYS=30.
    const db = openDatabase(t.config.DATABASE_PATH);
    const app = await buildApp({
      // Production needs the ORG key from outside the database: the key file the first start made beside it.
      config: { ...t.config, NODE_ENV: 'production', ORG_KEY_FILE: `${t.config.DATABASE_PATH}.org-key`, RETENTION_DAYS: 30, RETENTION_SWEEP_INTERVAL_MS: 3_600_000, DEADLINE_SWEEP_INTERVAL_MS: 0 },
      db, clock: () => closedAt + 31 * 86_400_000,
    });
    await app.ready(); // the first run's first batch happens in onReady
    const erasedAt = (id: string) => (db.$client.prepare('SELECT erased_at AS e FROM inquiries WHERE id = ?').get(id) as { e: number | null }).e;
    expect(erasedAt(closed)).toBe(closedAt + 31 * 86_400_000);
    expect(erasedAt(open)).toBeNull();
    const event = db.$client.prepare("SELECT by, data FROM inquiry_events WHERE inquiry_id = ? AND type = 'personal-data-erased'").get(closed) as { by: string; data: string };
    expect(event.by).toBe('system');
    expect(JSON.parse(event.data).reason).toBe('retention');
    await app.close();
    db.$client.close();
    t.db.$client.close();
    fs.rmSync(path.dirname(t.config.DATABASE_PATH), { recursive: true, force: true });
  });
});
