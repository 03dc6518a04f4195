import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';
import { createStatsService } from '../../src/stats/service.js';
import { createReferenceRepository } from '../../src/reference/repository.js';
import { ReferenceService } from '../../src/reference/service.js';
import { Places } from '../../src/reference/places.js';
import { loadKnowledge } from '../../src/classification/knowledge.js';
import type { NewApiKey } from '../../src/auth/service.js';

/** The dashboard: sign-in for a session cookie, CSRF, expiry and revocation, figures scoped like the API, CSV. */
const HOUR = 3_600_000;
const LOAN = 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.';

const cookiesOf = (r: LightMyRequestResponse) => Object.fromEntries(([] as string[]).concat(r.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!.split('=') as [string, string]));

describe('dashboard', () => {
  let t: TestApp;
  const keys: Record<string, { token: string; id: string }> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await buildTestApp();
    const specs: Record<string, NewApiKey> = {
      analyst: { role: 'analyst', label: 'Tillväxtverket analys' },
      coordSkane: { role: 'coordinator', label: 'Region Skåne', counties: ['SE-M'] },
      caseworker: { role: 'caseworker', label: 'Almi CRM', actorId: 'almi' },
      revoked: { role: 'analyst', label: 'Gammal nyckel' },
    };
    for (const [name, spec] of Object.entries(specs)) {
      const { key, token } = t.app.apiKeys.create(spec, 'test');
      keys[name] = { token, id: key.id };
    }
    // Four in Skåne, one in Halland: one contacted in time (2 h), one late (30 h), one left open past its deadline, and
    // one contacted in time (2 h) by Almi, which then referred it on as misrouted: that contact was not the right actor's.
    const submit = async (name: string, county: string) => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county, message: LOAN }) });
      ids[name] = r.json().id;
    };
    await submit('inTime', 'Skåne');
    await submit('late', 'Skåne');
    await submit('open', 'Skåne');
    await submit('misrouted', 'Skåne');
    await submit('halland', 'Halland');
    const contact = (id: string) => t.app.inject({ method: 'POST', url: `/v1/cases/${id}/first-contact`, headers: { authorization: `Bearer ${keys.caseworker!.token}` }, payload: { channel: 'phone' } });
    t.clock.advance(2 * HOUR);
    expect((await contact(ids.inTime!)).statusCode).toBe(200);
    expect((await contact(ids.misrouted!)).statusCode).toBe(200);
    const refer = await t.app.inject({
      method: 'POST', url: `/v1/cases/${ids.misrouted!}/refer`, headers: { authorization: `Bearer ${keys.caseworker!.token}` },
      payload: { toActor: 'een', kind: 'misrouted', reason: 'EU rules, not a loan' },
    });
    expect(refer.statusCode).toBe(200);
    // Almi helped the in-time case and the company also needs Business Sweden: an additional-need referral (the contact still counts).
    const additional = await t.app.inject({
      method: 'POST', url: `/v1/cases/${ids.inTime!}/refer`, headers: { authorization: `Bearer ${keys.caseworker!.token}` },
      payload: { toActor: 'business-sweden', kind: 'additional-need', reason: 'Wants buyers in Germany too' },
    });
    expect(additional.statusCode).toBe(200);
    t.clock.advance(28 * HOUR);
    expect((await contact(ids.late!)).statusCode).toBe(200);
    t.clock.advance(HOUR);
  });
  afterAll(async () => { await t.close(); });

  async function signIn(token: string): Promise<{ cookie: string; csrf: string; response: LightMyRequestResponse }> {
    const form = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
    const csrfCookie = cookiesOf(form).edi_csrf!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const response = await t.app.inject({
      method: 'POST', url: '/dashboard/sign-in', payload: new URLSearchParams({ key: token, _csrf: csrf }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `edi_csrf=${csrfCookie}` },
    });
    const session = cookiesOf(response).edi_dashboard;
    return { cookie: `edi_csrf=${csrfCookie}${session ? `; edi_dashboard=${session}` : ''}`, csrf, response };
  }
  const get = (url: string, cookie: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });

  it('sends anyone without a session to the sign-in page', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/dashboard' });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/dashboard/sign-in');
    const page = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
    expect(page.body).toMatch(/<input type="password" id="key" name="key" required autocomplete="off"/);
    expect(String(page.headers['set-cookie'])).toMatch(/edi_csrf=[^;]+; Path=\/dashboard; HttpOnly; Secure; SameSite=Strict/);
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'none'/);
  });

  it('exchanges an analyst key for an HttpOnly, Secure, SameSite=Strict session cookie that is not the key', async () => {
    const { response } = await signIn(keys.analyst!.token);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/dashboard');
    const set = String(response.headers['set-cookie']);
    expect(set).toMatch(/edi_dashboard=[\w-]{43}; Max-Age=28800; Path=\/dashboard; HttpOnly; Secure; SameSite=Strict/);
    expect(set).not.toContain(keys.analyst!.token.slice('edi_'.length + 16 + 1)); // the secret (base64url, may itself hold '_')
    const stored = t.db.$client.prepare('SELECT id_hash, key_id FROM dashboard_sessions').all() as { id_hash: string; key_id: string }[];
    expect(stored.some((s) => s.key_id === keys.analyst!.id && /^[0-9a-f]{64}$/.test(s.id_hash))).toBe(true);
  });

  it('refuses a post without the CSRF token, a wrong key, and keys of other roles', async () => {
    const form = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
    const csrfCookie = cookiesOf(form).edi_csrf!;
    const noToken = await t.app.inject({
      method: 'POST', url: '/dashboard/sign-in', payload: `key=${keys.analyst!.token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `edi_csrf=${csrfCookie}` },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.headers['content-type']).toMatch(/^text\/html/);
    expect(noToken.body).toContain('Formuläret har gått ut');
    expect(noToken.headers['set-cookie'] ?? '').not.toContain('edi_dashboard');

    const wrong = await signIn('edi_0000000000000000_nope');
    expect(wrong.response.statusCode).toBe(401);
    expect(wrong.response.body).toContain('<a href="#key">Nyckeln är fel eller återkallad</a>');
    expect(wrong.response.body).toMatch(/id="key"[^>]* aria-describedby="key-hint key-error" aria-invalid="true"/);
    expect(wrong.response.body).not.toContain('edi_0000000000000000_nope'); // the key is never echoed

    const caseworker = await signIn(keys.caseworker!.token);
    expect(caseworker.response.statusCode).toBe(403);
    expect(caseworker.response.body).toContain('Nyckeln ger inte tillgång till uppföljningen');
  });

  it('draws charts with tables beside them from the same statistics as the API', async () => {
    const { cookie } = await signIn(keys.analyst!.token);
    const r = await get('/dashboard?from=2026-11-01&to=2026-11-30', cookie);
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.match(/<svg [^>]*role="img"/g)).toHaveLength(8);
    expect(r.body.match(/<table>/g)).toHaveLength(8);
    const api = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-11-01&to=2026-11-30&groupBy=county', headers: { authorization: `Bearer ${keys.analyst!.token}` } });
    const skane = api.json().groups.find((g: { county: string }) => g.county === 'SE-M');
    // The share is the right actor's contact in time: the misrouted case's contact in time counts only as a first response.
    expect(skane).toMatchObject({ received: 4, contactedInTime: 1, contactedLate: 1, openOverdue: 2, firstResponseInTime: 2, complianceRate: 0.25 });
    const county = section(r.body, 'county');
    expect(county).toMatch(/<tr><th scope="row">Skåne län<\/th><td class="num">4<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">2<\/td><td class="num">2<\/td><td class="num">25 %<\/td><\/tr>/);
    expect(county).toMatch(/<rect class="bar below"/); // below the 80 % target
    expect(county).toContain('Mål 80 %');
    const firstContact = section(r.body, 'first-contact');
    expect(firstContact).toMatch(/<th scope="row">under 4 tim<\/th><td class="num">1<\/td>/);
    expect(firstContact).toMatch(/<th scope="row">24–48 tim<\/th><td class="num">1<\/td>/);
    const open = section(r.body, 'open');
    expect(open).toMatch(/<th scope="row">Tidsfristen passerad<\/th><td class="num">3<\/td>/); // Skåne's two and Halland's open cases
    expect(r.body).toContain('<dd>5</dd>'); // received
    expect(r.body).not.toContain('id="section-breached"'); // analysts see no cases
  });

  it("limits a coordinator to its counties, and lists its open cases past the deadline", async () => {
    const { cookie } = await signIn(keys.coordSkane!.token);
    const r = await get('/dashboard?from=2026-11-01&to=2026-11-30', cookie);
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain('Hallands län');
    expect(r.body).toContain('<dd>4</dd>');
    const breached = section(r.body, 'breached');
    const reference = (t.db.$client.prepare('SELECT reference FROM inquiries WHERE id = ?').get(ids.open) as { reference: string }).reference;
    expect(breached).toContain(`<th scope="row">${reference}</th>`);
    expect(breached).not.toContain('Testbolaget'); // no personal data
    // Asking for another county quietly keeps to its own.
    const other = await get('/dashboard?from=2026-11-01&to=2026-11-30&county=SE-N', cookie);
    expect(other.body).not.toContain('Hallands län');
  });

  it('offers each chart as CSV for Swedish spreadsheets', async () => {
    const { cookie } = await signIn(keys.analyst!.token);
    const r = await get('/dashboard/csv/county?from=2026-11-01&to=2026-11-30', cookie);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe('attachment; filename="county-2026-11-01-2026-11-30.csv"');
    expect(r.body).toBe('\uFEFFLän;Inkomna;Rätt aktör i tid;Rätt aktör sent;Utan kontakt efter tidsfristen;Första svar i tid (någon aktör);Andel rätt aktör i tid\r\nSkåne län;4;1;1;2;2;0,25\r\nHallands län;1;0;0;1;0;0\r\n');
    expect((await get('/dashboard/csv/nope?from=2026-11-01&to=2026-11-30', cookie)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/dashboard/csv/county' })).statusCode).toBe(303);
  });

  it('draws the referral matrix (from → to, by kind) from the same report as GET /v1/stats/referrals', async () => {
    const { cookie } = await signIn(keys.analyst!.token);
    const api = await t.app.inject({ method: 'GET', url: '/v1/stats/referrals?from=2026-11-01&to=2026-11-30', headers: { authorization: `Bearer ${keys.analyst!.token}` } });
    expect(api.json().matrix).toEqual([
      { from: 'almi', to: 'business-sweden', kind: 'additional-need', referrals: 1, companies: 1 },
      { from: 'almi', to: 'een', kind: 'misrouted', referrals: 1, companies: 1 },
    ]);
    const r = await get('/dashboard?from=2026-11-01&to=2026-11-30', cookie);
    const matrix = section(r.body, 'referral-matrix');
    expect(matrix).toContain('<h2 id="h-referral-matrix">Hänvisningar mellan aktörer</h2>');
    expect(matrix).toMatch(/<svg [^>]*role="img" aria-labelledby="chart-referral-matrix-title chart-referral-matrix-desc"/);
    expect(matrix).toContain('<title id="chart-referral-matrix-title">Hänvisningar mellan aktörer</title>');
    expect(matrix).toContain('2 hänvisningar mellan aktörer i 2 par (från → till), varav 1 felriktade (50 %).');
    expect(matrix).toContain('<caption>Hänvisningar mellan aktörer, i siffror');
    expect(matrix).toContain('<thead><tr><th scope="col">Från aktör</th><th scope="col" class="num">Till Business Sweden</th><th scope="col" class="num">Till Enterprise Europe Network</th>'
      + '<th scope="col" class="num">Totalt</th><th scope="col" class="num">Felriktade</th><th scope="col" class="num">Ytterligare behov</th><th scope="col" class="num">Andel felriktade</th></tr></thead>');
    expect(matrix).toContain('<tbody><tr><th scope="row">Almi</th><td class="num">1</td><td class="num">1<span class="cell-note">varav 1 felriktade</span></td>'
      + '<td class="num">2</td><td class="num">1</td><td class="num">1</td><td class="num">50 %</td></tr></tbody>');
    expect(matrix).toContain('<tfoot><tr><th scope="row">Totalt</th>');
    expect(matrix).toContain('href="/dashboard/csv/referral-matrix?from=2026-11-01&amp;to=2026-11-30" download>Ladda ned hänvisningarna mellan aktörer som CSV</a>');

    // The actor filter keeps the referrals the actor made or received, as in the API.
    const een = section((await get('/dashboard?from=2026-11-01&to=2026-11-30&actor=een', cookie)).body, 'referral-matrix');
    expect(een).toContain('Till Enterprise Europe Network');
    expect(een).not.toContain('Till Business Sweden');

    // In English, and empty when the period holds no referrals.
    const en = section((await get('/dashboard?from=2026-11-01&to=2026-11-30&lang=en', cookie)).body, 'referral-matrix');
    expect(en).toContain('<h2 id="h-referral-matrix">Referrals between actors</h2>');
    expect(en).toContain('<th scope="col" class="num">To Enterprise Europe Network</th>');
    expect(en).toContain('<span class="cell-note">of which 1 misrouted</span>');
    const empty = section((await get('/dashboard?from=2026-10-01&to=2026-10-31', cookie)).body, 'referral-matrix');
    expect(empty).toContain('<p class="empty">Inga hänvisningar mellan aktörer i urvalet.</p>');
    expect(empty).not.toContain('<svg');
    expect(empty).not.toContain('<table');
  });

  it('offers the referral matrix as CSV, one line per pair with its split by kind', async () => {
    const { cookie } = await signIn(keys.analyst!.token);
    const r = await get('/dashboard/csv/referral-matrix?from=2026-11-01&to=2026-11-30', cookie);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe('attachment; filename="referral-matrix-2026-11-01-2026-11-30.csv"');
    expect(r.body).toBe('\uFEFFFrån aktör;Till aktör;Totalt;Felriktade;Ytterligare behov;Okänt slag;Andel felriktade\r\n'
      + 'Almi;Business Sweden;1;0;1;0;0\r\nAlmi;Enterprise Europe Network;1;1;0;0;1\r\n');
    const en = await get('/dashboard/csv/referral-matrix?from=2026-11-01&to=2026-11-30&lang=en', cookie);
    expect(en.body).toBe('\uFEFFFrom actor;To actor;Total;Misrouted;Additional need;Kind unknown;Share misrouted\r\n'
      + 'Almi;Business Sweden;1;0;1;0;0\r\nAlmi;Enterprise Europe Network;1;1;0;0;1\r\n');
    const empty = await get('/dashboard/csv/referral-matrix?from=2026-10-01&to=2026-10-31', cookie);
    expect(empty.body).toBe('\uFEFFFrån aktör;Till aktör;Totalt;Felriktade;Ytterligare behov;Okänt slag;Andel felriktade\r\n');
    // A coordinator asking for another county quietly keeps to its own (both referrals are Skåne's), as the page does.
    const coord = await signIn(keys.coordSkane!.token);
    expect((await get('/dashboard/csv/referral-matrix?from=2026-11-01&to=2026-11-30&county=SE-N', coord.cookie)).body.split('\r\n')).toHaveLength(4);
    expect((await t.app.inject({ method: 'GET', url: '/dashboard/csv/referral-matrix' })).statusCode).toBe(303);
  });

  it('shows bad dates as errors by their fields', async () => {
    const { cookie } = await signIn(keys.analyst!.token);
    const r = await get('/dashboard?from=2026-13-01&to=2026-11-30', cookie);
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('<a href="#from">Skriv ett datum som ÅÅÅÅ-MM-DD</a>');
    const order = await get('/dashboard?from=2026-12-01&to=2026-11-30', cookie);
    expect(order.body).toContain('Från och med får inte vara efter till och med');
  });

  it('signs out (with CSRF): the session is gone, the old cookie no longer works', async () => {
    const { cookie } = await signIn(keys.analyst!.token);
    const page = await get('/dashboard', cookie);
    const csrf = /<form method="post" action="\/dashboard\/sign-out"><input type="hidden" name="_csrf" value="([^"]+)">/.exec(page.body)![1]!;
    const noToken = await t.app.inject({ method: 'POST', url: '/dashboard/sign-out', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(noToken.statusCode).toBe(403);
    const out = await t.app.inject({ method: 'POST', url: '/dashboard/sign-out', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(csrf)}` });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/dashboard/sign-in?signedOut=1');
    expect(String(out.headers['set-cookie'])).toMatch(/edi_dashboard=;/);
    const after = await get('/dashboard', cookie);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/dashboard/sign-in?expired=1');
  });

  it('ends sessions after 30 idle minutes, after 8 hours however active, and when the key is revoked', async () => {
    const idle = await signIn(keys.analyst!.token);
    t.clock.advance(29 * 60_000);
    expect((await get('/dashboard', idle.cookie)).statusCode).toBe(200); // moves the idle limit on
    t.clock.advance(29 * 60_000);
    expect((await get('/dashboard', idle.cookie)).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await get('/dashboard', idle.cookie)).headers.location).toBe('/dashboard/sign-in?expired=1');

    const busy = await signIn(keys.analyst!.token);
    for (let i = 0; i < 16; i++) {
      t.clock.advance(29 * 60_000);
      expect((await get('/dashboard', busy.cookie)).statusCode).toBe(200);
    }
    t.clock.advance(29 * 60_000); // 8 h 3 min after signing in
    expect((await get('/dashboard', busy.cookie)).statusCode).toBe(303);

    const revoked = await signIn(keys.revoked!.token);
    expect((await get('/dashboard', revoked.cookie)).statusCode).toBe(200);
    t.app.apiKeys.revoke(keys.revoked!.id, 'test');
    expect((await get('/dashboard', revoked.cookie)).statusCode).toBe(303);
  });
});

describe('statistics for the dashboard', () => {
  it('counts open cases by deadline state and first contacts by elapsed hours, within the caller\'s counties', async () => {
    const t = await buildTestApp();
    try {
      const caseworker = t.app.apiKeys.create({ role: 'caseworker', label: 'Almi', actorId: 'almi' }, 'test').token;
      const submit = async (county: string) => (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county, message: LOAN }) })).json().id as string;
      const contacted = [await submit('Skåne'), await submit('Skåne'), await submit('Halland')];
      await submit('Skåne'); // left open
      t.clock.advance(5 * HOUR);
      for (const id of contacted.slice(0, 1)) await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/first-contact`, headers: { authorization: `Bearer ${caseworker}` }, payload: { channel: 'phone' } });
      t.clock.advance(50 * HOUR);
      for (const id of contacted.slice(1)) await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/first-contact`, headers: { authorization: `Bearer ${caseworker}` }, payload: { channel: 'phone' } });
      const knowledge = loadKnowledge();
      const reference = new ReferenceService(createReferenceRepository(t.db), new Places(), knowledge);
      const stats = createStatsService({ db: t.db, clock: t.clock.fn, reference, target: 0.8 });
      const period = { from: '2026-11-01', to: '2026-11-30' };
      const nation = { role: 'analyst' as const, counties: null };
      const only = (...counties: string[]) => ({ role: 'analyst' as const, counties });
      expect(stats.firstContactDistribution(period, nation, [4, 8, 24, 48, 72])).toEqual([0, 1, 0, 0, 2, 0]);
      expect(stats.firstContactDistribution(period, only('SE-N'), [4, 8, 24, 48, 72])).toEqual([0, 0, 0, 0, 1, 0]);
      expect(stats.openByDeadlineState(period, nation)).toEqual({ onTrack: 0, atRisk: 0, breached: 1 });
      t.clock.set('2026-11-25T08:00:00Z');
      await submit('Skåne');
      expect(stats.openByDeadlineState(period, only('SE-M'))).toMatchObject({ onTrack: 2, breached: 0 });
      t.clock.set('2026-11-26T06:00:00Z'); // two hours before both deadlines: at risk (AT_RISK_HOURS=4)
      expect(stats.openByDeadlineState(period, only('SE-M'))).toEqual({ onTrack: 0, atRisk: 2, breached: 0 });
      expect(stats.openByDeadlineState(period, only('SE-N'))).toEqual({ onTrack: 0, atRisk: 0, breached: 0 });
    } finally {
      await t.close();
    }
  });
});

/** The HTML of one dashboard section, by its id. */
function section(body: string, id: string): string {
  const start = body.indexOf(`id="section-${id}"`);
  expect(start).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf('</section>', start));
}

describe('referral matrix model', () => {
  it('keeps imported referrals of unknown kind and unknown actors, sums rows and columns, and writes their CSV', async () => {
    const { referralMatrixOf, referralMatrixCsv } = await import('../../src/pages/dashboard/matrix.js');
    const totals = { referrals: 4, misrouted: 1, additionalNeed: 1, unspecified: 2, referredOutside: 0, inquiriesReferred: 4, companiesReferred: 4 };
    const report = {
      from: '2026-01-01', to: '2026-12-31', filters: { county: null, actor: null }, asOf: '2026-12-31T00:00:00.000Z',
      matrix: [
        { from: null, to: null, kind: 'unspecified' as const, referrals: 1, companies: 1 },
        { from: 'almi', to: 'een', kind: 'misrouted' as const, referrals: 1, companies: 1 },
        { from: 'almi', to: 'een', kind: 'unspecified' as const, referrals: 1, companies: 1 },
        { from: 'ekn', to: 'een', kind: 'additional-need' as const, referrals: 1, companies: 1 },
      ],
      outsideByActor: [], totals, benchmark: { scope: 'national' as const, totals },
    };
    const names = { county: (c: string | null) => c ?? '', actor: (id: string | null) => ({ almi: 'Almi', een: 'EEN', ekn: 'EKN' } as Record<string, string>)[id ?? ''] ?? '' };
    const m = referralMatrixOf(report, 'sv', names);
    expect(m.rows.map((r) => r.label)).toEqual(['Almi', 'EKN', 'Okänd aktör']); // unknown last
    expect(m.columns.map((c) => c.label)).toEqual(['EEN', 'Okänd aktör']);
    expect(m.hasUnspecified).toBe(true);
    expect(m.cell('almi', 'een')).toEqual({ misrouted: 1, additionalNeed: 0, unspecified: 1, total: 2 });
    expect(m.columnTotal('een')).toEqual({ misrouted: 1, additionalNeed: 1, unspecified: 1, total: 3 });
    expect(m.total).toEqual({ misrouted: 1, additionalNeed: 1, unspecified: 2, total: 4 });
    expect(referralMatrixCsv(m, 'sv')).toBe('\uFEFFFrån aktör;Till aktör;Totalt;Felriktade;Ytterligare behov;Okänt slag;Andel felriktade\r\n'
      + 'Almi;EEN;2;1;0;1;0,5\r\nEKN;EEN;1;0;1;0;0\r\nOkänd aktör;Okänd aktör;1;0;0;1;0\r\n');
  });
});
