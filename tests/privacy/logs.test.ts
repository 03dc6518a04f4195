import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/plugins/logging.js';
import { buildTestApp } from '../helpers/app.js';

/**
 * The logs of a whole case lifecycle, at trace level, hold no personal data: intake, claim, first contact
 * with a note, referral, close, the company's feedback, erasure; plus the error paths that echo input.
 */
const SECRETS = {
  companyName: 'Greta Personssons Snickeri',
  contactName: 'Greta Personsson',
  email: 'greta.personsson@example.se',
  phone: '+46 70 999 88 77',
  phoneDigits: '709998877',
  personnummer: '121212-1212',
  personnummerDigits: '1212121212',
  orgNumber: '556036-0793',
  orgDigits: '5560360793',
  subject: 'Hyvelmaskinens finansiering',
  message: 'Vi behöver ett lån för att köpa en ny hyvelmaskin till snickeriet i Lund.',
  note: 'Ringde Greta, hon vill prata med Kalle Kontaktsson',
  referral: 'Behöver exportrådgivning om Tyskland enligt Greta',
  closing: 'Greta fick hjälp av Business Sweden',
  feedback: 'Mycket bra bemötande av Sven Svensson',
};

describe('logs of a full case lifecycle', () => {
  it('name, e-mail, phone, organisation and personal numbers, message, notes and comments never appear', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    const t = await buildTestApp({}, { logger: createLogger('trace', sink) });
    const key = (spec: Parameters<typeof t.app.apiKeys.create>[0]) => t.app.apiKeys.create(spec, 'test');
    const almi = key({ role: 'caseworker', label: 'Almi', actorId: 'almi' });
    const bs = key({ role: 'caseworker', label: 'BS', actorId: 'business-sweden' });
    const coord = key({ role: 'coordinator', label: 'Region Skåne', counties: ['SE-M'] });
    const admin = key({ role: 'admin', label: 'Admin' });
    const call = async (method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown) => {
      const res = await t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
      return res;
    };
    const act = async (url: string, token: string, payload?: unknown) => {
      const res = await call('POST', url, token, payload);
      expect(res.statusCode, res.body).toBe(200);
      return res;
    };

    // Intake: a sole trader, and a company with an organisation number.
    const form = {
      company: { name: SECRETS.companyName, orgNumber: SECRETS.personnummer, employees: 1 },
      contact: { name: SECRETS.contactName, email: SECRETS.email, phone: SECRETS.phone },
      county: 'Skåne', subject: SECRETS.subject, message: SECRETS.message, consent: true,
    };
    const created = await call('POST', '/v1/inquiries', null, form);
    expect(created.statusCode).toBe(201);
    const { id, statusUrl } = created.json();
    const other = await call('POST', '/v1/inquiries', null, { ...form, company: { name: SECRETS.companyName, orgNumber: SECRETS.orgNumber } });
    expect(other.statusCode).toBe(201);
    // Error paths that carry personal data in the request: validation, honeypot, idempotency conflict.
    expect((await call('POST', '/v1/inquiries', null, { ...form, contact: { ...form.contact, email: `${SECRETS.contactName} <${SECRETS.email}>` } })).statusCode).toBe(400);
    expect((await call('POST', '/v1/inquiries', null, { ...form, website: SECRETS.email })).statusCode).toBe(422);

    // The case's life.
    await act(`/v1/cases/${id}/claim`, almi.token);
    await act(`/v1/cases/${id}/first-contact`, almi.token, { channel: 'phone', note: SECRETS.note });
    await act(`/v1/cases/${id}/refer`, almi.token, { toActor: 'business-sweden', kind: 'additional-need', reason: SECRETS.referral });
    await act(`/v1/cases/${id}/claim`, bs.token);
    expect((await call('GET', `/v1/cases/${id}`, bs.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/cases/${id}/events`, coord.token)).statusCode).toBe(200);
    await act(`/v1/cases/${id}/close`, bs.token, { outcome: 'helped', note: SECRETS.closing });
    const statusPath = new URL(statusUrl).pathname;
    expect((await call('GET', statusPath, null)).statusCode).toBe(200);
    expect((await call('POST', `${statusPath}/feedback`, null, { rightActorInTime: 'yes', gotHelp: 'yes', comment: SECRETS.feedback })).statusCode).toBe(201);
    await act(`/v1/cases/${id}/erase`, coord.token, { requestReference: 'DNR-2026-1' });
    const byCompany = await act('/v1/admin/erasure', admin.token, { orgNumber: SECRETS.orgNumber });
    expect(byCompany.json().erased).toBe(1);
    // A wrong key and a wrong number: 401/400 answers that must not echo into the log either.
    expect((await call('POST', '/v1/admin/erasure', admin.token, { orgNumber: SECRETS.personnummer.replace(/2$/, '3') })).statusCode).toBe(400);
    await t.close();

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain(`/v1/cases/${id}/claim`); // the requests are there, by path and request id
    for (const [what, secret] of Object.entries(SECRETS)) {
      expect(log.includes(secret), `${what} ("${secret}") appears in the log`).toBe(false);
    }
    for (const word of ['Greta', 'Personsson', 'Kalle', 'Sven Svensson', 'hyvelmaskin', 'snickeriet']) {
      expect(log.includes(word), `"${word}" appears in the log`).toBe(false);
    }
    // Tokens (secrets) never appear, only key ids; status links are masked.
    for (const token of [almi.token, bs.token, coord.token, admin.token]) expect(log).not.toContain(token);
    expect(log).not.toContain(statusPath);
  });
});
