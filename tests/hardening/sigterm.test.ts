import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { inquiry } from '../helpers/app.js';
import { exited, freePort, spawnService, waitReady } from '../helpers/server.js';

/**
 * Graceful shutdown: the real server gets SIGTERM while several inquiries are in flight (their bodies only
 * half sent). It stops taking new connections, finishes every one of them with 201, and exits 0.
 */
const IN_FLIGHT = 5;

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request on its own keep-alive connection; resolves with status and body. */
function request(agent: http.Agent, port: number, method: string, pathname: string, body?: string, onOpen?: (req: http.ClientRequest) => void) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    if (onOpen) onOpen(req);
    else req.end(body);
  });
}

describe('graceful shutdown on SIGTERM', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-sigterm-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (child) await exited(child);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`finishes ${IN_FLIGHT} in-flight inquiries with 201 and exits 0`, async () => {
    const port = await freePort();
    const databasePath = path.join(dir, 'sigterm.db');
    // Logging on: the test reads what the service says while it shuts down.
    const server = spawnService(port, { DATABASE_PATH: databasePath, LOG_LEVEL: 'info' });
    child = server;
    await waitReady(`http://127.0.0.1:${port}`, server);

    // Open IN_FLIGHT connections (each proven accepted by a first answer), then start a post on each and send half its body.
    const agents = Array.from({ length: IN_FLIGHT }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    for (const agent of agents) expect((await request(agent, port, 'GET', '/health/live')).status).toBe(200);
    const bodies = agents.map((_, i) => JSON.stringify(inquiry({ county: 'SE-M', message: `Vi behöver ett lån för en ny maskin (${i}).` })));
    const open: http.ClientRequest[] = [];
    const answers = agents.map((agent, i) => request(agent, port, 'POST', '/v1/inquiries', bodies[i], (req) => {
      req.write(bodies[i]!.slice(0, 40));
      open.push(req);
    }));
    await settle(300); // let the server read the headers and first bytes: these requests are now in flight

    server.kill('SIGTERM');
    await settle(300); // the server is closing now: no new connections
    const refused = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(refused);

    // The rest of each body: every in-flight inquiry is answered and stored.
    open.forEach((req, i) => req.end(bodies[i]!.slice(40)));
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(Array(IN_FLIGHT).fill(201));
    for (const agent of agents) agent.destroy();

    await exited(server);
    expect(server.exitCode).toBe(0);
    expect(server.output()).toMatch(/finishing in-flight requests/);

    const db = openDatabase(databasePath);
    try {
      const ids = results.map((r) => (JSON.parse(r.body) as { id: string }).id);
      const stored = db.$client.prepare(`SELECT COUNT(*) AS n FROM inquiries WHERE id IN (${ids.map(() => '?').join(',')})`).get(...ids) as { n: number };
      expect(stored.n).toBe(IN_FLIGHT);
    } finally {
      db.$client.close();
    }
  }, 60_000);
});
