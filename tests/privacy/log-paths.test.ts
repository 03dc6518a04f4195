import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, genReqId, loggablePath, traceIdOf } from '../../src/plugins/logging.js';
import { buildTestApp, inquiry } from '../helpers/app.js';

/**
 * Secrets in URLs never reach the log, however the path is spelled: status tokens in other spellings of the
 * status path (percent-encoded, upper case, doubled slashes, doubly encoded), a status token pasted anywhere,
 * and API keys pasted into a path. And the request id follows W3C traceparent when a caller sends one.
 */
describe('logged paths', () => {
  it('masks status tokens and API keys in every spelling, after decoding', () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';
    expect(loggablePath(`/v1/status/${token}`)).toBe('/v1/status/[token]');
    expect(loggablePath(`/v1/%73tatus/${token}`)).toBe('/v1/status/[token]');
    expect(loggablePath(`/v1/%2573tatus/short-token-123`)).toBe('/v1/status/[token]');
    expect(loggablePath(`/V1/STATUS/${token}/feedback?x=1`)).toBe('/V1/STATUS/[token]/feedback');
    expect(loggablePath(`/v1//status//${token}`)).toBe('/v1/status/[token]');
    expect(loggablePath(`/v1/status/%41bc%zz${token}`)).toBe('/v1/status/[token]');
    expect(loggablePath(`/v1/cases/${token}`)).toBe('/v1/cases/[token]');
    expect(loggablePath('/v1/cases/edi_0123456789abcdef_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2Vj/claim')).toBe('/v1/cases/edi_[api-key]/claim');
    expect(loggablePath('/v1/%65di_0123456789abcdef_c2VjcmV0')).toBe('/v1/edi_[api-key]');
    // Ordinary paths stay readable.
    expect(loggablePath('/v1/cases/0191a5e0-7c1e-7b2a-9a3c-1234567890ab/events')).toBe('/v1/cases/0191a5e0-7c1e-7b2a-9a3c-1234567890ab/events');
    expect(loggablePath('/v1/counties/Sk%C3%A5ne')).toBe('/v1/counties/Skåne');
  });

  it('the log of requests with tokens in odd spellings holds neither the tokens nor the key', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    const t = await buildTestApp({}, { logger: createLogger('trace', sink) });
    const admin = t.app.apiKeys.create({ role: 'admin', label: 'Ops' }, 'test');
    const created = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry() });
    const token = new URL(created.json().statusUrl).pathname.split('/').pop()!;
    const secret = admin.token.split('_').slice(2).join('_');
    const spellings = [
      `/v1/status/${token}`, `/v1/%73tatus/${token}`, `/V1/status/${token}`, `/v1//status/${token}`, `/v1/status/${token}/`,
      `/v1/%2573tatus/${token}`, `/v1/status/${encodeURIComponent(token).replace(/[A-Z]/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
      `/v1/cases/${admin.token}`, `/v1/${admin.token}`, `/v1/${encodeURIComponent(admin.token).replace('e', '%65')}`,
      `/v1/status/${token}/feedback`, `/v1/status/${token}%zz`,
    ];
    for (const url of spellings) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(500);
    }
    await t.close();
    const log = lines.join('');
    expect(log).toContain('/v1/status/[token]');
    expect(log.includes(token), 'a status token is in the log').toBe(false);
    expect(log.includes(secret), "an API key's secret is in the log").toBe(false);
    expect(log.includes(admin.token)).toBe(false);
  });
});

describe('request ids', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

  it('take the trace id of a valid W3C traceparent, before X-Request-Id', () => {
    expect(traceIdOf(traceparent)).toBe(traceId);
    expect(genReqId({ headers: { traceparent, 'x-request-id': 'caller-chosen-id' } })).toBe(traceId);
    for (const bad of [
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${traceId}-${'0'.repeat(16)}-01`, `ff-${traceId}-00f067aa0ba902b7-01`,
      `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`, `00-${traceId}-00f067aa0ba902b7-01-extra`, 'garbage', `00-${traceId}-00f067aa0ba902b7`,
    ]) expect(traceIdOf(bad), bad).toBeNull();
    // A future version may append fields.
    expect(traceIdOf(`01-${traceId}-00f067aa0ba902b7-01-more`)).toBe(traceId);
    expect(genReqId({ headers: { traceparent: 'garbage', 'x-request-id': 'caller-chosen-id' } })).toBe('caller-chosen-id');
  });

  it('echo the trace id in X-Request-Id and in problem details', async () => {
    const t = await buildTestApp();
    const ok = await t.app.inject({ method: 'GET', url: '/health/live', headers: { traceparent } });
    expect(ok.headers['x-request-id']).toBe(traceId);
    const problem = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: { consent: true }, headers: { traceparent } });
    expect(problem.statusCode).toBe(400);
    expect(problem.headers['x-request-id']).toBe(traceId);
    expect(problem.json().requestId).toBe(traceId);
    await t.close();
  });
});
