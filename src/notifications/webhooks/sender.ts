import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Attempt } from '../dispatcher.js';
import { addressProblem, guardedLookup, literalAddress, systemLookup, type Lookup } from './ssrf.js';

/**
 * Delivers one webhook as the Standard Webhooks specification says: POST of the JSON body with
 * `webhook-id` (the outbox id, the same on every retry), `webhook-timestamp` (seconds, when this
 * attempt is sent: receivers compare it with their own clock to refuse replays, so it is wall-clock
 * time, not the service's domain clock) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.body`, made by the `standardwebhooks` package). During a secret's grace period after a
 * rotation the header carries two signatures, one per secret, and either verifies.
 * Any 2xx is delivered; 410 Gone means the receiver wants no more; everything else, a timeout (10 s)
 * or a refused address is a failed attempt. Redirects are not followed (node's http does not follow them).
 */
export interface OutgoingWebhook { id: string; url: string; body: string; secrets: string[] }

export interface WebhookSender { send(hook: OutgoingWebhook): Promise<Attempt>; close(): void }

export interface WebhookSenderOptions {
  allowPrivate: boolean;
  lookup?: Lookup;
  timeoutMs?: number;
  wallClock?: () => number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** The signature header for a message: one `v1,…` per secret, space-separated. */
export function signatureHeader(secrets: string[], id: string, timestampSeconds: number, body: string): string {
  const at = new Date(timestampSeconds * 1000);
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ');
}

export function createWebhookSender({ allowPrivate, lookup = systemLookup, timeoutMs = 10_000, wallClock = Date.now }: WebhookSenderOptions): WebhookSender {
  // Keep-alive: a burst of events to one receiver reuses its connection (and skips the TLS handshake).
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 8 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 8 }) };
  const safeLookup = guardedLookup(lookup);

  return {
    send(hook) {
      return new Promise<Attempt>((resolve) => {
        let url: URL;
        try {
          url = new URL(hook.url);
        } catch {
          resolve({ ok: false, status: null, error: 'invalid URL' });
          return;
        }
        if (!allowPrivate) {
          if (url.protocol !== 'https:') { resolve({ ok: false, status: null, error: 'refused: not https' }); return; }
          const literal = literalAddress(url);
          const problem = literal ? addressProblem(literal) : null;
          if (problem) { resolve({ ok: false, status: null, error: `refused: ${problem}` }); return; }
        }
        const timestamp = Math.floor(wallClock() / 1000);
        const body = Buffer.from(hook.body);
        const client = url.protocol === 'https:' ? https : http;
        let settled = false;
        const done = (attempt: Attempt) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(attempt);
        };
        const request = client.request(url, {
          method: 'POST',
          agent: agents[url.protocol as 'http:' | 'https:'],
          ...(allowPrivate ? {} : { lookup: safeLookup }),
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'user-agent': 'en-dorr-in-webhooks/1',
            'webhook-id': hook.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signatureHeader(hook.secrets, hook.id, timestamp, hook.body),
          },
        }, (response) => {
          const status = response.statusCode ?? 0;
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > MAX_RESPONSE_BYTES) response.destroy();
          });
          const finish = () => {
            if (status >= 200 && status < 300) done({ ok: true, status });
            else if (status === 410) done({ ok: false, status, gone: true, error: '410 Gone: the receiver asked for no more deliveries' });
            else if (status >= 300 && status < 400) done({ ok: false, status, error: `${status}: redirects are not followed` });
            else done({ ok: false, status, error: `HTTP ${status}` });
          };
          response.on('end', finish);
          response.on('close', finish);
          response.on('error', finish);
        });
        const timer = setTimeout(() => {
          request.destroy();
          done({ ok: false, status: null, error: `timeout: no answer within ${timeoutMs / 1000} s` });
        }, timeoutMs);
        request.on('error', (error: NodeJS.ErrnoException) => {
          done({ ok: false, status: null, error: error.code === 'EADDRNOTALLOWED' ? error.message : `${error.code ?? 'ERROR'}: ${error.message}`.slice(0, 500) });
        });
        request.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
