import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

/** The company's status page at its status link: content negotiation, words, headers, the follow-up once. */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const HOUR = 3_600_000;
const form = (o: Record<string, string>) => ({ payload: new URLSearchParams(o).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('status page', () => {
  let t: TestApp;
  let caseworker: string;
  beforeAll(async () => {
    t = await buildTestApp();
    caseworker = t.app.apiKeys.create({ role: 'caseworker', label: 'CRM', actorId: 'een' }, 'test').token;
  });
  afterAll(async () => { await t.close(); });

  async function submit(overrides: Record<string, unknown> = {}) {
    const r = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry(overrides) });
    expect(r.statusCode).toBe(201);
    return { id: r.json().id as string, path: new URL(r.json().statusUrl).pathname };
  }
  const page = (url: string, accept = BROWSER, extra: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { accept, ...extra } });
  const act = (id: string, action: string, payload: object) =>
    t.app.inject({ method: 'POST', url: `/v1/cases/${id}/${action}`, headers: { authorization: `Bearer ${caseworker}` }, payload });

  it('answers browsers with the page and every other client with the JSON as before', async () => {
    const { path } = await submit({ county: 'Skåne' });
    const json = await page(path, 'application/json');
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json()).toMatchObject({ reference: expect.stringMatching(/^REC-/), status: 'assigned' });
    expect(String(json.headers['content-security-policy'])).toMatch(/default-src 'none'/); // the API's headers, untouched
    expect(json.headers.vary).toMatch(/accept/i); // one URL, two representations
    for (const accept of ['*/*', 'application/json, text/html;q=0.5']) {
      expect((await page(path, accept)).headers['content-type']).toMatch(/^application\/json/);
    }
    expect((await t.app.inject({ method: 'GET', url: path })).headers['content-type']).toMatch(/^application\/json/);

    const html = await page(path);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['cache-control']).toBe('no-store');
    expect(html.headers['referrer-policy']).toBe('no-referrer');
    expect(html.headers.vary).toMatch(/accept/);
    const csp = String(html.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(html.body).toMatch(/<html lang="sv">/);
    expect(html.body).toContain('Almi i Skåne kontaktar er senast torsdag 26 november kl. 09.00.');
    expect(html.body).not.toMatch(/<script/);
  });

  it("speaks the inquiry's language; ?lang= switches", async () => {
    const { path } = await submit({ county: 'Skåne', language: 'en', message: 'We need a loan to buy a new machine for production.' });
    const en = await page(path);
    expect(en.body).toMatch(/<html lang="en">/);
    expect(en.body).toContain('Almi in Skåne will contact you by Thursday 26 November at 09:00.');
    const sv = await page(`${path}?lang=sv`);
    expect(sv.body).toMatch(/<html lang="sv">/);
    expect(sv.body).toContain(`href="${path}?lang=en"`);
  });

  it('says who else offers a similar service, with links that send no referrer', async () => {
    const { path } = await submit({ county: 'SE-O', message: 'Vi söker en partner i Europa, helst i Tyskland, för att licensiera vår teknik.' });
    const body = (await page(path)).body;
    expect(body).toContain('Andra som erbjuder liknande tjänster');
    expect(body).toMatch(/<a href="https:\/\/www\.business-sweden\.com" rel="noopener noreferrer"[^>]*>Business Sweden<\/a>/);
  });

  it('says what happens in triage, and when the deadline has passed', async () => {
    const { path } = await submit({ county: 'Dalarna', message: 'Hej' });
    expect((await page(path)).body).toContain('Exportcentret i Dalarna går igenom er fråga. Rätt organisation kontaktar er senast torsdag 26 november kl. 09.00.');
    t.clock.advance(30 * HOUR);
    const late = (await page(path)).body;
    expect(late).toContain('Det har tagit längre tid än vi lovade: exportcentret i Dalarna skulle ha kontaktat er senast torsdag 26 november kl. 09.00.');
    t.clock.advance(-30 * HOUR);
  });

  it('shows milestones, never what caseworkers wrote, and offers the follow-up once the case is closed', async () => {
    const { id, path } = await submit({ county: 'SE-O', message: 'Vi söker en partner i Europa, helst i Tyskland, för att licensiera vår teknik.' });
    expect((await page(path)).body).not.toContain('name="rightActorInTime"');
    t.clock.advance(HOUR);
    expect((await act(id, 'first-contact', { channel: 'phone', note: 'Anteckning: ring tillbaka på 070-999' })).statusCode).toBe(200);
    expect((await act(id, 'close', { outcome: 'helped', note: 'Stängt, privat anteckning' })).statusCode).toBe(200);
    const closed = (await page(path)).body;
    expect(closed).not.toContain('Anteckning');
    expect(closed).not.toContain('privat anteckning');
    expect(closed).toContain('Ni fick första kontakt onsdag 25 november kl. 10.00.');
    expect(closed).toContain('Första kontakt');
    expect(closed).toMatch(/<form method="post" action="\/v1\/status\/[^"]+\/follow-up"/);
    // The two questions of the company's follow-up (contract 3), kept apart, and the comment.
    expect(closed).toContain('<legend>Kom ni i kontakt med rätt organisation inom en arbetsdag?</legend>');
    expect(closed).toContain('<legend>Fick ni den hjälp ni behövde?</legend>');
    expect(closed).toMatch(/name="rightActorInTime" value="unsure" id="rightActorInTime-unsure"[^>]*><label for="rightActorInTime-unsure">Vet inte<\/label>/);
    expect(closed).toMatch(/name="gotHelp" value="partly" id="gotHelp-partly"[^>]*><label for="gotHelp-partly">Delvis<\/label>/);

    // One question left unanswered: the error at the top and beside that question; the other answer and the comment kept.
    const missing = await t.app.inject({ method: 'POST', url: `${path}/follow-up`, ...form({ gotHelp: 'partly', comment: 'Bra' }) });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('class="error-summary"');
    expect(missing.body).toContain('<a href="#rightActorInTime">Välj ett svar</a>');
    expect(missing.body).not.toContain('<a href="#gotHelp">');
    expect(missing.body).toMatch(/<fieldset aria-describedby="rightActorInTime-error">/);
    expect(missing.body).toMatch(/name="gotHelp" value="partly" id="gotHelp-partly" checked/);
    expect(missing.body).toContain('>Bra</textarea>'); // kept
    const invalid = await t.app.inject({ method: 'POST', url: `${path}/follow-up`, ...form({ rightActorInTime: 'partly', gotHelp: 'unsure' }) });
    expect(invalid.statusCode).toBe(400); // each question takes only its own answers
    expect(invalid.body).toContain('<a href="#gotHelp">Välj ett svar</a>');
    expect(missing.body).toContain(`href="${path}?lang=en"`); // the language switch leads to the page, not the post

    const answered = await t.app.inject({ method: 'POST', url: `${path}/follow-up`, ...form({ rightActorInTime: 'unsure', gotHelp: 'partly', comment: 'Bra men sent' }) });
    expect(answered.statusCode).toBe(303);
    expect(answered.headers.location).toBe(`${path}/thanks`);
    expect((await page(`${path}/thanks`)).body).toContain('Tack för era svar');
    const again = await t.app.inject({ method: 'POST', url: `${path}/follow-up`, ...form({ rightActorInTime: 'yes', gotHelp: 'yes' }) });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(path);
    const rows = t.db.$client.prepare('SELECT answer, right_actor_in_time AS rightActor, comment FROM case_feedback WHERE inquiry_id = ?').all(id);
    expect(rows).toEqual([{ answer: 'partly', rightActor: 'unsure', comment: 'Bra men sent' }]);
    // The same feedback service as the API: once per case, whichever door the answer came through.
    const token = path.split('/').pop();
    expect((await t.app.inject({ method: 'POST', url: `/v1/status/${token}/feedback`, payload: { rightActorInTime: 'yes', gotHelp: 'yes' } })).statusCode).toBe(409);
    const after = (await page(path)).body;
    expect(after).toContain('Tack! Ni svarade');
    expect(after).not.toContain('name="rightActorInTime"');
    // The JSON view says the same, and the statistics count it.
    expect((await page(path, 'application/json')).json().followUp).toMatchObject({ offered: true, answered: true, answer: { rightActorInTime: 'unsure', gotHelp: 'partly' } });
    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'Analys' }, 'test').token;
    const figures = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-11-01&to=2026-11-30', headers: { authorization: `Bearer ${analyst}` } });
    expect(figures.json().total).toMatchObject({ feedbackResponses: 1, feedbackResponseRate: 1, partlyHelpedRate: 1, helpRate: 0, companyConfirmedRightActorRate: 0 });
  });

  it('an unknown or malformed status link is an HTML 404 for browsers', async () => {
    for (const url of ['/v1/status/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '/v1/status/short']) {
      const r = await page(url);
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain('Sidan finns inte');
    }
    expect((await page('/v1/status/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'application/json')).headers['content-type']).toMatch(/problem\+json/);
  });

  it('the follow-up is not offered, and not taken, before the case is closed', async () => {
    const { path } = await submit({ county: 'Skåne' });
    const early = await t.app.inject({ method: 'POST', url: `${path}/follow-up`, ...form({ rightActorInTime: 'yes', gotHelp: 'yes' }) });
    expect(early.statusCode).toBe(303);
    expect(early.headers.location).toBe(path);
    expect((await page(`${path}/thanks`)).statusCode).toBe(303);
  });
});

describe('pages switched off', () => {
  it('PAGES_ENABLED=false: the status link answers JSON to browsers too, and there is no form or dashboard', async () => {
    const t = await buildTestApp({ PAGES_ENABLED: false });
    try {
      const r = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry() });
      const res = await t.app.inject({ method: 'GET', url: new URL(r.json().statusUrl).pathname, headers: { accept: BROWSER } });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect((await t.app.inject({ method: 'GET', url: '/forms/skane' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/dashboard' })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
