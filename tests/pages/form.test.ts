import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createLogger } from '../../src/plugins/logging.js';

/** The reference form: any county spelling, every intake field, the server's errors by their fields, one inquiry per load. */
const post = (t: TestApp, url: string, fields: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

const valid = (key: string, o: Record<string, string> = {}) => ({
  idempotencyKey: key,
  'company.name': 'Snickeri i Växjö AB', 'company.orgNumber': '556036-0793', 'company.employees': '12',
  'contact.name': 'Anna Andersson', 'contact.email': 'anna@example.se', 'contact.phone': '070-123 45 67',
  subject: 'Betalning från Kenya',
  message: 'Hej! Vi har fått en order från Kenya. Kunden vill betala 120 dagar efter leverans – hur skyddar vi oss?',
  consent: 'yes', website: '',
  ...o,
});
const count = (t: TestApp) => (t.db.$client.prepare('SELECT COUNT(*) AS n FROM inquiries').get() as { n: number }).n;

describe('reference form', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp({ TRUSTED_FORM_ORIGINS: ['https://region.example'] }); });
  afterAll(async () => { await t.close(); });

  it.each(['SE-M', '12', 'skane', 'Skåne län', 'SKANE'])('takes the county in any accepted form: %s', async (county) => {
    const r = await t.app.inject({ method: 'GET', url: `/forms/${encodeURIComponent(county)}` });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h1>Ställ en exportfråga – Skåne</h1>');
    expect(r.body).toContain('<input type="hidden" name="county" value="SE-M">');
    expect(r.body).toContain('<option value="1281">Lund</option>');
    expect(r.body).not.toContain('<option value="0780">'); // only Skåne's municipalities
  });

  it('has every field of the intake contract, the consent text, a honeypot and a fresh idempotency key per load', async () => {
    const a = (await t.app.inject({ method: 'GET', url: '/forms/SE-M' })).body;
    const b = (await t.app.inject({ method: 'GET', url: '/forms/SE-M' })).body;
    for (const name of ['company.name', 'company.orgNumber', 'company.employees', 'contact.name', 'contact.email', 'contact.phone', 'municipality', 'subject', 'message', 'consent', 'website']) {
      expect(a).toContain(`name="${name}"`);
    }
    expect(a).toContain('Vi sparar dem så länge ärendet pågår');
    expect(a).toMatch(/<div class="honeypot" aria-hidden="true">[\s\S]*name="website" value="" tabindex="-1" autocomplete="off"/);
    const key = (html: string) => /name="idempotencyKey" value="([^"]+)"/.exec(html)![1];
    expect(key(a)).not.toBe(key(b));
    // The browser's checks mirror the intake schema.
    expect(a).toMatch(/name="company\.name"[^>]* required maxlength="200"/);
    expect(a).toMatch(/type="email" id="f-contact-email" name="contact\.email"[^>]*required maxlength="254"/);
    expect(a).toMatch(/name="message" rows="8" required maxlength="5000"/);
    expect(a).toMatch(/name="company\.orgNumber"[^>]* pattern="\\s\*\(\\d\{6\}\|\\d\{8\}\)-\?\\d\{4\}\\s\*"/);
    expect(a).toMatch(/name="consent" value="yes" required/);
    expect(a).toMatch(/name="company\.employees"[^>]*min="0" max="1000000" step="1"/);
    // Script only from this origin; framing only by the trusted form origins.
    const r = await t.app.inject({ method: 'GET', url: '/forms/SE-M' });
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/region\.example/);
    expect(r.headers['x-frame-options']).toBeUndefined();
    expect(r.body).toMatch(/<script src="\/assets\/form\.[0-9a-f]{12}\.js" defer><\/script>/);
  });

  it('shows the follow-up over months as its own unticked checkbox, and passes it on only when ticked', async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/forms/SE-M' })).body;
    expect(page).toMatch(/<input type="checkbox" id="f-followUpConsent" name="followUpConsent" value="yes" aria-describedby="follow-up-consent-text">/);
    expect(page).toContain('6, 12 och 24 månader efter att ärendet avslutats');
    const consents = () => (t.db.$client.prepare('SELECT COUNT(*) AS n FROM follow_up_consents').get() as { n: number }).n;
    const before = consents();
    expect((await post(t, '/forms/SE-M', valid('form-follow-up-0'))).statusCode).toBe(303);
    expect(consents()).toBe(before);
    expect((await post(t, '/forms/SE-M', valid('form-follow-up-1', { followUpConsent: 'yes' }))).statusCode).toBe(303);
    expect(consents()).toBe(before + 1);
  });

  it('without a county it asks for the municipality among all 290, grouped by county', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/forms' });
    expect(r.body).toContain('<h1>Ställ en exportfråga</h1>');
    expect(r.body).toMatch(/<select id="f-municipality" name="municipality"[^>]* required/);
    expect(r.body.match(/<optgroup /g)).toHaveLength(21);
    expect(r.body.match(/<option value="\d{4}"/g)).toHaveLength(290);
    const missing = await post(t, '/forms', valid('form-no-municipality-1'));
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('<a href="#f-municipality">Välj kommun</a>');
    const ok = await post(t, '/forms', valid('form-municipality-1', { municipality: '0780' }));
    expect(ok.statusCode).toBe(303);
    const status = await t.app.inject({ method: 'GET', url: ok.headers.location!.replace('/receipt', '') });
    expect(status.json().county).toMatchObject({ code: 'SE-G' });
  });

  it('an unknown county is an HTML 404', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/forms/atlantis' });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
  });

  it('sends through the intake service: a 303 to the receipt, one inquiry however often the same load posts', async () => {
    const before = count(t);
    const first = await post(t, '/forms/SE-M', valid('form-load-0001'));
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toMatch(/^\/v1\/status\/[\w-]{20,}\/receipt$/);
    const second = await post(t, '/forms/SE-M', valid('form-load-0001'));
    expect(second.headers.location).toBe(first.headers.location);
    expect(count(t)).toBe(before + 1);

    const receipt = await t.app.inject({ method: 'GET', url: first.headers.location! });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['cache-control']).toBe('no-store');
    expect(receipt.body).toMatch(/Ärendenummer <span class="reference">REC-2026-\d{6}<\/span>/);
    expect(receipt.body).toContain('kontaktar er senast torsdag 26 november kl. 09.00.');
    const statusPath = first.headers.location!.replace('/receipt', '');
    expect(receipt.body).toContain(`href="https://exportcenter.example${statusPath}"`);
    expect(String(receipt.headers['content-security-policy'])).toMatch(/frame-ancestors 'self' https:\/\/region\.example/);

    // Stored as the form said, in the page's language, through the form channel.
    const row = t.db.$client.prepare("SELECT language, contact_email, employees, subject FROM inquiries WHERE reference = (SELECT MAX(reference) FROM inquiries)").get();
    expect(row).toEqual({ language: 'sv', contact_email: 'anna@example.se', employees: 12, subject: 'Betalning från Kenya' });
    const received = t.db.$client.prepare("SELECT data FROM inquiry_events WHERE type = 'received' ORDER BY at DESC, rowid DESC LIMIT 1").get() as { data: string };
    expect(JSON.parse(received.data).channel).toBe('form');
  });

  it('the same load sent again is one inquiry; with another question it is a second one, never refused', async () => {
    await post(t, '/forms/SE-M', valid('form-load-0002'));
    const before = count(t);
    const again = await post(t, '/forms/SE-M', valid('form-load-0002'));
    expect(again.statusCode).toBe(303);
    expect(count(t)).toBe(before);
    // Anonymous idempotency keys are bound to what was posted (issue 15, item 7), so a form's key can
    // neither be blocked by someone who guessed it nor keep a company from asking another question.
    const other = await post(t, '/forms/SE-M', valid('form-load-0002', { message: 'En helt annan fråga om lån till en maskin.' }));
    expect(other.statusCode).toBe(303);
    expect(count(t)).toBe(before + 1);
  });

  it("shows the server's errors beside their fields, with a summary at the top, keeping what was typed", async () => {
    const r = await post(t, '/forms/SE-M?lang=en', valid('form-load-0003', {
      'company.name': '  ', 'company.orgNumber': '556036-0794', 'contact.email': 'anna(at)example.se', consent: '', message: 'x'.repeat(5001),
    }));
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/<title>Error: Ask an export question – Skåne/);
    const summary = r.body.slice(r.body.indexOf('error-summary'), r.body.indexOf('</ul>'));
    expect([...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1])).toEqual(['f-company-name', 'f-company-orgNumber', 'f-contact-email', 'f-message', 'f-consent']);
    expect(r.body).toContain('<span class="error-message" id="f-contact-email-error"><span class="visually-hidden">Error: </span>Enter an e-mail address in the correct format, like name@company.se</span>');
    expect(r.body).toMatch(/id="f-contact-email" name="contact\.email" value="anna\(at\)example\.se"[^>]* aria-describedby="f-contact-email-error" aria-invalid="true"/);
    expect(r.body).toMatch(/id="f-company-orgNumber"[^>]* aria-describedby="f-company-orgNumber-hint f-company-orgNumber-error"/);
    expect(r.body).toContain('Write at most 5,000 characters');
    expect(r.body).toMatch(/aria-describedby="consent-text f-consent-error"/);
  });

  it('a filled honeypot is refused openly and nothing is stored', async () => {
    const before = count(t);
    const r = await post(t, '/forms/SE-M', valid('form-load-0004', { website: 'https://cheap.example' }));
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('Formuläret kunde inte skickas');
    expect(count(t)).toBe(before);
  });

  it('escapes what was typed', async () => {
    const r = await post(t, '/forms/SE-M', valid('form-load-0005', { 'company.name': '<script>alert(1)</script>', 'contact.email': 'x' }));
    expect(r.body).not.toContain('<script>alert(1)</script>');
    expect(r.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('English by Accept-Language or ?lang=en, Swedish otherwise', async () => {
    const en = await t.app.inject({ method: 'GET', url: '/forms/SE-M', headers: { 'accept-language': 'en-GB,en;q=0.9,sv;q=0.5' } });
    expect(en.body).toMatch(/<html lang="en">/);
    const sv = await t.app.inject({ method: 'GET', url: '/forms/SE-M', headers: { 'accept-language': 'sv-SE,sv;q=0.9,en;q=0.8' } });
    expect(sv.body).toMatch(/<html lang="sv">/);
    const forced = await t.app.inject({ method: 'GET', url: '/forms/SE-M?lang=en', headers: { 'accept-language': 'sv' } });
    expect(forced.body).toMatch(/<html lang="en">/);
    expect(forced.body).toContain('action="/forms/SE-M?lang=en"');
    expect((await t.app.inject({ method: 'GET', url: '/forms/SE-M', headers: { 'accept-language': 'de' } })).body).toMatch(/<html lang="sv">/);
  });

  it('the API itself still refuses form-encoded bodies (415)', async () => {
    const r = await post(t, '/v1/inquiries', valid('form-load-0006'));
    expect(r.statusCode).toBe(415);
  });

  it('serves its assets under fingerprinted names for a year, and answers an unchanged one with 304', async () => {
    const html = (await t.app.inject({ method: 'GET', url: '/forms/SE-M' })).body;
    const css = /href="(\/assets\/site\.[0-9a-f]{12}\.css)"/.exec(html)![1]!;
    const r = await t.app.inject({ method: 'GET', url: css });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/css/);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await t.app.inject({ method: 'GET', url: css, headers: { 'if-none-match': String(r.headers.etag) } })).statusCode).toBe(304);
    expect((await t.app.inject({ method: 'GET', url: '/assets/site.000000000000.css' })).statusCode).toBe(404);
  });
});

describe('reference form, logs', () => {
  it('a form post logs neither what the company wrote nor the status token', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    const t = await buildTestApp({}, { logger: createLogger('trace', sink) });
    try {
      const r = await post(t, '/forms/SE-M', valid('form-log-0001', { 'contact.name': 'Greta Hemlig', 'contact.email': 'greta.hemlig@example.se' }));
      const token = /\/v1\/status\/([^/]+)\/receipt/.exec(r.headers.location!)![1]!;
      await t.app.inject({ method: 'GET', url: r.headers.location! });
      await post(t, '/forms/SE-M', valid('form-log-0002', { 'contact.email': 'greta.hemlig(at)example.se' }));
      const log = lines.join('');
      for (const secret of ['Greta', 'greta.hemlig', '556036', 'Kenya', token]) expect(log).not.toContain(secret);
      expect(log).toContain('/v1/status/[token]/receipt');
    } finally {
      await t.close();
    }
  });
});
