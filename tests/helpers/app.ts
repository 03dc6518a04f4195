import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db/client.js';
import type { NotificationsOverrides } from '../../src/notifications/plugin.js';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  clock: TestClock;
  close: () => Promise<void>;
}

/** A clock tests can set and move; starts at a Wednesday morning in Stockholm. */
export class TestClock {
  constructor(public now = Date.parse('2026-11-25T08:00:00Z')) {}
  readonly fn = () => this.now;
  set(iso: string) { this.now = Date.parse(iso); }
  advance(ms: number) { this.now += ms; }
}

/** The real app on a fresh SQLite file with the committed migrations, and a fixed clock. */
export async function buildTestApp(overrides: Partial<Config> = {}, options: { logger?: Logger; notifications?: Partial<NotificationsOverrides> } = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-'));
  const config = testConfig({ DATABASE_PATH: path.join(dir, 'test.db'), PUBLIC_BASE_URL: 'https://exportcenter.example', ...overrides });
  const db = openDatabase(config.DATABASE_PATH);
  migrateDatabase(db);
  const clock = new TestClock();
  const app = await buildApp({ config, db, clock: clock.fn, ...(options.logger ? { logger: options.logger } : {}), ...(options.notifications ? { notifications: options.notifications } : {}) });
  await app.ready();
  return {
    app, db, config, clock,
    close: async () => {
      await app.close();
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid intake body; override what a test is about. */
export function inquiry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    company: { name: 'Testbolaget AB', orgNumber: '556036-0793', employees: 12 },
    contact: { name: 'Anna Andersson', email: 'anna@testbolaget.se', phone: '070-123 45 67' },
    message: 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.',
    consent: true,
    ...overrides,
  };
}
