/// <reference lib="dom" />
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inquiry } from '../helpers/app.js';
import { axe, CHROMIUM, openBrowser, screenshot, serious, startServer, tabTo, watch } from './browser.js';

/**
 * The pages in a real browser (Debian's Chromium, headless) against the real server on loopback: the form
 * with the keyboard only, its receipt, the status page open and closed with the follow-up questions, the
 * dashboard after signing in; the form and the status page again with JavaScript off; axe-core on every
 * page and state (no serious or critical violation), and no CSP refusal or script error on any page.
 */
const HOUR = 3_600_000;
const available = fs.existsSync(CHROMIUM);

describe('pages in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    // Never skipped: a missing browser fails here, loudly (.ci/run installs it: apt-get install -y chromium).
    if (!available) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    server = await startServer();
  }, 60_000);
  afterAll(async () => { await server?.close(); });

  const expectAccessible = async (page: import('playwright-core').Page, state: string) => {
    const violations = serious(await axe(page));
    expect(violations.map((v) => `${state}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`)).toEqual([]);
  };

  it('form with the keyboard only → receipt → status page open → closed with follow-up → thanks; dashboard after sign-in', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const problems = watch(page);

      // The empty form.
      await page.goto(`${server.base}/forms/skane`);
      expect(await page.getAttribute('html', 'lang')).toBe('sv');
      expect(await page.textContent('h1')).toContain('Skåne');
      await expectAccessible(page, 'empty form');
      await screenshot(page, 'form');

      // Sent empty with the keyboard: the browser's checks, shown the page's way.
      await tabTo(page, 'f-company-name');
      await tabTo(page, 'inquiry-form-submit');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#error-summary');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      expect(await page.textContent('#error-summary')).toContain('Skriv företagets namn');
      expect(await page.getAttribute('#f-contact-email', 'aria-describedby')).toContain('f-contact-email-error');
      expect(await page.getAttribute('#f-contact-email', 'aria-invalid')).toBe('true');
      await expectAccessible(page, 'form with errors');
      await screenshot(page, 'form-errors');

      // Filled in with the keyboard only.
      await tabTo(page, 'f-company-name');
      await page.keyboard.type('Snickeri i Växjö AB');
      await page.keyboard.press('Tab');
      await page.keyboard.type('556036-0794'); // wrong check digit: caught in the browser
      await page.keyboard.press('Tab');
      await page.keyboard.type('12');
      await tabTo(page, 'f-contact-name');
      await page.keyboard.type('Anna Andersson');
      await page.keyboard.press('Tab');
      await page.keyboard.type('anna@example.se');
      await tabTo(page, 'f-message');
      await page.keyboard.type('Hej! Vi har fått en order från Kenya. Kunden vill betala 120 dagar efter leverans – hur skyddar vi oss mot att inte få betalt?');
      await page.waitForSelector('#routing-preview:not([hidden])');
      expect(await page.textContent('#routing-preview')).toMatch(/Din fråga går troligen till .+/);
      await tabTo(page, 'f-consent');
      await page.keyboard.press('Space');
      await tabTo(page, 'inquiry-form-submit');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#f-company-orgNumber-error');
      expect(page.url()).toContain('/forms/skane'); // not sent
      await tabTo(page, 'f-company-orgNumber');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('556036-0793');
      await tabTo(page, 'inquiry-form-submit');
      await Promise.all([page.waitForURL(/\/receipt/), page.keyboard.press('Enter')]);

      // The receipt: reference, who contacts by when, the status link.
      const receipt = await page.textContent('main');
      expect(receipt).toMatch(/REC-2026-\d{6}/);
      expect(receipt).toMatch(/kontaktar er senast torsdag 26 november kl\. 09\.00/);
      await expectAccessible(page, 'receipt');
      await screenshot(page, 'receipt');
      const statusUrl = (await page.getAttribute('#status-link', 'href'))!;
      expect(statusUrl.startsWith(`${server.base}/v1/status/`)).toBe(true);
      expect((server.db.$client.prepare('SELECT COUNT(*) AS n FROM inquiries').get() as { n: number }).n).toBe(1);

      // The status page, open.
      const response = await page.goto(statusUrl);
      expect(response!.headers()['content-type']).toMatch(/text\/html/);
      expect(response!.headers()['cache-control']).toBe('no-store');
      expect(response!.headers()['referrer-policy']).toBe('no-referrer');
      expect(await page.textContent('main')).toMatch(/i Skåne kontaktar er senast torsdag 26 november kl\. 09\.00/);
      await expectAccessible(page, 'status open');
      await screenshot(page, 'status-open');

      // A caseworker contacts the company and closes the case (through the API).
      const id = (server.db.$client.prepare('SELECT id, assigned_actor_id AS actor FROM inquiries').get() as { id: string; actor: string });
      const { token } = server.app.apiKeys.create({ role: 'caseworker', label: 'CRM', actorId: id.actor }, 'test');
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      server.clock.advance(2 * HOUR);
      for (const [action, payload] of [['first-contact', { channel: 'phone', note: 'Ringde Anna, hemligt' }], ['close', { outcome: 'helped' }]] as const) {
        const r = await server.app.inject({ method: 'POST', url: `/v1/cases/${id.id}/${action}`, headers: auth, payload });
        expect(r.statusCode).toBe(200);
      }
      await page.reload();
      const closed = (await page.textContent('main'))!;
      expect(closed).toContain('Ärendet avslutades');
      expect(closed).not.toContain('hemligt'); // never anything a caseworker wrote
      await expectAccessible(page, 'status closed');
      await screenshot(page, 'status-closed');

      // The follow-up's two questions, answered with the keyboard (Space picks a radio, arrows move within a question), once.
      await tabTo(page, 'rightActorInTime');
      await page.keyboard.press('Space');
      await tabTo(page, 'gotHelp');
      await page.keyboard.press('ArrowDown'); // yes → partly
      await tabTo(page, 'comment');
      await page.keyboard.type('Snabbt och bra.');
      await page.keyboard.press('Tab');
      await Promise.all([page.waitForURL(/\/thanks/), page.keyboard.press('Enter')]);
      expect(await page.textContent('h1')).toBe('Tack för era svar');
      await expectAccessible(page, 'thanks');
      await page.goto(statusUrl);
      expect(await page.textContent('main')).toContain('Tack! Ni svarade');
      expect(await page.locator('input[name=rightActorInTime]').count()).toBe(0);
      expect(server.db.$client.prepare('SELECT right_actor_in_time AS rightActor, answer AS help, comment FROM case_feedback').all())
        .toEqual([{ rightActor: 'yes', help: 'partly', comment: 'Snabbt och bra.' }]);

      // Referrals between actors, through the API as a CRM would: three loan questions in Halland go to Almi, which
      // claims each; two it refers to Enterprise Europe Network as misrouted, one it helps (first contact) and refers to
      // Business Sweden for an additional need.
      const almi = server.app.apiKeys.create({ role: 'caseworker', label: 'Almi CRM', actorId: 'almi' }, 'test').token;
      const almiAuth = { authorization: `Bearer ${almi}`, 'content-type': 'application/json' };
      const referrals = [
        { toActor: 'een', kind: 'misrouted', reason: 'EU-regler för maskinen, inte ett lån' },
        { toActor: 'een', kind: 'misrouted', reason: 'Frågar om CE-märkning' },
        { toActor: 'business-sweden', kind: 'additional-need', reason: 'Lånet ordnat; vill också hitta köpare i Tyskland' },
      ];
      for (const referral of referrals) {
        const created = await server.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Halland' }) });
        expect(created.statusCode).toBe(201);
        const caseId = created.json().id as string;
        const steps: [string, object | undefined][] = [['claim', undefined], ...(referral.kind === 'additional-need' ? [['first-contact', { channel: 'phone' }] as [string, object]] : []), ['refer', referral]];
        for (const [action, payload] of steps) {
          const r = await server.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/${action}`, headers: payload ? almiAuth : { authorization: almiAuth.authorization }, ...(payload ? { payload } : {}) });
          expect(r.statusCode, `${action}: ${r.body}`).toBe(200);
        }
      }

      // The dashboard: sign in with an analyst key, see charts and tables from these inquiries.
      server.clock.advance(HOUR);
      const analyst = server.app.apiKeys.create({ role: 'analyst', label: 'Tillväxtverket analys' }, 'test').token;
      await page.goto(`${server.base}/dashboard`);
      expect(page.url()).toContain('/dashboard/sign-in');
      await expectAccessible(page, 'sign-in');
      await screenshot(page, 'sign-in');
      await tabTo(page, 'key');
      await page.keyboard.type(analyst);
      await Promise.all([page.waitForURL(/\/dashboard$/), page.keyboard.press('Enter')]);
      expect(await page.locator('svg[role=img]').count()).toBeGreaterThanOrEqual(6);
      const countyTable = page.locator('#section-county table');
      expect(await countyTable.textContent()).toMatch(/Skåne län\s*1\s*1\s*0\s*0\s*1\s*100 %/);
      expect(await page.textContent('.figures')).toContain('100 %');
      await expectAccessible(page, 'dashboard');

      // The referral matrix: a chart with its accessible name, the table (rows from, columns to) and the CSV download.
      const matrixChart = page.getByRole('img', { name: /^Hänvisningar mellan aktörer 3 hänvisningar mellan aktörer i 2 par/ });
      expect(await matrixChart.count()).toBe(1);
      const cells = (selector: string) => page.$$eval(selector, (rows) => rows.map((row) => Array.from(row.children).map((c) => (c as HTMLElement).innerText.replace(/\s+/g, ' ').trim())));
      expect(await cells('#section-referral-matrix thead tr')).toEqual([
        ['Från aktör', 'Till Business Sweden', 'Till Enterprise Europe Network', 'Totalt', 'Felriktade', 'Ytterligare behov', 'Andel felriktade'],
      ]);
      expect(await cells('#section-referral-matrix tbody tr')).toEqual([['Almi', '1', '2 varav 2 felriktade', '3', '2', '1', '66,7 %']]);
      expect(await cells('#section-referral-matrix tfoot tr')).toEqual([['Totalt', '1', '2 varav 2 felriktade', '3', '2', '1', '66,7 %']]);
      expect(await page.getAttribute('#section-referral-matrix th:text-is("Almi")', 'scope')).toBe('row');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#section-referral-matrix a[download]')]);
      expect(download.suggestedFilename()).toMatch(/^referral-matrix-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      expect(fs.readFileSync((await download.path())!, 'utf8')).toBe('\uFEFFFrån aktör;Till aktör;Totalt;Felriktade;Ytterligare behov;Okänt slag;Andel felriktade\r\n'
        + 'Almi;Business Sweden;1;0;1;0;0\r\nAlmi;Enterprise Europe Network;2;2;0;0;1\r\n');

      // The same dashboard in English, with the same matrix, and accessible too.
      await page.goto(`${server.base}/dashboard?lang=en`);
      expect(await page.getByRole('img', { name: /^Referrals between actors 3 referrals between actors in 2 pairs/ }).count()).toBe(1);
      expect(await cells('#section-referral-matrix tbody tr')).toEqual([['Almi', '1', '2 of which 2 misrouted', '3', '2', '1', '66.7%']]);
      await expectAccessible(page, 'dashboard in English');
      await page.goto(`${server.base}/dashboard`);

      await page.setViewportSize({ width: 1400, height: 900 });
      await expectAccessible(page, 'dashboard, wide');
      await screenshot(page, 'dashboard');

      // The session cookie and what the browser keeps: never the key.
      const cookies = await browser.context.cookies();
      const session = cookies.find((c) => c.name === 'edi_dashboard')!;
      expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/dashboard' });
      expect(JSON.stringify(cookies)).not.toContain(analyst.slice('edi_'.length + 16 + 1)); // the secret (base64url, may itself hold '_')
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      expect(stored).not.toContain('edi_');

      // A chart's CSV, with the session.
      const csvHref = (await page.getAttribute('#section-county a[download]', 'href'))!;
      const csv = await page.request.get(`${server.base}${csvHref}`);
      expect(csv.headers()['content-type']).toMatch(/text\/csv/);
      // Halland's three referred loan questions: the one Almi helped was reached in time, the two misrouted are still within their deadline.
      expect(await csv.text()).toMatch(/^\uFEFFLän;Inkomna;.*\r\nSkåne län;1;1;0;0;1;1\r\nHallands län;3;1;0;0;1;1\r\n$/s);

      // Sign out: the session is gone.
      await tabTo(page, 'sign-out');
      await Promise.all([page.waitForURL(/sign-in\?signedOut=1/), page.keyboard.press('Enter')]);
      await page.goto(`${server.base}/dashboard`);
      expect(page.url()).toContain('/dashboard/sign-in');

      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('works with JavaScript off: the form with the server\'s errors beside their fields, the receipt, the status page', async () => {
    const browser = await openBrowser({ javaScript: false, locale: 'en-GB' });
    try {
      const page = await browser.context.newPage();
      const problems = watch(page);
      await page.goto(`${server.base}/forms/SE-N`);
      expect(await page.getAttribute('html', 'lang')).toBe('en'); // Accept-Language
      await page.fill('#f-company-name', 'Halmstad Verktyg AB');
      await page.fill('#f-company-orgNumber', '556036-0794'); // passes the pattern; only the server checks the digit
      await page.fill('#f-contact-name', 'Erik Svensson');
      await page.fill('#f-contact-email', 'erik@example.se');
      await page.fill('#f-message', 'We need CE marking for a machine we want to sell in Germany. Which EU rules apply?');
      await page.check('#f-consent');
      await Promise.all([page.waitForLoadState('load'), page.click('#inquiry-form-submit')]);
      expect(await page.title()).toMatch(/^Error: /);
      expect(await page.textContent('#error-summary')).toContain('Enter a valid ten-digit organisation number');
      expect(await page.textContent('#f-company-orgNumber-error')).toContain('organisation number');
      expect(await page.getAttribute('#f-company-orgNumber', 'aria-describedby')).toContain('f-company-orgNumber-error');
      expect(await page.inputValue('#f-contact-email')).toBe('erik@example.se'); // kept
      await expectAccessibleNoScript(page);
      await screenshot(page, 'form-server-errors');

      await page.fill('#f-company-orgNumber', '556036-0793');
      await page.check('#f-consent');
      await Promise.all([page.waitForURL(/\/receipt/), page.click('#inquiry-form-submit')]);
      expect(await page.textContent('main')).toMatch(/in Halland will contact you by Thursday 26 November at \d\d:\d\d/);
      await page.click('#status-link');
      await page.waitForURL(/\/v1\/status\/[^/]+$/);
      expect(await page.textContent('h1')).toBe('Your case');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.click('text=På svenska');
      expect(await page.getAttribute('html', 'lang')).toBe('sv');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }

    // axe needs script to run: the same server-rendered state in a browser with script, posted past its checks.
    async function expectAccessibleNoScript(_page: import('playwright-core').Page) {
      const other = await openBrowser({ locale: 'en-GB' });
      try {
        const p = await other.context.newPage();
        await p.goto(`${server.base}/forms/SE-N`);
        await p.fill('#f-company-name', 'Halmstad Verktyg AB');
        await p.fill('#f-company-orgNumber', '556036-0794');
        await Promise.all([p.waitForURL(/\/forms\/SE-N/), p.waitForLoadState('load'), p.evaluate(() => (document.getElementById('inquiry-form') as HTMLFormElement).submit())]);
        await p.waitForSelector('#f-company-orgNumber-error');
        const violations = serious(await axe(p));
        expect(violations.map((v) => `form with server errors: ${v.id} ${v.help}`)).toEqual([]);
      } finally {
        await other.close();
      }
    }
  }, 120_000);
});
