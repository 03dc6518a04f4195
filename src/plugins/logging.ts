import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Logger and request-id settings. Personal data never reaches the logs: request bodies are never
 * logged, the request serializer keeps only method and path (status tokens masked), and the redaction
 * list catches the personal fields should any code log an inquiry by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie',
  'contact', 'contact.*', 'company.name', 'company.orgNumber', 'message', 'subject',
  'body', 'body.*', '*.contact', '*.contactName', '*.contactEmail', '*.contactPhone', '*.email', '*.phone',
  '*.orgNumber', '*.companyName', 'inquiry.message', 'payload.message', '*.subject', '*.personnummer',
];

/**
 * A path as it may be logged: decoded (percent-encoding undone, repeatedly, so `%2573tatus` cannot hide a
 * segment), with runs of slashes collapsed, and with every secret masked wherever it appears: the segment after
 * any `status` segment (any case: `/V1/status/<token>`, `/v1//status/<token>`, `/v1/%73tatus/<token>`), any segment
 * shaped like a status token (43 base64url characters, as an HMAC-SHA256 is), and anything shaped like an API key
 * (`edi_<id>_…`, also pasted into a path). The query string is never logged at all.
 */
export function loggablePath(url: string): string {
  let path = url.split('?')[0]!.split('#')[0]!;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(path); i++) path = decodePercent(path);
  return path
    .replace(/\/{2,}/g, '/')
    .replace(/edi_[0-9a-f]{0,16}_?[^/\s]*/gi, 'edi_[api-key]')
    .split('/')
    .map((segment, i, all) => (i > 0 && /^status$/i.test(all[i - 1]!) && segment !== '') || /^[A-Za-z0-9_-]{40,}$/.test(segment) ? '[token]' : segment)
    .join('/');
}

/** decodeURIComponent, falling back to byte-wise decoding when the path holds a malformed sequence (e.g. `%zz`, a lone `%C3`). */
function decodePercent(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** The service's logger; tests pass a destination to capture the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        url: loggablePath(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** W3C Trace Context: version-traceid-parentid-flags; an all-zero trace or parent id is invalid, version ff is forbidden. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;

/** The trace id of a valid `traceparent` header, else null. */
export function traceIdOf(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, parentId, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return null;
  return traceId!;
}

/**
 * The request id, so that one id follows a request across systems: the trace id of a W3C `traceparent` when the
 * caller sends one (an API gateway or a tracing client), else a sane `X-Request-Id`, else a new UUID.
 */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const traceId = traceIdOf(req.headers.traceparent);
  if (traceId) return traceId;
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && /^[\w.:-]{8,128}$/.test(incoming)) return incoming;
  return randomUUID();
}
