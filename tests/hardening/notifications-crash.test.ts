import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { inquiry } from '../helpers/app.js';
import { exited, freePort, killAll, ROOT, spawnService, waitReady } from '../helpers/server.js';
import { startReceiver, startSmtpServer, until } from '../helpers/notifications.js';

/**
 * Nothing is lost when the process is killed: the real server, with e-mail and a webhook subscription
 * on and slow receivers (so messages are being sent at the moment of the kill), is killed with SIGKILL
 * right after acknowledging a burst of inquiries; restarted on the same file, it delivers every message
 * committed before the kill. What was in flight at the kill is sent again after its lease ran out, with
 * the same id: at least once, and recognisably the same. Loopback only.
 */
const TOTAL = 30;
const LEASE_SECONDS = 15;
const children: ChildProcess[] = [];

/** The service with the dispatcher on its timer as in production (NODE_ENV not 'test'), remembered for afterAll. */
function startServer(port: number, env: Record<string, string>): ChildProcess {
  const child = spawnService(port, {
    NODE_ENV: 'production', RESEARCH_PSEUDONYM_SECRET: 'k'.repeat(32), ORG_KEY_SECRET: 'o'.repeat(32),
    DELIVERY_INTERVAL_MS: '200', DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS), WEBHOOK_ALLOW_PRIVATE: 'true',
    ...env,
  });
  children.push(child);
  return child;
}

describe('notifications survive kill -9', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-outbox-crash-'));
  afterAll(async () => {
    await killAll(children);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers after a restart every message committed before a SIGKILL, the ones in flight again with the same id', async () => {
    const smtp = await startSmtpServer();
    const receiver = await startReceiver();
    const databasePath = path.join(dir, 'outbox-crash.db');
    const env = { DATABASE_PATH: databasePath, SMTP_URL: smtp.url, MAIL_FROM: 'no-reply@exportcentrum.example' };
    try {
      // The first admin key, as an operator makes it (the CLI on the same database file).
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'api-keys', 'create', '--role', 'admin', '--label', 'ops'], {
        cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' }, encoding: 'utf8',
      });
      expect(cli.status, cli.stderr).toBe(0);
      const admin = cli.stdout.trim().split('\n').at(-1)!;

      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const first = startServer(port, env);
      await waitReady(base, first);
      const created = await fetch(`${base}/v1/admin/webhooks`, {
        method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url, events: ['case.assigned'] }),
      });
      expect(created.status).toBe(201);
      receiver.secrets = [(await created.json() as { secret: string }).secret];

      // Slow receivers: at the kill some messages are being sent, others wait their turn.
      receiver.delayMs = 3_000;
      smtp.dataDelayMs = 3_000;
      const acknowledged = new Map<string, string>(); // inquiry id -> the company's address
      let next = 0;
      const worker = async () => {
        while (next < TOTAL) {
          const i = next++;
          const email = `company${i}@example.se`;
          const res = await fetch(`${base}/v1/inquiries`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify(inquiry({ county: 'SE-M', contact: { name: 'Anna Andersson', email } })),
          });
          expect(res.status).toBe(201);
          acknowledged.set((await res.json() as { id: string }).id, email);
        }
      };
      await Promise.all(Array.from({ length: 5 }, worker));
      await until(() => receiver.received.length > 0 && smtp.mails.length > 0, 10_000, 'the first deliveries');
      first.kill('SIGKILL');
      await exited(first);
      expect(first.signalCode).toBe('SIGKILL');
      const beforeKill = { hooks: receiver.received.length, mails: smtp.mails.length };

      // The receivers are fast again; the service comes back on the same file.
      receiver.delayMs = 0;
      smtp.dataDelayMs = 0;
      const second = startServer(port, env);
      await waitReady(base, second);
      const hookedCases = () => new Set(receiver.received.map((h) => h.payload.data.caseId as string));
      const mailedCompanies = () => new Set(smtp.mails.flatMap((m) => m.envelopeTo));
      await until(() => [...acknowledged].every(([id, email]) => hookedCases().has(id) && mailedCompanies().has(email)), LEASE_SECONDS * 1000 + 30_000, 'every message delivered after the restart');

      // At least once, with stable ids: any message seen twice carries the same id both times.
      const idsPerCase = new Map<string, Set<string>>();
      for (const h of receiver.received) idsPerCase.set(h.payload.data.caseId as string, (idsPerCase.get(h.payload.data.caseId as string) ?? new Set()).add(h.id));
      expect([...idsPerCase.values()].every((ids) => ids.size === 1)).toBe(true);
      const idsPerCompany = new Map<string, Set<string>>();
      for (const m of smtp.mails) for (const to of m.envelopeTo) idsPerCompany.set(to, (idsPerCompany.get(to) ?? new Set()).add(m.messageId));
      expect([...idsPerCompany.values()].every((ids) => ids.size === 1)).toBe(true);
      expect(receiver.received.every((h) => h.verifiedWith.length === 1)).toBe(true);
      const duplicates = receiver.received.length - hookedCases().size + smtp.mails.length - mailedCompanies().size;
      // What the receivers had got but not yet answered when the server died was sent again.
      expect(duplicates).toBeGreaterThanOrEqual(2);
      console.log(`outbox crash: ${acknowledged.size} inquiries acknowledged; before the kill ${beforeKill.hooks} webhooks and ${beforeKill.mails} mails received; after the restart all ${acknowledged.size * 2} messages delivered, ${duplicates} sent twice (in flight at the kill, same id)`);

      await until(() => {
        const db = openDatabase(databasePath);
        try {
          return (db.$client.prepare("SELECT COUNT(*) AS n FROM outbox_messages WHERE status <> 'delivered'").get() as { n: number }).n === 0;
        } finally {
          db.$client.close();
        }
      }, 10_000, 'the outbox to record every delivery');
      second.kill('SIGTERM');
      await exited(second);
      expect(second.exitCode).toBe(0);
    } finally {
      await receiver.close();
      await smtp.close();
    }
  }, 120_000);
});
