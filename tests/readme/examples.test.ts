import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/**
 * Every example in the README is run, as written, by bash and the real curl against the real server listening on
 * loopback: the blocks fenced ```sh example. Each curl command there ends in `# → <status> [<JSON>]`: the answer
 * must have that status, and its JSON body must contain the JSON shown (toMatchObject). The variables the
 * examples name (ADMIN, ANALYST, COORDINATOR, RESEARCHER, TOKEN, ID, OTHER_ID, KEY_ID) are set the way the README says to get them; the
 * server's address replaces http://localhost:3000. A curl example outside such a block fails the last test, so a
 * new example cannot go untested by accident.
 */
const README = path.resolve(__dirname, '../../README.md');
const run = promisify(execFile);

interface Block { line: number; info: string; text: string }
interface Expectation { command: string; status: number; body?: unknown }

function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S.*)?$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l === '```');
    found.push({ line: i + 1, info: (open[1] ?? '').trim(), text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

/** The curl commands of a block, continuation lines joined, with the answer each one shows. */
function expectations(block: Block): Expectation[] {
  // A command runs from its `curl` to the next command, blank line or comment line (a quoted body may span lines).
  const commands: string[] = [];
  for (const line of block.text.split('\n')) {
    if (/^curl\s/.test(line.trim())) commands.push(line);
    else if (commands.length && line.trim() !== '' && !line.trim().startsWith('#')) commands[commands.length - 1] += `\n${line}`;
    else if (line.trim() === '' || line.trim().startsWith('#')) commands.push('');
  }
  return commands.filter(Boolean).map((command) => {
    const shown = /# → (\d{3})(?: (\{.*\}))?(?:\s{2,}.*)?$/m.exec(command);
    if (!shown) throw new Error(`README line ${block.line}: the curl example shows no answer ("# → <status> [<JSON>]"): ${command}`);
    return { command, status: Number(shown[1]), ...(shown[2] ? { body: JSON.parse(shown[2]) } : {}) };
  });
}

describe('the README examples', () => {
  let t: TestApp;
  let baseUrl: string;
  let workDir: string;
  const env: Record<string, string> = {};
  const readme = fs.readFileSync(README, 'utf8');
  const examples = blocks(readme).filter((b) => b.info === 'sh example');

  beforeAll(async () => {
    // The webhook example names a receiver on the public internet: the service's DNS check is given a public
    // address for it (nothing is delivered there before the test ends), and the extract needs its pseudonym key.
    t = await buildTestApp({ RESEARCH_PSEUDONYM_SECRET: 'readme-research-key-0123456789-abcdefghij' },
      { notifications: { lookup: async () => [{ address: '93.184.215.14', family: 4 }] } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-examples-'));
    const key = (spec: Parameters<TestApp['app']['apiKeys']['create']>[0]) => t.app.apiKeys.create(spec, 'readme');
    env.ADMIN = key({ role: 'admin', label: 'Ops' }).token;
    env.ANALYST = key({ role: 'analyst', label: 'Analys' }).token;
    env.TOKEN = key({ role: 'caseworker', actorId: 'almi', label: 'Almi CRM' }).token;
    env.COORDINATOR = key({ role: 'coordinator', counties: ['SE-M'], label: 'Region Skåne exportcentrum' }).token;
    env.RESEARCHER = key({ role: 'researcher', label: 'Tillväxtverket analys' }).token;
    env.KEY_ID = key({ role: 'intake', label: 'An old form backend' }).key.id;
    const submit = async () => {
      const r = await t.app.inject({
        method: 'POST', url: '/v1/inquiries',
        payload: {
          company: { name: 'Verkstad i Lund AB', orgNumber: '556036-0793' },
          contact: { name: 'Per Persson', email: 'per@example.se' },
          county: 'Skåne', message: 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.', consent: true,
        },
      });
      expect(r.json()).toMatchObject({ assignedActor: { id: 'almi' } });
      return r.json().id as string;
    };
    env.ID = await submit();
    env.OTHER_ID = await submit();
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('are marked, and each curl command shows its answer', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const block of examples) expect(expectations(block).length, `README line ${block.line}`).toBeGreaterThan(0);
  });

  for (const block of blocks(fs.readFileSync(README, 'utf8')).filter((b) => b.info === 'sh example')) {
    it(`answer as shown (README line ${block.line})`, async () => {
      const shown = expectations(block);
      const out = fs.mkdtempSync(path.join(workDir, 'block-'));
      // curl as written, with its answer kept for the assertions: status, headers and body of call n in out/.
      const prelude = [
        'set -euo pipefail',
        `OUT=${JSON.stringify(out)}; n=0`,
        'curl() { n=$((n+1)); command curl -sS -o "$OUT/body.$n" -D "$OUT/head.$n" -w \'%{http_code}\' "$@" > "$OUT/status.$n"; }',
        'uuidgen() { cat /proc/sys/kernel/random/uuid; }',
      ].join('\n');
      const script = `${prelude}\n${block.text.replaceAll('http://localhost:3000', baseUrl).replaceAll('http://127.0.0.1:3000', baseUrl)}\n`;
      await run('bash', ['-c', script], { cwd: out, env: { ...process.env, ...env }, timeout: 20_000 });
      shown.forEach((expected, i) => {
        const n = i + 1;
        const where = `README line ${block.line}, curl #${n}: ${expected.command.trim().slice(0, 100)}`;
        expect(Number(fs.readFileSync(path.join(out, `status.${n}`), 'utf8')), where).toBe(expected.status);
        if (expected.body !== undefined) {
          expect(JSON.parse(fs.readFileSync(path.join(out, `body.${n}`), 'utf8')), where).toMatchObject(expected.body as object);
        }
      });
      expect(fs.existsSync(path.join(out, `status.${shown.length + 1}`)), 'more curl calls ran than the block shows').toBe(false);
    });
  }

  it('leave no curl example unmarked (only the endless polling script is not run, and bash checks its syntax)', async () => {
    const unmarked = blocks(readme).filter((b) => b.info !== 'sh example' && /^\s*curl\s/m.test(b.text));
    expect(unmarked.map((b) => b.text.split('\n')[0])).toEqual(['#!/usr/bin/env bash']);
    await run('bash', ['-n', '-c', unmarked[0]!.text]);
  });
});
