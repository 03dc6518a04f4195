import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inquiry } from '../helpers/app.js';
import { freePort } from '../helpers/server.js';

/**
 * Issue 15, points 19 and 20: `npm run build` makes a dist/ that starts, laid out exactly as the image's runtime
 * stage has it (package.json, node_modules, dist/, migrations/; no src/, no TypeScript), started with the
 * Dockerfile's own CMD and checked with its own HEALTHCHECK command, in production mode.
 */
const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

/** The exec-form JSON array of a Dockerfile instruction (CMD, or HEALTHCHECK's CMD after its options). */
function execForm(instruction: 'CMD' | 'HEALTHCHECK'): string[] {
  const joined = DOCKERFILE.replace(/\\\n\s*/g, ' ');
  const line = joined.split('\n').filter((l) => l.startsWith(`${instruction} `)).at(-1);
  if (!line) throw new Error(`no ${instruction} in the Dockerfile`);
  return JSON.parse(line.slice(line.indexOf('['))) as string[];
}

describe('the compiled build, as the image runs it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-build-'));
  let child: ChildProcess | undefined;
  let output = '';
  let port = 0;
  let base = '';

  beforeAll(async () => {
    // The runtime stage's files: package.json, node_modules (linked), dist/ built here, migrations/.
    await exec(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), path.join(dir, 'dist')], { cwd: ROOT });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    fs.cpSync(path.join(ROOT, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const [command, ...args] = execForm('CMD');
    expect(command).toBe('node');
    child = spawn(process.execPath, args, {
      cwd: dir, // the image's WORKDIR
      env: {
        PATH: process.env.PATH, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATABASE_PATH: path.join(dir, 'data', 'db.sqlite'),
        PUBLIC_BASE_URL: 'https://endorrin.example', RESEARCH_PSEUDONYM_SECRET: 'k'.repeat(32), ORG_KEY_SECRET: 'o'.repeat(32), LOG_LEVEL: 'info', DEADLINE_SWEEP_INTERVAL_MS: '0', RETENTION_SWEEP_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
    const server = child;
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error(`the compiled server exited: ${output}`);
      if (i > 200) throw new Error(`the compiled server was not ready within 20 s: ${output}`);
      if (await fetch(`${base}/health/live`).then((r) => r.ok, () => false)) break;
      await settle(100);
    }
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    if (child) await exited(child);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds JavaScript and the data files, and no TypeScript', () => {
    const files = fs.readdirSync(path.join(dir, 'dist'), { recursive: true }) as string[];
    expect(files).toContain('server.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    for (const data of ['reference/data/counties.csv', 'classification/knowledge/topics.json', 'pages/assets/site.css']) {
      expect(files).toContain(data.split('/').join(path.sep));
    }
  });

  it('imports only production dependencies (the image has no dev dependencies)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const used = new Set<string>();
    for (const file of fs.readdirSync(path.join(dir, 'dist'), { recursive: true }) as string[]) {
      if (!file.endsWith('.js')) continue;
      const code = fs.readFileSync(path.join(dir, 'dist', file), 'utf8');
      for (const [, spec] of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (!spec || spec.startsWith('.') || spec.startsWith('node:')) continue;
        used.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it('starts in production mode, migrated, and passes the Dockerfile HEALTHCHECK', async () => {
    const [command, ...args] = execForm('HEALTHCHECK');
    expect(command).toBe('node');
    const healthy = await exec(process.execPath, args, { env: { PATH: process.env.PATH, PORT: String(port) } }).then(() => true, () => false);
    expect(healthy).toBe(true);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    // The same check against a port where nothing listens fails: the command can tell.
    const other = await freePort();
    const unhealthy = await exec(process.execPath, args, { env: { PATH: process.env.PATH, PORT: String(other) } }).then(() => true, () => false);
    expect(unhealthy).toBe(false);
  });

  it('serves an inquiry end to end from the compiled code (reference data, classification, routing, history)', async () => {
    const res = await fetch(`${base}/v1/inquiries`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(inquiry({ county: 'SE-M', message: 'Vi vill låna pengar för att köpa en ny maskin och växa.' })),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = await res.json() as { statusUrl?: string; routing?: unknown };
    expect(JSON.stringify(body)).toMatch(/https:\/\/endorrin\.example\/v1\/status\//);
    const form = await fetch(`${base}/forms/skane`);
    expect(form.status).toBe(200);
    const css = (await form.text()).match(/\/assets\/site\.[0-9a-f]+\.css/)?.[0];
    expect(css).toBeDefined();
    expect((await fetch(`${base}${css}`)).status).toBe(200);
  });

  it('keeps /docs off and /metrics closed in production', async () => {
    expect((await fetch(`${base}/docs`)).status).toBe(404);
    expect((await fetch(`${base}/docs/json`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
  });
});
