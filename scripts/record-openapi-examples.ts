import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import type { Attempt } from '../src/notifications/dispatcher.js';
import { EXAMPLES_FILE, operationsOf, type ExamplesFile, type OperationExamples } from '../src/plugins/openapi-examples.js';

/**
 * npm run openapi:examples: records the OpenAPI document's examples from the real service. It builds the app on a
 * throwaway SQLite file with a fixed clock and fixed secrets, drives the whole workflow through `app.inject` (a form's
 * inquiry, the caseworkers' work, the coordinator's triage, the company's status link and answers, statistics,
 * administration, notifications, privacy), and writes one request body, the main success answer and one typical
 * error per operation to openapi/examples.json, exactly as the server answered them, except that:
 * - lists are cut to their first MAX_ITEMS items, and text answers (CSV, NDJSON, HTML, metrics) to their first lines;
 * - secrets (API key secrets, webhook signing secrets, status tokens) are replaced with obviously fake values of the same shape.
 * Then `npm run openapi:generate` merges the file into openapi/openapi.json (src/plugins/openapi-examples.ts).
 *
 * One place per operation: every `record('<operationId>', …)` call below is one example. A new route needs its
 * calls here; the run fails, naming them, when an operation in the document has no success example or a body
 * operation no request example. A call that answers another status than expected fails the run with the answer.
 */

const MAX_ITEMS = 3;
const MAX_TEXT_LINES = 6;
const START = '2026-11-25T08:00:00Z'; // a Wednesday, 09.00 in Stockholm
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Call {
  method: Method;
  url: string;
  /** The API key to send (Bearer), or none. */
  key?: string | undefined;
  body?: unknown;
  /** The Content-Type of a body that is not JSON. */
  contentType?: string;
  headers?: Record<string, string>;
  /** For a text answer: the part to show (default: its first MAX_TEXT_LINES lines). */
  excerpt?: (text: string) => string;
}

// ---------------------------------------------------------------------------------------------------------------
// The recorder
// ---------------------------------------------------------------------------------------------------------------

const FAKE_SECRET = 'EXAMPLE-not-a-real-secret-'.padEnd(43, '0'); // 43 characters, like a real one
const FAKE_WEBHOOK_SECRET = `whsec_${Buffer.from('EXAMPLE-not-a-real-secret-000000').toString('base64')}`; // 32 bytes
const fakeStatusToken = (n: number) => `EXAMPLE-status-token-${n}-not-a-real-one`.padEnd(43, '0');

class Recorder {
  readonly operations: Record<string, OperationExamples> = {};
  private readonly index: Map<string, { method: string; path: RegExp; op: Record<string, unknown> }>;
  private readonly statusTokens = new Map<string, string>();

  constructor(private readonly app: FastifyInstance, document: Record<string, unknown>) {
    this.index = new Map();
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const [template, methods] of Object.entries(paths)) {
      // /v1/cases/{id}/claim → ^/v1/cases/[^/]+/claim$ (paths hold no other regular-expression characters but `.`)
      const pattern = new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, op] of Object.entries(methods)) this.index.set(op.operationId as string, { method: method.toUpperCase(), path: pattern, op });
    }
    for (const id of operationsOf(document).keys()) if (!this.index.has(id)) throw new Error(`no path for ${id}`);
  }

  /** Sends a request that is not an example (setting the scene); fails unless it answers `status`. */
  async send(call: Call, status: number): Promise<LightMyRequestResponse> {
    const json = call.body !== undefined && typeof call.body !== 'string';
    const res = await this.app.inject({
      method: call.method, url: call.url,
      headers: {
        ...(call.key ? { authorization: `Bearer ${call.key}` } : {}),
        ...(call.contentType ? { 'content-type': call.contentType } : json ? { 'content-type': 'application/json' } : {}),
        ...call.headers,
      },
      ...(call.body === undefined ? {} : { payload: json ? JSON.stringify(call.body) : call.body as string }),
    });
    if (res.statusCode !== status) throw new Error(`${call.method} ${call.url}: expected ${status}, got ${res.statusCode} ${res.body.slice(0, 2000)}`);
    if (isJson(String(res.headers['content-type'] ?? '').split(';')[0]!.trim())) {
      const token = (res.json() as { statusToken?: unknown }).statusToken;
      if (typeof token === 'string' && !this.statusTokens.has(token)) this.statusTokens.set(token, fakeStatusToken(this.statusTokens.size + 1));
    }
    return res;
  }

  /** Sends a request and records it as `operationId`'s example for `status` (the first one recorded wins). */
  async record(operationId: string, status: number, summary: string, call: Call): Promise<LightMyRequestResponse> {
    const entry = this.index.get(operationId);
    if (!entry) throw new Error(`${operationId} is not an operation of the document`);
    const pathOnly = call.url.split('?')[0]!;
    if (entry.method !== call.method || !entry.path.test(pathOnly)) throw new Error(`${call.method} ${call.url} is not ${operationId} (${entry.method} ${entry.path})`);
    const responses = entry.op.responses as Record<string, { content?: Record<string, unknown> }>;
    if (!responses[String(status)]) throw new Error(`${operationId} does not declare ${status} in the document`);
    const res = await this.send(call, status);
    const examples = (this.operations[operationId] ??= { responses: {} });

    const requestBody = entry.op.requestBody as { content?: Record<string, unknown> } | undefined;
    if (status < 400 && call.body !== undefined && requestBody && !examples.request) {
      const mediaType = call.contentType ?? 'application/json';
      if (!requestBody.content?.[mediaType]) throw new Error(`${operationId} does not take ${mediaType} in the document`);
      examples.request = { [mediaType]: { summary, value: shorten(call.body) } };
    }
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (res.body.length > 0 && status !== 304) {
      if (!responses[String(status)]!.content?.[mediaType]) throw new Error(`${operationId} ${status} answered ${mediaType}, which the document does not declare`);
      const byType = (examples.responses[String(status)] ??= {});
      byType[mediaType] ??= { summary, value: isJson(mediaType) ? shorten(res.json()) : call.excerpt ? call.excerpt(res.body) : shorten(res.body) };
    }
    return res;
  }

  /** The recorded examples with every secret replaced by a fake of the same shape. */
  sanitized(): Record<string, OperationExamples> {
    let text = JSON.stringify(this.operations);
    for (const [real, fake] of this.statusTokens) text = text.split(real).join(fake);
    text = text
      .replace(/edi_([0-9a-f]{16})_[A-Za-z0-9_-]{43}/g, `edi_$1_${FAKE_SECRET}`)
      .replace(/whsec_[A-Za-z0-9+/]{43}=/g, FAKE_WEBHOOK_SECRET);
    return JSON.parse(text) as Record<string, OperationExamples>;
  }
}

/** JSON and problem+json (not NDJSON, which is text of JSON lines). */
const isJson = (mediaType: string) => /^application\/([\w.-]+\+)?json$/.test(mediaType);

/** Lists cut to MAX_ITEMS items, text to MAX_TEXT_LINES lines: examples to read, not data sets. */
function shorten(value: unknown): unknown {
  if (typeof value === 'string') {
    const lines = value.split('\n');
    return lines.length > MAX_TEXT_LINES + 1 ? `${lines.slice(0, MAX_TEXT_LINES).join('\n')}\n` : value;
  }
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map(shorten);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// The workflow: one record() per example
// ---------------------------------------------------------------------------------------------------------------

const LOAN = 'Hej! Vi behöver ett lån för att köpa en ny maskin till produktionen.';
const EXPORT = 'Vi vill börja sälja våra möbler i Tyskland och behöver hitta distributörer där.';
const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';

async function workflow(r: Recorder, app: FastifyInstance, clock: { now: number }, control: { publicDns: boolean }): Promise<void> {
  const dispatch = () => app.notifications.dispatcher.dispatch();
  // The first admin key comes from the command line (`npm run cli -- api-keys create`); everything after it goes through the API.
  const admin = app.apiKeys.create({ role: 'admin', label: 'Ops' }, 'cli').token;

  // --- Health and reference data (public) ---
  await r.record('live', 200, 'The process answers', { method: 'GET', url: '/health/live' });
  await r.record('ready', 200, 'The database answers', { method: 'GET', url: '/health/ready' });
  await r.record('listCounties', 200, 'The 21 counties', { method: 'GET', url: '/v1/counties' });
  await r.record('getCounty', 200, 'Skåne, by its ISO code', { method: 'GET', url: '/v1/counties/SE-M' });
  await r.record('getCounty', 404, 'No such county', { method: 'GET', url: '/v1/counties/Atlantis' });
  await r.record('getCountyServices', 200, 'Who serves what in Skåne', { method: 'GET', url: '/v1/counties/Sk%C3%A5ne/services' });
  await r.record('getCountyServices', 404, 'No such county', { method: 'GET', url: '/v1/counties/Atlantis/services' });
  await r.record('listActors', 200, 'The public actors', { method: 'GET', url: '/v1/actors' });
  await r.record('listTopics', 200, 'The topics inquiries are classified by', { method: 'GET', url: '/v1/topics' });
  await r.record('listExportCentreStartDates', 200, 'When each export centre started', { method: 'GET', url: '/v1/export-centres/start-dates' });
  await r.record('previewRouting', 200, 'Where a question about a loan in Lund would go', {
    method: 'POST', url: '/v1/routing/preview', body: { county: 'Skåne', municipality: 'Lund', message: LOAN, company: { employees: 12 } },
  });
  await r.record('previewRouting', 400, 'No message', { method: 'POST', url: '/v1/routing/preview', body: { county: 'Skåne' } });

  // --- API keys (admin) ---
  const created = await r.record('createApiKey', 201, "A caseworker key for Almi's CRM", {
    method: 'POST', url: '/v1/admin/api-keys', key: admin, body: { role: 'caseworker', actorId: 'almi', label: 'Almi CRM' },
  });
  const almi = created.json().token as string;
  const almiKeyId = created.json().key.id as string;
  await r.record('createApiKey', 400, 'A caseworker key needs an actor', {
    method: 'POST', url: '/v1/admin/api-keys', key: admin, body: { role: 'caseworker', label: 'Almi CRM' },
  });
  const key = async (body: Record<string, unknown>) => ((await r.send({ method: "POST", url: "/v1/admin/api-keys", key: admin, body }, 201)).json() as { key: { id: string }; token: string });
  const businessSweden = (await key({ role: 'caseworker', actorId: 'business-sweden', label: 'Business Sweden CRM' })).token;
  const coordinator = (await key({ role: 'coordinator', counties: ['SE-M'], label: 'Region Skåne exportcentrum' })).token;
  const analyst = (await key({ role: 'analyst', label: 'Tillväxtverket analys' })).token;
  const researcher = (await key({ role: 'researcher', label: 'Tillväxtverket utvärdering' })).token;
  const metrics = (await key({ role: 'metrics', label: 'Prometheus' })).token;
  const oldForm = await key({ role: 'intake', label: 'An old form backend' });
  await r.record('listApiKeys', 200, 'The keys in use', { method: 'GET', url: '/v1/admin/api-keys', key: admin });
  await r.record('listApiKeys', 401, 'No key sent', { method: 'GET', url: '/v1/admin/api-keys' });
  await r.record('getApiKey', 200, "Almi's key", { method: 'GET', url: `/v1/admin/api-keys/${almiKeyId}`, key: admin });
  await r.record('getApiKey', 404, 'No such key', { method: 'GET', url: '/v1/admin/api-keys/0123456789abcdef', key: admin });
  await r.record('revokeApiKey', 200, 'The old form backend is retired', { method: 'DELETE', url: `/v1/admin/api-keys/${oldForm.key.id}`, key: admin });
  await r.record('revokeApiKey', 404, 'No such key', { method: 'DELETE', url: '/v1/admin/api-keys/0123456789abcdef', key: admin });

  // --- Actors and presence (admin) ---
  await r.record('adminListActors', 200, 'The actor directory', { method: 'GET', url: '/v1/admin/actors', key: admin });
  await r.record('adminListActors', 403, 'A caseworker key cannot administer actors', { method: 'GET', url: '/v1/admin/actors', key: almi });
  const newActor = { id: 'exportradgivarna-syd', name: 'Exportrådgivarna Syd', kind: 'public', description: 'Regional advice for first-time exporters in the south', website: 'https://exportradgivarna.example' };
  await r.record('adminCreateActor', 201, 'A regional actor joins', { method: 'POST', url: '/v1/admin/actors', key: admin, body: newActor });
  await r.record('adminCreateActor', 409, 'The id is taken', { method: 'POST', url: '/v1/admin/actors', key: admin, body: newActor });
  await r.record('adminGetActor', 200, 'The new actor', { method: 'GET', url: `/v1/admin/actors/${newActor.id}`, key: admin });
  await r.record('adminGetActor', 404, 'No such actor', { method: 'GET', url: '/v1/admin/actors/no-such-actor', key: admin });
  await r.record('adminUpdateActor', 200, 'A clearer description', {
    method: 'PATCH', url: `/v1/admin/actors/${newActor.id}`, key: admin, body: { description: 'Advice for first-time exporters in Skåne and Blekinge' },
  });
  await r.record('adminUpdateActor', 404, 'No such actor', { method: 'PATCH', url: '/v1/admin/actors/no-such-actor', key: admin, body: { active: false } });
  await r.record('adminSetActorPresence', 200, 'It serves Skåne and Blekinge', {
    method: 'PUT', url: `/v1/admin/actors/${newActor.id}/presence`, key: admin,
    body: { counties: [{ county: 'SE-M', office: 'Exportrådgivarna Malmö' }, { county: 'Blekinge', office: 'Exportrådgivarna Karlskrona' }] },
  });
  await r.record('adminSetActorPresence', 400, 'An office is required', {
    method: 'PUT', url: `/v1/admin/actors/${newActor.id}/presence`, key: admin, body: { counties: [{ county: 'SE-M' }] },
  });
  await r.record('adminSetExportCentreStartDate', 200, "Skåne's export centre started on 1 March 2026", {
    method: 'PUT', url: '/v1/admin/export-centres/Sk%C3%A5ne/start-date', key: admin, body: { startedOn: '2026-03-01', source: 'Regionstyrelsens beslut 2026-02-10, dnr RS 2026/123' },
  });
  await r.record('adminSetExportCentreStartDate', 400, 'No such date', {
    method: 'PUT', url: '/v1/admin/export-centres/Sk%C3%A5ne/start-date', key: admin, body: { startedOn: '2026-02-30', source: 'x' },
  });

  // --- Pilot experiments (admin): pre-registered for a start after the workflow, so no inquiry here is drawn ---
  const pilot = {
    id: 'second-contact-2027', name: 'Proaktiv andra kontakt',
    description: 'A second contact 30 days after the first raises the share of small first-time inquirers that start exporting within 12 months.',
    eligibility: { counties: ['Skåne', 'Halland'], sizeBands: ['0-9', '10-49'], firstTimeOnly: true },
    arms: [
      { id: 'standard', label: 'Standard', share: 0.5, instruction: { sv: 'Hantera som vanligt.', en: 'Handle as usual.' } },
      { id: 'second-contact', label: 'Second contact after 30 days', share: 0.5, instruction: { sv: 'Ring företaget igen 30 dagar efter första kontakten och anteckna det.', en: 'Call the company again 30 days after the first contact and note it.' } },
    ],
    startsAt: '2027-09-01T00:00:00+02:00', endsAt: '2028-09-01T00:00:00+02:00',
  };
  await r.record('adminCreateExperiment', 201, 'A pilot pre-registered before its start', { method: 'POST', url: '/v1/admin/experiments', key: admin, body: pilot });
  await r.record('adminCreateExperiment', 400, 'The arms’ shares do not add up to 1', {
    method: 'POST', url: '/v1/admin/experiments', key: admin, body: { ...pilot, id: 'uneven-2027', arms: pilot.arms.map((a) => ({ ...a, share: 0.4 })) },
  });
  await r.record('adminUpdateExperiment', 200, 'Corrected before the start', {
    method: 'PATCH', url: `/v1/admin/experiments/${pilot.id}`, key: admin, body: { name: 'Proaktiv andra kontakt (Skåne, Halland)' },
  });
  await r.record('adminListExperiments', 200, 'Every experiment and its state', { method: 'GET', url: '/v1/admin/experiments', key: admin });
  await r.record('adminGetExperiment', 200, 'One experiment, with its draws per arm', { method: 'GET', url: `/v1/admin/experiments/${pilot.id}`, key: admin });
  await r.record('adminGetExperiment', 404, 'No such experiment', { method: 'GET', url: '/v1/admin/experiments/no-such-pilot', key: admin });
  await r.send({ method: 'POST', url: '/v1/admin/experiments', key: admin, body: { ...pilot, id: 'cancelled-2027', name: 'Inställd pilot' } }, 201);
  await r.record('adminStopExperiment', 200, 'Stopped for good', { method: 'POST', url: '/v1/admin/experiments/cancelled-2027/stop', key: admin });
  await r.record('adminUpdateExperiment', 409, 'A stopped experiment cannot change', {
    method: 'PATCH', url: '/v1/admin/experiments/cancelled-2027', key: admin, body: { name: 'Ny pilot' },
  });

  // --- Where e-mail goes (admin, coordinators) ---
  await r.record('setNotificationAddress', 200, "Almi Skåne's shared mailbox", {
    method: 'PUT', url: '/v1/notification-addresses/SE-M/almi', key: admin, body: { emails: ['almi-skane@almi.example'] },
  });
  await r.send({ method: 'PUT', url: '/v1/notification-addresses/SE-M/export-centre', key: coordinator,
    body: { emails: ['exportcentrum@skane.example'], publicContact: 'exportcentrum@skane.example, 040-123 45 67' } }, 200);
  await r.send({ method: 'PUT', url: '/v1/notification-addresses/SE-M/business-sweden', key: admin, body: { emails: ['syd@business-sweden.example'] } }, 200);
  await r.record('setNotificationAddress', 400, 'Not an e-mail address', {
    method: 'PUT', url: '/v1/notification-addresses/SE-M/almi', key: admin, body: { emails: ['almi-skane'] },
  });
  await r.record('listNotificationAddresses', 200, "Skåne's addresses", { method: 'GET', url: '/v1/notification-addresses?county=SE-M', key: admin });
  await r.record('listNotificationAddresses', 403, 'Caseworker keys do not manage addresses', { method: 'GET', url: '/v1/notification-addresses', key: almi });

  // --- Webhooks (admin) ---
  control.publicDns = true; // the receiver's name resolves to a public address when it is checked at subscription
  const hook = await r.record('createWebhookSubscription', 201, "Almi's CRM wants its cases' events", {
    method: 'POST', url: '/v1/admin/webhooks', key: admin,
    body: { url: 'https://crm.almi.example/hooks/en-dorr-in', events: ['case.assigned', 'case.referred', 'case.closed'], actorId: 'almi', description: 'Almi CRM' },
  });
  await r.record('createWebhookSubscription', 400, 'No events chosen', {
    method: 'POST', url: '/v1/admin/webhooks', key: admin, body: { url: 'https://crm.almi.example/hooks/en-dorr-in', events: [] },
  });
  const hookId = hook.json().id as string;
  await r.record('listWebhookSubscriptions', 200, 'The subscriptions', { method: 'GET', url: '/v1/admin/webhooks', key: admin });
  await r.record('listWebhookSubscriptions', 403, 'Analyst keys do not manage webhooks', { method: 'GET', url: '/v1/admin/webhooks', key: analyst });
  await r.record('getWebhookSubscription', 200, "Almi's subscription", { method: 'GET', url: `/v1/admin/webhooks/${hookId}`, key: admin });
  await r.record('getWebhookSubscription', 404, 'No such subscription', { method: 'GET', url: `/v1/admin/webhooks/${UNKNOWN_ID}`, key: admin });
  await r.record('updateWebhookSubscription', 200, 'Also first contacts', {
    method: 'PATCH', url: `/v1/admin/webhooks/${hookId}`, key: admin, body: { events: ['case.assigned', 'case.referred', 'case.first_contact', 'case.closed'] },
  });
  await r.record('updateWebhookSubscription', 404, 'No such subscription', { method: 'PATCH', url: `/v1/admin/webhooks/${UNKNOWN_ID}`, key: admin, body: { enabled: false } });
  await r.record('rotateWebhookSecret', 200, 'A new secret; the old one signs beside it for a day', {
    method: 'POST', url: `/v1/admin/webhooks/${hookId}/rotate-secret`, key: admin, body: { gracePeriodHours: 24 },
  });
  await r.record('rotateWebhookSecret', 404, 'No such subscription', { method: 'POST', url: `/v1/admin/webhooks/${UNKNOWN_ID}/rotate-secret`, key: admin, body: {} });
  control.publicDns = false; // from now on the name resolves inside: every delivery is refused before any connection

  // --- A company asks through a form ---
  const inquiry = {
    company: { name: 'Snickeri i Växjö AB', orgNumber: '556036-0793', employees: 12 },
    contact: { name: 'Anna Andersson', email: 'anna@snickeri.example', phone: '070-123 45 67' },
    county: 'Skåne',
    message: LOAN,
    consent: true,
    followUpConsent: true,
  };
  const submitted = await r.record('createInquiry', 201, 'A company in Skåne asks about a loan (routed to Almi)', {
    method: 'POST', url: '/v1/inquiries', body: inquiry, headers: { 'idempotency-key': 'form-skane-2026-11-25-0001' },
  });
  await r.record('createInquiry', 400, 'No consent given', { method: 'POST', url: '/v1/inquiries', body: { ...inquiry, consent: false } });
  const caseId = submitted.json().id as string;
  const token = submitted.json().statusToken as string;
  await r.record('getInquiryStatus', 200, 'The company follows its inquiry', { method: 'GET', url: `/v1/status/${token}` });
  await r.record('getInquiryStatus', 404, 'No inquiry has this token', { method: 'GET', url: `/v1/status/${fakeStatusToken(99)}` });

  // A question too short to route goes to Skåne's triage queue; one that will bounce at the company's mail server.
  const triaged = (await r.send({ method: 'POST', url: '/v1/inquiries', body: { ...inquiry, message: 'Hej', followUpConsent: false, contact: { name: 'Per Persson', email: 'per@studsar.example' } } }, 201)).json() as { id: string };

  // A caseworker registers a call.
  await r.record('registerCase', 201, 'Almi registers a phone call from this morning', {
    method: 'POST', url: '/v1/cases', key: almi, headers: { 'idempotency-key': 'almi-crm-call-48213' },
    body: {
      channel: 'phone', receivedAt: new Date(clock.now - HOUR).toISOString(), county: 'Skåne', message: EXPORT,
      company: { name: 'Möbelfabriken i Hässleholm AB', employees: 40 }, contact: { name: 'Lars Larsson', email: 'lars@mobelfabriken.example' },
    },
  });
  await r.record('registerCase', 400, 'A call in the future', {
    method: 'POST', url: '/v1/cases', key: almi, headers: { 'idempotency-key': 'almi-crm-call-48214' },
    body: { channel: 'phone', receivedAt: new Date(clock.now + DAY).toISOString(), county: 'Skåne', message: EXPORT, company: { name: 'Möbelfabriken i Hässleholm AB' }, contact: { name: 'Lars Larsson', email: 'lars@mobelfabriken.example' } },
  });
  await dispatch(); // receipts and webhooks go out (the bounce becomes a dead letter; the webhooks are refused and retried later)

  // --- Caseworkers ---
  await r.record('listCases', 200, "Almi's assigned cases, oldest deadline first", { method: 'GET', url: '/v1/cases?status=assigned&limit=10', key: almi });
  await r.record('listCases', 400, 'An unknown query parameter', { method: 'GET', url: '/v1/cases?format=csv', key: almi });
  const read = await r.record('getCase', 200, 'The case, with the company and its contact', { method: 'GET', url: `/v1/cases/${caseId}`, key: almi });
  await r.record('getCase', 404, 'No such case (or not this key\'s)', { method: 'GET', url: `/v1/cases/${UNKNOWN_ID}`, key: almi });
  const tag = read.headers.etag as string;
  const claimed = await r.record('claimCase', 200, 'Almi claims it (If-Match: its ETag)', { method: 'POST', url: `/v1/cases/${caseId}/claim`, key: almi, headers: { 'if-match': tag } });
  await r.record('claimCase', 412, 'The case changed since that ETag', { method: 'POST', url: `/v1/cases/${caseId}/claim`, key: almi, headers: { 'if-match': tag } });
  const released = await r.record('releaseCase', 200, 'Handed back to the actor\'s queue', { method: 'POST', url: `/v1/cases/${caseId}/release`, key: almi, headers: { 'if-match': claimed.headers.etag as string } });
  await r.record('releaseCase', 409, 'Nobody holds it', { method: 'POST', url: `/v1/cases/${caseId}/release`, key: almi });
  await r.send({ method: 'POST', url: `/v1/cases/${caseId}/claim`, key: almi, headers: { 'if-match': released.headers.etag as string } }, 200);
  clock.now += 2 * HOUR;
  await r.record('firstContactCase', 200, 'Almi called the company a minute ago', {
    method: 'POST', url: `/v1/cases/${caseId}/first-contact`, key: almi, body: { channel: 'phone', at: new Date(clock.now - 60_000).toISOString(), note: 'Booked a meeting on Friday' },
  });
  await r.record('firstContactCase', 409, 'First contact is already recorded', {
    method: 'POST', url: `/v1/cases/${caseId}/first-contact`, key: almi, body: { channel: 'email' },
  });
  await r.record('noteCase', 200, 'A note after a joint meeting', {
    method: 'POST', url: `/v1/cases/${caseId}/note`, key: almi, body: { text: 'Met the company with Business Sweden: loan application started', withActors: ['business-sweden'] },
  });
  await r.record('noteCase', 404, 'No such case', { method: 'POST', url: `/v1/cases/${UNKNOWN_ID}/note`, key: almi, body: { text: 'x' } });
  await r.record('explainCaseDeadline', 200, 'How the one-working-day deadline was reckoned', { method: 'GET', url: `/v1/cases/${caseId}/deadline`, key: almi });
  await r.record('explainCaseDeadline', 404, 'No such case', { method: 'GET', url: `/v1/cases/${UNKNOWN_ID}/deadline`, key: almi });
  await r.record('referCase', 422, 'That actor does not serve the county', {
    method: 'POST', url: `/v1/cases/${caseId}/refer`, key: almi, body: { toActor: 'chamber-vast', kind: 'additional-need', reason: 'Distributors in Germany' },
  });
  await r.record('referCase', 200, 'Helped with the loan; Business Sweden takes the export question', {
    method: 'POST', url: `/v1/cases/${caseId}/refer`, key: almi, body: { toActor: 'business-sweden', kind: 'additional-need', reason: 'Helped with the loan; also wants distributors in Germany' },
  });
  await r.record('closeCase', 412, 'An old ETag: the case has changed since', {
    method: 'POST', url: `/v1/cases/${caseId}/close`, key: businessSweden, body: { outcome: 'helped' }, headers: { 'if-match': '"1"' },
  });
  await r.record('closeCase', 200, 'Business Sweden closes it: helped', {
    method: 'POST', url: `/v1/cases/${caseId}/close`, key: businessSweden, body: { outcome: 'helped', note: 'Three distributor contacts sent' },
  });
  await r.record('listCaseEvents', 200, "The case's history", { method: 'GET', url: `/v1/cases/${caseId}/events`, key: businessSweden });
  await r.record('listCaseEvents', 404, 'Almi no longer has the case', { method: 'GET', url: `/v1/cases/${caseId}/events`, key: almi });

  // --- The coordinator's triage ---
  await r.record('listTriage', 200, "Skåne's triage queue", { method: 'GET', url: '/v1/triage?county=SE-M', key: coordinator });
  await r.record('listTriage', 403, 'Caseworker keys have no triage queue', { method: 'GET', url: '/v1/triage', key: almi });
  await r.record('assignCase', 422, 'No such actor', { method: 'POST', url: `/v1/cases/${triaged.id}/assign`, key: coordinator, body: { actor: 'no-such-actor' } });
  await r.record('assignCase', 200, 'The coordinator called the company and gives the case to Almi', {
    method: 'POST', url: `/v1/cases/${triaged.id}/assign`, key: coordinator, body: { actor: 'almi', note: 'Wants a loan for a new machine' },
  });

  // --- The company's own answers ---
  await r.record('answerFollowUp', 201, 'The company answers the two questions', {
    method: 'POST', url: `/v1/status/${token}/feedback`, body: { rightActorInTime: 'yes', gotHelp: 'partly', comment: 'Quick call, the loan is still being decided' },
  });
  await r.record('answerFollowUp', 409, 'Already answered', { method: 'POST', url: `/v1/status/${token}/feedback`, body: { rightActorInTime: 'yes', gotHelp: 'yes' } });

  // --- Statistics (analysts) ---
  await r.record('registerMysteryTest', 201, 'This inquiry was a mystery test expecting Almi', {
    method: 'POST', url: '/v1/stats/tests', key: analyst, body: { reference: (await r.send({ method: 'POST', url: '/v1/inquiries', body: { ...inquiry, followUpConsent: false } }, 201)).json().reference, expectedActor: 'almi' },
  });
  await r.record('registerMysteryTest', 404, 'No inquiry has this reference', { method: 'POST', url: '/v1/stats/tests', key: analyst, body: { reference: 'REC-2026-999999', expectedActor: 'almi' } });
  const period = 'from=2026-11-01&to=2026-11-30';
  await r.record('getMysteryTestScores', 200, "November's mystery tests", { method: 'GET', url: `/v1/stats/tests?${period}`, key: analyst });
  await r.record('getMysteryTestScores', 400, 'The period ends before it starts', { method: 'GET', url: '/v1/stats/tests?from=2026-11-30&to=2026-11-01', key: analyst });
  const csv = { accept: 'text/csv' };
  await r.record('getComplianceStatistics', 200, 'November by county (JSON)', { method: 'GET', url: `/v1/stats/compliance?${period}&groupBy=county`, key: analyst });
  await r.record('getComplianceStatistics', 200, 'November by county (CSV)', { method: 'GET', url: `/v1/stats/compliance?${period}&groupBy=county`, key: analyst, headers: csv });
  await r.record('getComplianceStatistics', 400, 'The period is missing its end', { method: 'GET', url: '/v1/stats/compliance?from=2026-11-01', key: analyst });
  await r.record('getReferralStatistics', 200, "November's referrals (JSON)", { method: 'GET', url: `/v1/stats/referrals?${period}`, key: analyst });
  await r.record('getReferralStatistics', 200, "November's referrals (CSV)", { method: 'GET', url: `/v1/stats/referrals?${period}`, key: analyst, headers: csv });
  await r.record('getReferralStatistics', 403, 'Caseworker keys do not read statistics', { method: 'GET', url: `/v1/stats/referrals?${period}`, key: almi });
  await r.record('getIndicators', 200, "2026's indicators for Skåne (JSON)", { method: 'GET', url: '/v1/stats/indicators?year=2026&county=SE-M', key: analyst });
  await r.record('getIndicators', 200, "2026's indicators for Skåne (CSV)", { method: 'GET', url: '/v1/stats/indicators?year=2026&county=SE-M', key: analyst, headers: csv });
  await r.record('getIndicators', 400, 'No year', { method: 'GET', url: '/v1/stats/indicators', key: analyst });
  await r.record('getRoutingStatistics', 200, "November's routing quality", { method: 'GET', url: `/v1/stats/routing?${period}`, key: analyst });
  await r.record('getRoutingStatistics', 400, 'Not a date', { method: 'GET', url: '/v1/stats/routing?from=november&to=2026-11-30', key: analyst });

  // --- History from an earlier system (admin) ---
  const lines = [
    { externalId: 'M-2025-0042', receivedAt: '2025-03-27T15:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance', firstContactAt: '2025-03-31T09:10:00+02:00' },
    { externalId: 'M-2025-0043', receivedAt: '2025-03-28T10:00:00+01:00', county: 'SE-M', actor: 'almi', topic: 'loans-growth-finance' },
  ];
  await r.record('importCases', 200, 'Two cases from the old CRM, as NDJSON', {
    method: 'POST', url: '/v1/admin/import', key: admin, contentType: 'application/x-ndjson', body: `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
  });
  await r.record('importCases', 415, 'JSON is not NDJSON', { method: 'POST', url: '/v1/admin/import', key: admin, contentType: 'application/json', body: JSON.stringify(lines) });

  // --- Notifications: the outbox and dead letters (admin) ---
  await r.record('listOutboxMessages', 200, 'E-mail that could not be delivered', { method: 'GET', url: '/v1/admin/outbox?status=dead&channel=email', key: admin });
  await r.record('listOutboxMessages', 400, 'No such status', { method: 'GET', url: '/v1/admin/outbox?status=lost', key: admin });
  const deadMail = (await r.send({ method: 'GET', url: '/v1/admin/outbox?status=dead&channel=email', key: admin }, 200)).json().items[0] as { id: string };
  await r.record('retryOutboxMessage', 202, 'Send the receipt again (the address was corrected at the company)', { method: 'POST', url: `/v1/admin/outbox/${deadMail.id}/retry`, key: admin });
  await r.record('retryOutboxMessage', 404, 'No such message', { method: 'POST', url: `/v1/admin/outbox/${UNKNOWN_ID}/retry`, key: admin });
  // The webhooks were refused (the receiver's name now resolves inside) until they are a day old: dead letters.
  for (let i = 0; i < 200; i++) {
    const pending = (await r.send({ method: 'GET', url: `/v1/admin/webhooks/${hookId}/deliveries?status=pending`, key: admin }, 200)).json().items as { nextAttemptAt: string | null }[];
    if (pending.length === 0) break;
    clock.now = Math.max(clock.now, ...pending.map((p) => Date.parse(p.nextAttemptAt ?? '') || 0));
    await dispatch();
  }
  await r.record('listWebhookDeliveries', 200, "Deliveries to Almi's CRM that gave up after a day", { method: 'GET', url: `/v1/admin/webhooks/${hookId}/deliveries?status=dead`, key: admin });
  await r.record('listWebhookDeliveries', 404, 'No such subscription', { method: 'GET', url: `/v1/admin/webhooks/${UNKNOWN_ID}/deliveries`, key: admin });
  const deadHook = (await r.send({ method: 'GET', url: `/v1/admin/webhooks/${hookId}/deliveries?status=dead`, key: admin }, 200)).json().items[0] as { id: string };
  await r.record('retryWebhookDelivery', 202, 'Send it again now', { method: 'POST', url: `/v1/admin/webhooks/${hookId}/deliveries/${deadHook.id}/retry`, key: admin });
  await r.record('retryWebhookDelivery', 404, 'No such delivery', { method: 'POST', url: `/v1/admin/webhooks/${hookId}/deliveries/${UNKNOWN_ID}/retry`, key: admin });

  // --- Follow-up over months: the first wave, six months after closing ---
  await r.record('getFollowUpWaves', 200, 'The waves planned at closing', { method: 'GET', url: `/v1/status/${token}/follow-up` });
  await r.record('getFollowUpWaves', 404, 'No inquiry has this token', { method: 'GET', url: `/v1/status/${fakeStatusToken(99)}/follow-up` });
  await r.record('answerFollowUpWave', 409, 'The six-month wave is not open yet', {
    method: 'POST', url: `/v1/status/${token}/follow-up/6`, body: { exporting: 'started', newMarkets: ['DE'], exportShare: 'under-10', contribution: 'yes' },
  });
  clock.now = Date.parse('2027-05-25T08:00:00Z');
  app.followUp.run(clock.now);
  await r.record('answerFollowUpWave', 201, 'Six months on: exporting to Germany and Denmark', {
    method: 'POST', url: `/v1/status/${token}/follow-up/6`, body: { exporting: 'started', newMarkets: ['DE', 'DK'], exportShare: '10-24', contribution: 'yes', comment: 'The distributor contacts worked' },
  });
  await r.record('withdrawFollowUpConsentPage', 200, 'The page that asks to confirm', { method: 'GET', url: `/v1/status/${token}/follow-up/withdraw` });
  await r.record('withdrawFollowUpConsentPage', 404, 'No inquiry has this token', { method: 'GET', url: `/v1/status/${fakeStatusToken(99)}/follow-up/withdraw` });
  await r.record('withdrawFollowUpConsent', 200, 'No more follow-up questions', { method: 'POST', url: `/v1/status/${token}/follow-up/withdraw` });
  await r.record('withdrawFollowUpConsent', 404, 'No inquiry has this token', { method: 'POST', url: `/v1/status/${fakeStatusToken(99)}/follow-up/withdraw` });
  const cohort = 'cohortFrom=2026-11&cohortTo=2026-11';
  await r.record('getEffectStatistics', 200, "Effects for November's inquiries (JSON)", { method: 'GET', url: `/v1/stats/effects?${cohort}`, key: analyst });
  await r.record('getEffectStatistics', 200, "Effects for November's inquiries (CSV)", { method: 'GET', url: `/v1/stats/effects?${cohort}`, key: analyst, headers: csv });
  await r.record('getEffectStatistics', 400, 'Not a month', { method: 'GET', url: '/v1/stats/effects?cohortFrom=2026-13&cohortTo=2026-11', key: analyst });
  await r.record('getResearchExtract', 200, "November's inquiries, one pseudonymised row each (NDJSON)", { method: 'GET', url: `/v1/research/extract?${cohort}`, key: researcher, headers: { accept: 'application/x-ndjson' } });
  await r.record('getResearchExtract', 200, "November's inquiries, one pseudonymised row each (CSV)", { method: 'GET', url: `/v1/research/extract?${cohort}`, key: researcher, headers: csv });
  await r.record('getResearchExtract', 403, 'Only researcher keys read the extract', { method: 'GET', url: `/v1/research/extract?${cohort}`, key: analyst });

  // --- Privacy: erasure on request ---
  await r.record('eraseCase', 200, 'The company asked to be forgotten', { method: 'POST', url: `/v1/cases/${caseId}/erase`, key: admin, body: { requestReference: 'DNR-2027/118' } });
  await r.record('eraseCase', 404, 'No such case', { method: 'POST', url: `/v1/cases/${UNKNOWN_ID}/erase`, key: admin, body: {} });
  await r.record('eraseCompany', 200, "Every inquiry of the company (one was erased already)", { method: 'POST', url: '/v1/admin/erasure', key: admin, body: { orgNumber: '556036-0793', requestReference: 'DNR-2027/119' } });
  await r.record('eraseCompany', 400, 'Not an organisation number', { method: 'POST', url: '/v1/admin/erasure', key: admin, body: { orgNumber: '12345' } });
  await r.record('listAuditRecords', 200, 'Who did what, newest first', { method: 'GET', url: '/v1/admin/audit?limit=5', key: admin });
  await r.record('listAuditRecords', 403, 'Coordinators do not read the audit log', { method: 'GET', url: '/v1/admin/audit', key: coordinator });

  // --- Metrics and clean-up ---
  await r.record('metrics', 200, 'Prometheus scrapes (the first of the service\'s own metrics)', {
    method: 'GET', url: '/metrics', key: metrics,
    excerpt: (text) => `${text.split('\n').filter((line) => /^(# (HELP|TYPE) )?en_dorr_in_/.test(line)).slice(0, MAX_TEXT_LINES).join('\n')}\n`,
  });
  await r.record('metrics', 403, 'Only metrics keys', { method: 'GET', url: '/metrics', key: analyst });
  await r.record('deleteNotificationAddress', 204, 'Business Sweden gets no more mail about Skåne', { method: 'DELETE', url: '/v1/notification-addresses/SE-M/business-sweden', key: admin });
  await r.record('deleteNotificationAddress', 404, 'No address was set', { method: 'DELETE', url: '/v1/notification-addresses/SE-M/business-sweden', key: admin });
  await r.record('deleteWebhookSubscription', 204, 'The CRM stops receiving events', { method: 'DELETE', url: `/v1/admin/webhooks/${hookId}`, key: admin });
  await r.record('deleteWebhookSubscription', 404, 'No such subscription', { method: 'DELETE', url: `/v1/admin/webhooks/${hookId}`, key: admin });
}

// ---------------------------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------------------------

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-examples-'));
const config = testConfig({
  DATABASE_PATH: path.join(dir, 'examples.db'),
  PUBLIC_BASE_URL: 'https://exportcentrum.example',
  STATUS_LINK_SECRET: 'examples-status-link-secret-0123456789abcdef',
  ORG_KEY_SECRET: 'examples-org-key-secret-0123456789abcdefghijkl',
  RESEARCH_PSEUDONYM_SECRET: 'examples-research-key-0123456789abcdefghij',
  SMTP_URL: 'smtp://mail.exportcentrum.example:587',
  MAIL_FROM: 'Exportcentrum <no-reply@exportcentrum.example>',
  FOLLOW_UP_DELAY_DAYS: 0,
});
const db = openDatabase(config.DATABASE_PATH);
migrateDatabase(db);
const clock = { now: Date.parse(START) };
const control = { publicDns: false };
const app = await buildApp({
  config, db, clock: () => clock.now,
  notifications: {
    // No mail and no webhook leaves this machine: the mail server is a stand-in that refuses one domain for good,
    // and a receiver's name resolves to a public address only while a subscription is checked (deliveries are refused).
    emailSender: {
      async send(mail): Promise<Attempt> {
        return mail.to.endsWith('@studsar.example') ? { ok: false, status: 550, error: '550 5.1.1 mailbox unavailable', permanent: true } : { ok: true, status: 250 };
      },
      async verify() {},
      close() {},
    },
    lookup: async () => [{ address: control.publicDns ? '93.184.215.14' : '127.0.0.1', family: 4 }],
    random: () => 0.5,
    wallClock: () => clock.now,
  },
});
await app.ready();
try {
  const recorder = new Recorder(app, app.swagger() as Record<string, unknown>);
  await workflow(recorder, app, clock, control);

  const missing: string[] = [];
  for (const [id, op] of operationsOf(app.swagger() as Record<string, unknown>)) {
    const recorded = recorder.operations[id];
    const statuses = Object.keys(recorded?.responses ?? {});
    // An answer with a body needs a success example; one without (204) at least its error's.
    const successHasBody = Object.entries(op.responses as Record<string, { content?: unknown }>).some(([s, r]) => Number(s) < 400 && r.content);
    if (!recorded || statuses.length === 0) missing.push(`${id} (nothing recorded)`);
    else if (successHasBody && !statuses.some((s) => Number(s) < 400)) missing.push(`${id} (no success answer)`);
    if (op.requestBody && !recorded?.request) missing.push(`${id} (no request body)`);
  }
  if (missing.length > 0) {
    console.error(`No example recorded for ${missing.length} operation(s); add their calls to scripts/record-openapi-examples.ts:\n  ${missing.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    const operations = recorder.sanitized();
    const sorted = Object.fromEntries(Object.keys(operations).sort().map((id) => [id, operations[id]!]));
    const file: ExamplesFile = {
      $comment: 'Recorded from the real service by `npm run openapi:examples` (scripts/record-openapi-examples.ts); merged into openapi/openapi.json by `npm run openapi:generate`. Lists are cut to their first items and text to its first lines; secrets are fake.',
      operations: sorted,
    };
    fs.writeFileSync(EXAMPLES_FILE, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), EXAMPLES_FILE)}: examples for ${Object.keys(sorted).length} operations`);
  }
} finally {
  await app.close();
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
