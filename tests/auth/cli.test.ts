import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { run } from '../../src/cli/index.js';

/** The key commands, on a database file the app then serves: once through the real command line, then in-process. */
const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let dbPath: string;

async function spawnCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(path.join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/index.ts', ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_PATH: dbPath },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function cli(...args: string[]): string[] {
  const lines: string[] = [];
  run(args, (line) => lines.push(line));
  return lines;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-cli-'));
  dbPath = path.join(dir, 'cli.db');
  process.env.DATABASE_PATH = dbPath; // what the in-process run() reads through loadConfig
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('npm run cli -- api-keys', () => {
  it('creates the first admin key on a fresh database and prints the token alone on the last line', async () => {
    const created = await spawnCli('api-keys', 'create', '--role', 'admin', '--label', 'First admin');
    expect(created.code).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^edi_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const usage = await spawnCli('api-keys', 'create', '--label', 'x');
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/--role must be one of/);
  }, 60_000);

  it('creates, lists and revokes; the app honours each step', async () => {
    const lines = cli('api-keys', 'create', '--role', 'admin', '--label', 'Second admin');
    const token = lines[lines.length - 1]!;
    expect(token).toMatch(/^edi_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const id = token.split('_')[1]!;
    expect(cli('api-keys', 'create', '--role', 'caseworker', '--actor', 'almi', '--county', 'Skåne', '--county', 'SE-N', '--label', 'Almi south')[0])
      .toMatch(/caseworker .*"Almi south".*actor almi, counties SE-M,SE-N/);
    expect(cli('api-keys', 'create', '--role', 'coordinator', '--all-counties', '--label', 'National')[0]).toMatch(/all counties/);

    const listed = cli('api-keys', 'list').join('\n');
    expect(listed).toContain(id);
    expect(listed).toContain('"Almi south"');
    expect(listed).not.toContain(token.split('_').slice(2).join('_'));

    const t = await buildTestApp({ DATABASE_PATH: dbPath });
    try {
      const use = () => t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: { authorization: `Bearer ${token}` } });
      expect((await use()).statusCode).toBe(200);
      expect(cli('api-keys', 'revoke', id)[0]).toMatch(/^Revoked/);
      expect((await use()).statusCode).toBe(401);
      expect(cli('api-keys', 'list').join('\n')).not.toContain(id);
      expect(cli('api-keys', 'list', '--include-revoked').join('\n')).toContain(id);
    } finally {
      await t.close();
    }
  }, 60_000); // each command opens, migrates and seeds the database: slow on a busy machine

  it('explains what is wrong', () => {
    expect(() => cli('api-keys', 'create', '--role', 'root', '--label', 'x')).toThrow(/--role must be one of/);
    expect(() => cli('api-keys', 'create', '--role', 'admin')).toThrow(/--label is required/);
    expect(() => cli('api-keys', 'create', '--role', 'admin', '--label', 'x', '--bogus')).toThrow(/Unknown option/);
    expect(() => cli('api-keys', 'create', '--role', 'caseworker', '--label', 'x')).toThrow(/body.actorId/);
    expect(() => cli('api-keys', 'create', '--role', 'coordinator', '--label', 'x')).toThrow(/at least one/);
    expect(() => cli('api-keys', 'revoke', '0000000000000000')).toThrow(/No API key/);
    expect(() => cli('api-keys', 'revoke')).toThrow(/one key id/);
    expect(() => cli('nothing')).toThrow(/Usage/);
  });
});
