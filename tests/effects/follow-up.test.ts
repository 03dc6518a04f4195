import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/service.js';
import { waveDueAt } from '../../src/effects/follow-up.js';
import { createErasureService } from '../../src/privacy/service.js';
import { openStatsProjection } from '../../src/stats/open.js';
import { caseWorld, LOAN, type CaseWorld } from '../cases/helpers.js';
import { inquiry } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/notifications.js';

/**
 * Consent-based follow-up over months: waves planned at closing, opened at the right time (injectable
 * clock) with an e-mail through the outbox and a real SMTP server, one reminder, one answer per wave,
 * one-click withdrawal, and erasure that cuts the link but keeps the coded answers.
 */
const DAY = 86_400_000;
const FROM = 'Exportcentrum <no-reply@exportcentrum.example>';
const ANSWER = { exporting: 'started', newMarkets: ['de', 'NO'], exportShare: '10-24', contribution: 'partly' };

describe('follow-up waves over months', () => {
  let smtp: TestSmtpServer;
  let w: CaseWorld;
  const dispatch = () => w.app.notifications.dispatcher.dispatch();
  const sql = () => w.db.$client;

  async function consentingCase(o: Record<string, unknown> = {}): Promise<{ id: string; token: string; statusUrl: string; email: string }> {
    const email = `co-${Math.random().toString(36).slice(2, 8)}@example.se`;
    const r = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, followUpConsent: true, contact: { name: 'Anna Andersson', email }, ...o }) });
    expect(r.statusCode, r.body).toBe(201);
    const { id, statusUrl } = r.json() as { id: string; statusUrl: string };
    return { id, statusUrl, token: new URL(statusUrl).pathname.split('/').pop()!, email };
  }
  async function close(id: string, outcome = 'helped') {
    expect((await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    const r = await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome });
    expect(r.statusCode, r.body).toBe(200);
  }
  const view = async (token: string) => (await w.get(`/v1/status/${token}/follow-up`, null)).json();
  // The follow-up waves' e-mails to one company (it also gets a receipt at intake).
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address) && /exporten|exporting/.test(m.subject));
  const events = (id: string, type: string) => (sql().prepare('SELECT data FROM inquiry_events WHERE inquiry_id = ? AND type = ? ORDER BY id').all(id, type) as { data: string }[]).map((e) => JSON.parse(e.data));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    w = await caseWorld({ SMTP_URL: smtp.url, MAIL_FROM: FROM, FOLLOW_UP_DELAY_DAYS: 0 });
  });
  afterAll(async () => {
    await w.close();
    await smtp.close();
  });

  it('plans the waves 6, 12 and 24 months after closing, on working days at 10.00 Stockholm time', () => {
    const closedAt = Date.parse('2026-11-25T09:00:00Z'); // Wednesday
    expect(new Date(waveDueAt(closedAt, 6)).toISOString()).toBe('2027-05-25T08:00:00.000Z'); // Tuesday, summer time
    expect(new Date(waveDueAt(closedAt, 12)).toISOString()).toBe('2027-11-25T09:00:00.000Z'); // Thursday
    expect(new Date(waveDueAt(closedAt, 24)).toISOString()).toBe('2028-11-27T09:00:00.000Z'); // Saturday 25th: Monday
    // 31 August + 6 months: the last day of February; Midsummer Eve is no working day.
    expect(new Date(waveDueAt(Date.parse('2026-08-31T10:00:00Z'), 6)).toISOString()).toBe('2027-03-01T09:00:00.000Z'); // 28 Feb 2027 is a Sunday
    expect(new Date(waveDueAt(Date.parse('2025-12-19T10:00:00Z'), 18)).toISOString()).toBe('2027-06-21T08:00:00.000Z'); // 19 June 2027 Saturday → Monday 21
  });

  it('asks a consenting company at each wave by e-mail with a private link, once, with one reminder, and takes one answer per wave', async () => {
    const c = await consentingCase();
    expect(events(c.id, 'received')[0].followUpConsent).toBe(true);
    w.clock.set('2026-11-25T09:00:00Z');
    await close(c.id);
    const planned = events(c.id, 'follow-up-waves-planned');
    expect(planned).toHaveLength(1);
    expect(planned[0].waves.map((x: { months: number }) => x.months)).toEqual([6, 12, 24]);

    let v = await view(c.token);
    expect(v.consent.given).toBe(true);
    expect(v.waves.map((x: { state: string }) => x.state)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    expect(v.waves[0].dueAt).toBe('2027-05-25T08:00:00.000Z');
    // Not open yet: no answer taken.
    const early = await w.post(`/v1/status/${c.token}/follow-up/6`, null, ANSWER);
    expect(early.statusCode).toBe(409);
    expect(early.json().type).toContain('wave-not-open');

    // A minute before it is due nothing opens; at the time it does, once, with one e-mail.
    w.clock.set('2027-05-25T07:59:00Z');
    expect(w.app.followUp.run(w.clock.now)).toEqual({ opened: 0, reminded: 0 });
    w.clock.set('2027-05-25T08:00:00Z');
    expect(w.app.followUp.run(w.clock.now).opened).toBeGreaterThanOrEqual(1);
    expect(w.app.followUp.run(w.clock.now)).toEqual({ opened: 0, reminded: 0 });
    await dispatch();
    const [mail, ...more] = mailsTo(c.email);
    expect(more).toHaveLength(0);
    expect(mail!.subject).toMatch(/^Hur har det gått med exporten\? \(REC-/);
    expect(mail!.text).toContain('För 6 månader sedan avslutades ditt ärende');
    expect(mail!.text).toContain(`${c.statusUrl}/follow-up`);
    expect(mail!.text).toContain(`${c.statusUrl}/follow-up/withdraw`);
    expect(mail!.text).toContain('Svara senast tisdag 6 juli kl. 10.00');
    // One click in the mail client too (RFC 8058).
    expect(mail!.raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail!.raw.replace(/\r\n\s+/g, ' ')).toContain(`List-Unsubscribe: <${c.statusUrl}/follow-up/withdraw>`);
    v = await view(c.token);
    expect(v.waves[0]).toMatchObject({ months: 6, state: 'open', openedAt: '2027-05-25T08:00:00.000Z', answerBy: '2027-07-06T08:00:00.000Z' });

    // One reminder, FOLLOW_UP_REMINDER_DAYS (14) later, and only one.
    w.clock.advance(13 * DAY);
    expect(w.app.followUp.run(w.clock.now).reminded).toBe(0);
    w.clock.advance(1 * DAY);
    expect(w.app.followUp.run(w.clock.now).reminded).toBeGreaterThanOrEqual(1);
    w.clock.advance(7 * DAY);
    expect(w.app.followUp.run(w.clock.now).reminded).toBe(0);
    await dispatch();
    expect(mailsTo(c.email).map((m) => m.subject.split(' (')[0])).toEqual(['Hur har det gått med exporten?', 'Påminnelse: hur har det gått med exporten?']);

    // The answer: country codes in any case, stored sorted; one answer per wave.
    const bad = await w.post(`/v1/status/${c.token}/follow-up/6`, null, { ...ANSWER, newMarkets: ['XX'] });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('newMarkets');
    const ok = await w.post(`/v1/status/${c.token}/follow-up/6`, null, { ...ANSWER, comment: 'Anna here: we now sell in Hamburg' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await w.post(`/v1/status/${c.token}/follow-up/6`, null, ANSWER)).statusCode).toBe(409);
    v = await view(c.token);
    expect(v.waves[0]).toMatchObject({ state: 'answered', answer: { exporting: 'started', newMarkets: ['DE', 'NO'], exportShare: '10-24', contribution: 'partly' } });
    // The history says it was answered, not what.
    expect(events(c.id, 'follow-up-wave-answered')).toEqual([{ months: 6 }]);

    // The 12-month wave opens a year after closing; an unanswered wave expires after its window.
    w.clock.set('2027-11-25T09:00:00Z');
    w.app.followUp.run(w.clock.now);
    w.clock.advance(43 * DAY);
    expect((await view(c.token)).waves[1].state).toBe('expired');
    const late = await w.post(`/v1/status/${c.token}/follow-up/12`, null, ANSWER);
    expect(late.json().type).toContain('wave-closed');
  });

  it('plans nothing without consent, nor after spam, duplicates or withdrawn inquiries', async () => {
    w.clock.set('2026-11-25T09:00:00Z');
    const none = await w.submit();
    await close(none);
    const spam = await consentingCase();
    expect((await w.post(`/v1/cases/${spam.id}/close`, w.tokens.almi, { outcome: 'spam' })).statusCode).toBe(200);
    expect(sql().prepare('SELECT COUNT(*) AS n FROM follow_up_waves WHERE inquiry_id IN (?, ?)').get(none, spam.id)).toEqual({ n: 0 });
    expect((await view(spam.token)).waves).toEqual([]);
    // The page's button, and a mail client's one-click (RFC 8058), post a form: answered with a page.
    const withdraw = await w.app.inject({ method: 'POST', url: `/v1/status/${spam.token}/follow-up/withdraw`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(withdraw.statusCode, withdraw.body).toBe(200);
    expect(withdraw.body).toContain('Du får inga fler uppföljningsfrågor');
    expect((await view(spam.token)).consent.withdrawnAt).not.toBeNull();
  });

  it('withdrawal with one click: nothing more is sent, not even what was already queued', async () => {
    w.clock.set('2026-11-25T09:00:00Z');
    const c = await consentingCase();
    await close(c.id);
    w.clock.set('2027-05-25T08:00:00Z');
    w.app.followUp.run(w.clock.now); // the 6-month e-mail is queued
    // The link in the mail opens a page with one button; opening it changes nothing.
    const pageRes = await w.get(`/v1/status/${c.token}/follow-up/withdraw`, null, { accept: 'text/html' });
    expect(pageRes.statusCode).toBe(200);
    expect(pageRes.headers['content-type']).toContain('text/html');
    expect(pageRes.body).toContain('<form method="post"><button type="submit">Ja, skicka inga fler frågor</button></form>');
    expect((await view(c.token)).consent.withdrawnAt).toBeNull();
    const r = await w.post(`/v1/status/${c.token}/follow-up/withdraw`, null);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ withdrawnAt: '2027-05-25T08:00:00.000Z', cancelledWaves: 2 });
    // Idempotent.
    expect((await w.post(`/v1/status/${c.token}/follow-up/withdraw`, null)).json().withdrawnAt).toBe('2027-05-25T08:00:00.000Z');
    await dispatch();
    expect(mailsTo(c.email)).toHaveLength(0);
    const queued = sql().prepare("SELECT status, last_error AS error FROM outbox_messages WHERE inquiry_id = ? AND kind = 'company-follow-up-wave'").get(c.id);
    expect(queued).toEqual({ status: 'cancelled', error: 'cancelled: consent withdrawn' });
    // No reminder, no later wave, no answer.
    w.clock.set('2028-12-01T09:00:00Z');
    w.app.followUp.run(w.clock.now);
    await dispatch();
    expect(mailsTo(c.email)).toHaveLength(0);
    expect((await view(c.token)).waves.map((x: { state: string }) => x.state)).toEqual(['expired', 'cancelled', 'cancelled']);
    expect((await w.post(`/v1/status/${c.token}/follow-up/6`, null, ANSWER)).json().type).toContain('consent-withdrawn');
    expect(events(c.id, 'follow-up-consent-withdrawn')).toEqual([{ cancelledWaves: 2 }]);
  });

  it('erasure cuts the link to the case and the comment; the coded answers stay for statistics; no wave is sent after it', async () => {
    w.clock.set('2026-11-25T09:00:00Z');
    const c = await consentingCase();
    await close(c.id);
    w.clock.set('2027-05-25T08:00:00Z');
    w.app.followUp.run(w.clock.now);
    await dispatch();
    expect((await w.post(`/v1/status/${c.token}/follow-up/6`, null, { ...ANSWER, comment: 'Anna Andersson, ring mig' })).statusCode).toBe(201);
    const waveId = (sql().prepare('SELECT id FROM follow_up_waves WHERE inquiry_id = ? AND months = 6').get(c.id) as { id: string }).id;
    expect((await w.post(`/v1/cases/${c.id}/erase`, w.tokens.admin)).statusCode).toBe(200);
    expect(sql().prepare('SELECT COUNT(*) AS n FROM follow_up_waves WHERE inquiry_id = ?').get(c.id)).toEqual({ n: 0 });
    expect(sql().prepare('SELECT inquiry_id AS inquiryId, comment, exporting, new_markets AS newMarkets, contribution, county_code AS county, size_band AS sizeBand FROM follow_up_waves WHERE id = ?').get(waveId))
      .toEqual({ inquiryId: null, comment: null, exporting: 'started', newMarkets: 'DE,NO', contribution: 'partly', county: 'SE-M', sizeBand: '10-49' });
    expect(JSON.stringify(sql().prepare('SELECT * FROM follow_up_waves WHERE id = ?').get(waveId))).not.toMatch(/Anna|company_id":\d/);
    // The waves not yet opened are gone: nothing is sent after erasure.
    w.clock.set('2028-12-01T09:00:00Z');
    w.app.followUp.run(w.clock.now);
    await dispatch();
    expect(mailsTo(c.email)).toHaveLength(1);
    expect((await view(c.token)).waves).toEqual([]);
  });

  it('retention keeps a consenting case until its last wave has ended, and withdrawal ends that', async () => {
    w.clock.set('2026-11-25T09:00:00Z');
    const kept = await consentingCase();
    await close(kept.id);
    const withdrawn = await consentingCase();
    await close(withdrawn.id);
    await w.post(`/v1/status/${withdrawn.token}/follow-up/withdraw`, null);
    const plain = await w.submit();
    await close(plain);
    const erasure = createErasureService({ db: w.db, clock: w.clock.fn, audit: createAuditLog({ db: w.db, clock: w.clock.fn }), projection: openStatsProjection(w.db, w.config).projection });
    w.clock.set('2027-12-01T09:00:00Z'); // more than 365 days after closing
    erasure.eraseExpired(w.clock.now, 365);
    const erased = (id: string) => (sql().prepare('SELECT erased_at AS e FROM inquiries WHERE id = ?').get(id) as { e: number | null }).e !== null;
    expect(erased(plain)).toBe(true);
    expect(erased(withdrawn.id)).toBe(true);
    expect(erased(kept.id)).toBe(false);
    w.clock.set('2030-01-15T09:00:00Z'); // the 24-month wave ended in January 2029, plus 365 days
    erasure.eraseExpired(w.clock.now, 365);
    expect(erased(kept.id)).toBe(true);
  });
});

describe('follow-up waves with e-mail off', () => {
  it('open on the status page only, without reminders', async () => {
    const w = await caseWorld();
    try {
      const r = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, followUpConsent: true }) });
      const { id, statusUrl } = r.json() as { id: string; statusUrl: string };
      await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
      await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' });
      w.clock.set('2027-05-25T08:00:00Z');
      expect(w.app.followUp.run(w.clock.now)).toEqual({ opened: 1, reminded: 0 });
      w.clock.advance(20 * DAY);
      expect(w.app.followUp.run(w.clock.now)).toEqual({ opened: 0, reminded: 0 });
      expect(w.db.$client.prepare('SELECT COUNT(*) AS n FROM outbox_messages WHERE inquiry_id = ?').get(id)).toEqual({ n: 0 });
      const v = (await w.get(`${new URL(statusUrl).pathname}/follow-up`, null)).json();
      expect(v.waves[0].state).toBe('open');
    } finally {
      await w.close();
    }
  });
});
