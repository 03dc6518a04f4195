/// <reference lib="dom" />
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';
import { TestClock } from '../helpers/app.js';
import { freePort } from '../helpers/server.js';

/**
 * The real app listening on loopback, and Debian's Chromium driven by playwright-core (no browser
 * download: the machine's network is closed). `.ci/run` installs chromium when it is missing.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function startServer(overrides: Partial<Config> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-pages-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = testConfig({ DATABASE_PATH: path.join(dir, 'pages.db'), PUBLIC_BASE_URL: base, ...overrides });
  const db = openDatabase(config.DATABASE_PATH);
  migrateDatabase(db);
  const clock = new TestClock();
  const app = await buildApp({ config, db, clock: clock.fn });
  await app.listen({ host: '127.0.0.1', port });
  return {
    app, db, clock, base, dir,
    close: async () => {
      await app.close();
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A browser with a fresh profile of its own; `javaScript: false` for the runs without script. */
export async function openBrowser(o: { javaScript?: boolean; locale?: string } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    javaScriptEnabled: o.javaScript ?? true,
    locale: o.locale ?? 'sv-SE',
    viewport: { width: 1100, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Collects CSP refusals, other console errors and script errors, so a test can assert there were none.
 * A failed form answers 400 on purpose; Chromium logs that as a failed resource, which is not a problem.
 */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 400/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }

/**
 * axe-core on the page as it is, WCAG 2.0/2.1 A and AA rules. Injected through the DevTools protocol
 * (page.evaluate), which the page's CSP does not govern, so the CSP under test stays as strict as served.
 */
export async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return result;
}

export const serious = (violations: AxeViolation[]) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** Screenshots go to docs/screenshots when UPDATE_SCREENSHOTS=1 (then committed and shown in the README), else to a temp folder. */
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'docs', 'screenshots')
  : fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-shots-'));

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Presses Tab until the element with this id has focus: how a keyboard user gets there. */
export async function tabTo(page: Page, id: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((want) => document.activeElement?.id === want, id)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}
