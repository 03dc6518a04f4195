import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweeper } from '../../src/deadlines/sweeper.js';
import { createLogger } from '../../src/plugins/logging.js';
import { buildTestApp, inquiry } from '../helpers/app.js';
import { caseWorld, HOUR, LOAN, UNCLEAR, type CaseWorld } from '../cases/helpers.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../helpers/notifications.js';

/**
 * Every kind of e-mail through a real SMTP server (smtp-server), parsed with mailparser: what each says,
 * in which language, with Stockholm times in words, and no personal data where the mail goes to an office.
 */
const PERSONAL = ['Anna Andersson', 'anna@testbolaget.se', '070-123 45 67', '0701234567', 'Testbolaget', '556036', LOAN.slice(0, 30)];
const FROM = 'Exportcentrum <no-reply@exportcentrum.example>';

function expectNoPersonalData(mail: ReceivedMail) {
  const visible = [mail.subject, mail.text, mail.html, mail.to, ...[...mail.headers.values()].map((v) => JSON.stringify(v))].join('\n');
  for (const secret of PERSONAL) expect(visible, `office mail contains "${secret}"`).not.toContain(secret);
}

const to = (smtp: TestSmtpServer, address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address));

describe('e-mail notifications', () => {
  let smtp: TestSmtpServer;
  let w: CaseWorld;
  const dispatch = () => w.app.notifications.dispatcher.dispatch();
  const admin = (method: 'PUT' | 'DELETE' | 'GET', url: string, payload?: unknown, token = w.tokens.admin) =>
    w.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) });

  beforeAll(async () => {
    smtp = await startSmtpServer();
    w = await caseWorld({ SMTP_URL: smtp.url, MAIL_FROM: FROM, CASE_LINK_TEMPLATE: 'https://crm.example.se/cases/{id}?ref={reference}' });
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/almi', { emails: ['almi-skane@example.se', 'almi-backup@example.se'] })).statusCode).toBe(200);
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/business-sweden', { emails: ['bs-syd@example.se'] })).statusCode).toBe(200);
    // A coordinator sets its own county's export centre, with the public contact companies are given.
    const centre = await admin('PUT', '/v1/notification-addresses/Skåne/export-centre', { emails: ['exportcentrum@region.example'], publicContact: '040-123 45 67, exportcentrum@region.example' }, w.tokens.coordSkane);
    expect(centre.statusCode, centre.body).toBe(200);
  });
  afterAll(async () => {
    if (process.env.UPDATE_MAIL_SAMPLES === '1') writeSamples();
    await w.close();
    await smtp.close();
  });

  /**
   * UPDATE_MAIL_SAMPLES=1 writes the first Swedish mail of each kind these tests received to
   * docs/mail-samples.md (committed; the README links to it), so the samples are what the service sends.
   */
  function writeSamples() {
    const kindOf = w.db.$client.prepare('SELECT kind FROM outbox_messages WHERE id = ?');
    const seen = new Map<string, ReceivedMail>();
    for (const mail of smtp.mails) {
      const id = /^<([^@>]+)@/.exec(mail.messageId)?.[1];
      const kind = id ? (kindOf.get(id) as { kind: string } | undefined)?.kind : undefined;
      if (kind && !seen.has(kind) && mail.headers.get('content-language') === 'sv') seen.set(kind, mail);
    }
    const order = ['company-receipt', 'office-new-case', 'office-at-risk', 'office-breached', 'office-referral', 'company-referral', 'company-follow-up'];
    const parts = order.filter((k) => seen.has(k)).map((k) => {
      const mail = seen.get(k)!;
      return `## ${k}\n\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n\`\`\`text\n${mail.text.trimEnd()}\n\`\`\`\n`;
    });
    const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'docs', 'mail-samples.md');
    fs.writeFileSync(file, `# The e-mails, one sample of each kind in Swedish\n\nWritten by tests/notifications/email.test.ts with UPDATE_MAIL_SAMPLES=1 from the mails a real SMTP server received (test data: a fictitious company and contact; the clock is the tests' fixed clock). The HTML part of each says the same.\n\n${parts.join('\n')}`);
  }

  it('sends the company a receipt in Swedish: reference, who calls by when, the status link, whom to contact; text and HTML, no tracking', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN }) });
    const created = res.json();
    expect(await dispatch()).toBeGreaterThanOrEqual(2);
    const [mail] = to(smtp, 'anna@testbolaget.se');
    expect(mail).toBeDefined();
    expect(mail!.from).toBe('"Exportcentrum" <no-reply@exportcentrum.example>');
    expect(mail!.subject).toBe(`Vi har tagit emot din fråga (${created.reference})`);
    expect(mail!.text).toContain('Tack för din fråga. Vi tog emot den onsdag 25 november kl. 09.00.');
    expect(mail!.text).toContain('Almi Företagspartner kontaktar dig senast torsdag 26 november kl. 09.00.');
    expect(mail!.text).toContain(created.statusUrl);
    expect(mail!.text).toContain('Har ingen hört av sig senast torsdag 26 november kl. 09.00? Kontakta det regionala exportcentrumet i Skåne län: 040-123 45 67, exportcentrum@region.example');
    // The HTML part says the same, links straight to the status page and loads nothing.
    expect(mail!.html).toContain('<html lang="sv">');
    expect(mail!.html).toContain(`<a href="${created.statusUrl}">`);
    expect(mail!.html).not.toMatch(/<img|<script|src=|url\(/i);
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail!.headers.get('content-language')).toBe('sv');
    // The Message-ID is the outbox message's stable id.
    const row = w.db.$client.prepare("SELECT id FROM outbox_messages WHERE inquiry_id = ? AND kind = 'company-receipt'").get(created.id) as { id: string };
    expect(mail!.messageId).toBe(`<${row.id}@exportcentrum.example>`);
    // The link works: the company's status page.
    const status = await w.app.inject({ method: 'GET', url: new URL(created.statusUrl).pathname });
    expect(status.statusCode).toBe(200);
    expect(status.json().reference).toBe(created.reference);
    // Delivered: the company's address is not kept in the outbox any longer.
    expect(w.db.$client.prepare('SELECT status, recipient FROM outbox_messages WHERE id = ?').get(row.id)).toEqual({ status: 'delivered', recipient: null });
  });

  it('tells the actor office of a new case with reference, county, topics, deadline and the link into its own system, and no personal data', async () => {
    const id = await w.submit();
    await dispatch();
    const mails = to(smtp, 'almi-skane@example.se').filter((m) => m.text.includes(id));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    const reference = (w.db.$client.prepare('SELECT reference FROM inquiries WHERE id = ?').get(id) as { reference: string }).reference;
    expect(mail.envelopeTo.sort()).toEqual(['almi-backup@example.se', 'almi-skane@example.se']);
    expect(mail.subject).toBe(`Nytt ärende ${reference}: första kontakt senast torsdag 26 november kl. 09.00`);
    expect(mail.text).toContain('Ett nytt ärende har tilldelats Almi Företagspartner i Skåne län.');
    expect(mail.text).toContain('Län: Skåne län');
    expect(mail.text).toContain('Ämnen: Lån och tillväxtfinansiering');
    expect(mail.text).toContain(`https://crm.example.se/cases/${id}?ref=${reference}`);
    expectNoPersonalData(mail);
  });

  it('writes in English for an English inquiry, and lists the other actors offering similar services', async () => {
    const res = await w.app.inject({
      method: 'POST', url: '/v1/inquiries',
      payload: inquiry({ county: 'SE-M', language: 'en', contact: { name: 'Anna Andersson', email: 'anna.en@testbolaget.se' }, message: 'We need a loan for a new machine and we want to find customers in Germany.' }),
    });
    const created = res.json();
    await dispatch();
    const [mail] = to(smtp, 'anna.en@testbolaget.se');
    expect(mail!.subject).toBe(`We have received your inquiry (${created.reference})`);
    expect(mail!.text).toContain(`${created.assignedActor.name} will contact you by Thursday 26 November at 09:00.`);
    expect(mail!.headers.get('content-language')).toBe('en');
    expect(mail!.html).toContain('<html lang="en">');
    expect(created.alternatives.length).toBeGreaterThan(0);
    expect(mail!.text).toContain('Similar help is also offered by these public organisations');
    for (const alternative of created.alternatives) expect(mail!.text).toContain(alternative.name);
  });

  it("sends a triage case to the county's export centre", async () => {
    const id = await w.submit({ message: UNCLEAR });
    await dispatch();
    const mails = to(smtp, 'exportcentrum@region.example').filter((m) => m.text.includes(id));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^Nytt ärende att fördela: REC-\d{4}-\d{6}, senast torsdag 26 november kl\. 09\.00$/);
    expect(mails[0]!.text).toContain('kunde inte fördelas automatiskt');
    expectNoPersonalData(mails[0]!);
    const receipt = to(smtp, 'anna@testbolaget.se').at(-1)!;
    expect(receipt.text).toContain('Det regionala exportcentrumet i Skåne län går igenom din fråga och ser till att rätt person kontaktar dig senast torsdag 26 november kl. 09.00.');
  });

  it('warns the actor office when a case is at risk, and the office and the export centre when it is breached', async () => {
    w.clock.set('2026-11-30T07:00:00Z'); // Monday 08:00: due Tuesday 08:00, at risk from Tuesday 04:00
    const id = await w.submit();
    await dispatch();
    const sweeper = createSweeper({ db: w.db, notify: w.app.notifications.notifier });
    expect(sweeper.sweep(Date.parse('2026-12-01T04:30:00Z')).atRisk).toBeGreaterThanOrEqual(1);
    w.clock.set('2026-12-01T04:30:00Z');
    await dispatch();
    const atRisk = to(smtp, 'almi-skane@example.se').filter((m) => m.text.includes(id) && m.subject.startsWith('Snart försenat'));
    expect(atRisk).toHaveLength(1);
    expect(atRisk[0]!.subject).toMatch(/^Snart försenat: REC-\d{4}-\d{6}, första kontakt senast tisdag 1 december kl\. 08\.00$/);
    expectNoPersonalData(atRisk[0]!);

    expect(sweeper.sweep(Date.parse('2026-12-01T07:30:00Z')).breached).toBeGreaterThanOrEqual(1);
    w.clock.set('2026-12-01T07:30:00Z');
    await dispatch();
    const breached = smtp.mails.filter((m) => m.text.includes(id) && m.subject.startsWith('Tidsfristen har passerat'));
    expect(breached.map((m) => m.envelopeTo.sort())).toEqual([['almi-backup@example.se', 'almi-skane@example.se'], ['exportcentrum@region.example']]);
    expect(breached[0]!.text).toContain('fick ingen registrerad första kontakt före tisdag 1 december kl. 08.00');
    for (const m of breached) expectNoPersonalData(m);
  });

  it('tells the receiving actor and the company of a referral', async () => {
    w.clock.set('2026-12-02T08:00:00Z');
    const id = await w.submit();
    await dispatch();
    const refer = await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'Vill hitta kunder i Tyskland' });
    expect(refer.statusCode, refer.body).toBe(200);
    await dispatch();
    const office = to(smtp, 'bs-syd@example.se').filter((m) => m.text.includes(id));
    expect(office).toHaveLength(1);
    expect(office[0]!.subject).toMatch(/^Ärende överlämnat till er: REC-/);
    expect(office[0]!.text).toContain('Almi Företagspartner har lämnat över ärendet');
    expect(office[0]!.text).toContain('Tidsfristen gäller fortfarande: första kontakt senast torsdag 3 december kl. 09.00.');
    expect(office[0]!.text).not.toContain('Tyskland'); // the referral's reason is a note: personal data
    expectNoPersonalData(office[0]!);
    const company = to(smtp, 'anna@testbolaget.se').filter((m) => m.subject.startsWith('Din fråga har lämnats över'));
    expect(company).toHaveLength(1);
    expect(company[0]!.subject).toContain('Business Sweden');
    expect(company[0]!.text).toContain('har lämnats över från Almi Företagspartner till Business Sweden, som kontaktar dig senast torsdag 3 december kl. 09.00.');
  });

  it('asks the company once, FOLLOW_UP_DELAY_DAYS after closing, on a working day at 10.00, linking to the questions on its status page', async () => {
    w.clock.set('2026-12-03T14:00:00Z'); // Thursday 15:00
    const id = await w.submit();
    expect((await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' })).statusCode).toBe(200);
    const row = w.db.$client.prepare("SELECT due_at AS dueAt FROM outbox_messages WHERE inquiry_id = ? AND kind = 'company-follow-up'").get(id) as { dueAt: number };
    // Thursday + 3 days is Sunday: the next working day, Monday 7 December, 10.00 Stockholm.
    expect(new Date(row.dueAt).toISOString()).toBe('2026-12-07T09:00:00.000Z');
    const before = smtp.mails.length;
    await dispatch();
    expect(smtp.mails.slice(before).filter((m) => m.subject.startsWith('Fick du rätt hjälp?'))).toHaveLength(0);
    const scheduled = await w.get('/metrics', w.tokens.metrics);
    expect(scheduled.body).toMatch(/en_dorr_in_outbox_scheduled\{channel="email"\} 1/);

    w.clock.set('2026-12-07T09:00:00Z');
    await dispatch();
    const followUps = smtp.mails.filter((m) => m.subject.startsWith('Fick du rätt hjälp?') && m.envelopeTo.includes('anna@testbolaget.se'));
    expect(followUps).toHaveLength(1);
    expect(followUps[0]!.text).toContain('avslutades torsdag 3 december kl. 15.00');
    expect(followUps[0]!.text).toMatch(/https:\/\/exportcenter\.example\/v1\/status\/[\w-]+#follow-up/);
    w.clock.advance(30 * 24 * HOUR);
    await dispatch();
    expect(smtp.mails.filter((m) => m.subject.startsWith('Fick du rätt hjälp?'))).toHaveLength(1);
  });

  it('sends no follow-up for spam, none after erasure, none once answered', async () => {
    w.clock.set('2026-12-08T08:00:00Z');
    const spam = await w.submit();
    expect((await w.post(`/v1/cases/${spam}/close`, w.tokens.almi, { outcome: 'spam' })).statusCode).toBe(200);
    expect(w.db.$client.prepare("SELECT COUNT(*) AS n FROM outbox_messages WHERE inquiry_id = ? AND kind = 'company-follow-up'").get(spam)).toEqual({ n: 0 });

    const erased = await w.submit();
    await w.post(`/v1/cases/${erased}/first-contact`, w.tokens.almi, { channel: 'phone' });
    await w.post(`/v1/cases/${erased}/close`, w.tokens.almi, { outcome: 'helped' });
    expect((await w.post(`/v1/cases/${erased}/erase`, w.tokens.admin)).statusCode).toBe(200);
    expect(w.db.$client.prepare("SELECT status, recipient FROM outbox_messages WHERE inquiry_id = ? AND kind = 'company-follow-up'").get(erased))
      .toEqual({ status: 'cancelled', recipient: null });

    const created = (await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, contact: { name: 'Anna Andersson', email: 'answered@testbolaget.se' } }) })).json();
    await w.post(`/v1/cases/${created.id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    await w.post(`/v1/cases/${created.id}/close`, w.tokens.almi, { outcome: 'helped' });
    const answer = await w.app.inject({ method: 'POST', url: `${new URL(created.statusUrl).pathname}/feedback`, payload: { rightActorInTime: 'yes', gotHelp: 'yes' } });
    expect(answer.statusCode, answer.body).toBeLessThan(300);
    w.clock.advance(10 * 24 * HOUR);
    await dispatch();
    expect(smtp.mails.filter((m) => m.envelopeTo.includes('answered@testbolaget.se') && m.subject.startsWith('Fick du'))).toHaveLength(0);
    expect(w.db.$client.prepare("SELECT status, last_error AS lastError FROM outbox_messages WHERE inquiry_id = ? AND kind = 'company-follow-up'").get(created.id))
      .toEqual({ status: 'cancelled', lastError: 'cancelled: the company has already answered' });
  });

  it('dead-letters a permanent refusal at once, shows it without the address, and replays it', async () => {
    smtp.rcpt = (address) => (address === 'nobody@testbolaget.se' ? { code: 550, message: `5.1.1 <${address}>: Recipient address rejected` } : undefined);
    const created = (await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, contact: { name: 'Anna Andersson', email: 'nobody@testbolaget.se' } }) })).json();
    await dispatch();
    const dead = await admin('GET', '/v1/admin/outbox?status=dead&channel=email');
    expect(dead.statusCode).toBe(200);
    const item = dead.json().items.find((m: { caseId: string }) => m.caseId === created.id);
    expect(item).toMatchObject({ kind: 'company-receipt', audience: 'company', recipient: null, status: 'dead', attempts: 1, lastStatus: 550 });
    expect(item.lastError).toContain('[address]');
    expect(dead.body).not.toContain('nobody@testbolaget.se');
    expect((await w.get('/metrics', w.tokens.metrics)).body).toMatch(/en_dorr_in_outbox_dead_letters\{channel="email"\} 1/);

    smtp.rcpt = () => undefined;
    const replay = await w.post(`/v1/admin/outbox/${item.id}/retry`, w.tokens.admin);
    expect(replay.statusCode, replay.body).toBe(202);
    expect(replay.json()).toMatchObject({ status: 'pending', attempts: 1 });
    await dispatch();
    const mails = to(smtp, 'nobody@testbolaget.se');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.messageId).toBe(`<${item.id}@exportcentrum.example>`);
  });

  it('cancels and blanks what is queued for the company when its personal data is erased', async () => {
    const created = (await w.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'Skåne', message: LOAN, contact: { name: 'Anna Andersson', email: 'erase-me@testbolaget.se' } }) })).json();
    expect((await w.post(`/v1/cases/${created.id}/erase`, w.tokens.admin)).statusCode).toBe(200);
    await dispatch();
    expect(to(smtp, 'erase-me@testbolaget.se')).toHaveLength(0);
    const rows = w.db.$client.prepare('SELECT kind, status, recipient FROM outbox_messages WHERE inquiry_id = ? AND personal = 1').all(created.id);
    expect(rows).toEqual([{ kind: 'company-receipt', status: 'cancelled', recipient: null }]);
    expect(JSON.stringify(w.db.$client.prepare('SELECT * FROM outbox_messages WHERE inquiry_id = ?').all(created.id))).not.toContain('erase-me');
    // The office's mail has no personal data and still goes.
    expect(to(smtp, 'almi-skane@example.se').filter((m) => m.text.includes(created.id))).toHaveLength(1);
  });

  it('manages notification addresses: admins everywhere, coordinators in their counties, offices must exist there', async () => {
    const list = await admin('GET', '/v1/notification-addresses?county=SE-M', undefined, w.tokens.coordSkane);
    expect(list.json().items.map((a: { office: string }) => a.office).sort()).toEqual(['almi', 'business-sweden', 'export-centre']);
    expect((await admin('GET', '/v1/notification-addresses', undefined, w.tokens.coordHalland)).json().items).toEqual([]);
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/almi', { emails: ['x@example.se'] }, w.tokens.coordHalland)).statusCode).toBe(403);
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/almi', { emails: ['x@example.se'] }, w.tokens.almi)).statusCode).toBe(403);
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/almi', { emails: ['not an address'] })).json().invalidParams[0].name).toBe('body.emails.0');
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/no-such-actor', { emails: ['x@example.se'] })).statusCode).toBe(404);
    expect((await admin('PUT', '/v1/notification-addresses/SE-M/almi', { emails: ['x@example.se'], publicContact: '040-1' })).statusCode).toBe(400);
    expect((await admin('DELETE', '/v1/notification-addresses/SE-N/almi')).statusCode).toBe(404);
  });
});

describe('e-mail switched off', () => {
  it('queues no e-mail when SMTP_URL is unset, and says so once at start', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    const t = await buildTestApp({}, { logger: createLogger('info', sink) });
    try {
      const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) });
      expect(res.statusCode).toBe(201);
      expect(t.db.$client.prepare('SELECT COUNT(*) AS n FROM outbox_messages').get()).toEqual({ n: 0 });
      expect(lines.filter((l) => l.includes('e-mail notifications off: SMTP_URL is not set'))).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
