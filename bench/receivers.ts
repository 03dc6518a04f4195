import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';

/**
 * The far ends for the notifications benchmark, in their own process so that they do not share the
 * service's event loop: an SMTP server that accepts every message, and a webhook receiver that verifies
 * each signature (WEBHOOK_SECRET, set by POST /secret). GET /counts answers how many arrived.
 */
let mails = 0;
let hooks = 0;
let badSignatures = 0;
let verifier: Webhook | null = null;

const smtp = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS'], logger: false, closeTimeout: 100,
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => { mails++; callback(); });
  },
});
await new Promise<void>((resolve) => smtp.listen(Number(process.env.SMTP_PORT ?? 0), '127.0.0.1', resolve));

const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/health/live') {
      res.writeHead(200).end();
      return;
    }
    if (req.url === '/counts') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ mails, hooks, badSignatures }));
      return;
    }
    if (req.url === '/secret') {
      verifier = new Webhook(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
      return;
    }
    try {
      verifier?.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
    } catch {
      badSignatures++;
    }
    hooks++;
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));

process.stdout.write(`${JSON.stringify({ smtpPort: (smtp.server.address() as AddressInfo).port, httpPort: (receiver.address() as AddressInfo).port })}\n`);
process.on('SIGTERM', () => { receiver.close(); smtp.close(() => process.exit(0)); });
