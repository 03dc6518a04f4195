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

const STATUS_TOKEN = /\/v1\/status\/[^/?]+/;

/** The service's logger; tests pass a destination to capture the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        url: req.url.split('?')[0]!.replace(STATUS_TOKEN, '/v1/status/[token]'),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Accepts a caller's X-Request-Id when it is sane, so one id follows a request across systems. */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && /^[\w.:-]{8,128}$/.test(incoming)) return incoming;
  return randomUUID();
}
