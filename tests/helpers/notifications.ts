import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { Webhook } from 'standardwebhooks';

/** One e-mail as a real SMTP server received it, parsed by mailparser. */
export interface ReceivedMail {
  envelopeTo: string[];
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  /** The whole message as it came over the wire. */
  raw: string;
}

export interface TestSmtpServer {
  url: string;
  mails: ReceivedMail[];
  /** Decides the answer to each RCPT TO: undefined accepts, else an SMTP reply code and text. */
  rcpt: (address: string) => { code: number; message: string } | undefined;
  /** Answers each message's DATA only after this many milliseconds (a slow server). */
  dataDelayMs: number;
  close(): Promise<void>;
}

/** A real SMTP server on a loopback port (the `smtp-server` package); every message parsed with `mailparser`. */
export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const state: TestSmtpServer = { url: '', mails: [], rcpt: () => undefined, dataDelayMs: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200, // pooled client connections are closed rather than waited for
    onRcptTo(address, _session, callback) {
      const refusal = state.rcpt(address.address);
      if (refusal) callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then((parsed) => {
          state.mails.push({
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            to: parsed.to ? [parsed.to].flat().map((a) => a.text).join(', ') : '',
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            headers: parsed.headers,
            raw: raw.toString('utf8'),
          });
          if (state.dataDelayMs > 0) setTimeout(() => callback(), state.dataDelayMs);
          else callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${actual}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

export interface ReceivedHook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; occurredAt: string; data: Record<string, unknown> };
  /** Which of the receiver's secrets verified the delivery (the standardwebhooks package). */
  verifiedWith: string[];
  headers: http.IncomingHttpHeaders;
}

export interface TestReceiver {
  url: string;
  received: ReceivedHook[];
  /** The secrets the receiver knows; each delivery is verified against every one. */
  secrets: string[];
  /** The status to answer with (default 204), decided per delivery. */
  respond: (hook: ReceivedHook) => number | { status: number; headers?: Record<string, string> };
  /** Requests that arrived but were answered only after this many milliseconds (a slow receiver). */
  delayMs: number;
  close(): Promise<void>;
}

/** A real HTTP receiver on loopback that verifies Standard Webhooks signatures with the `standardwebhooks` package. */
export async function startReceiver(): Promise<TestReceiver> {
  const state: TestReceiver = { url: '', received: [], secrets: [], respond: () => 204, delayMs: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verifiedWith = state.secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      const hook: ReceivedHook = {
        id: String(req.headers['webhook-id']), timestamp: String(req.headers['webhook-timestamp']), signature: String(req.headers['webhook-signature']),
        body, payload: body ? JSON.parse(body) : null, verifiedWith, headers: req.headers,
      };
      state.received.push(hook);
      const answer = state.respond(hook);
      const { status, headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
      const send = () => { res.writeHead(status, headers); res.end(); };
      if (state.delayMs > 0) setTimeout(send, state.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/hooks`;
  state.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return state;
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
