import nodemailer, { type NodemailerError } from 'nodemailer';
import type { RenderedMail } from './templates.js';
import type { Attempt } from '../dispatcher.js';

/**
 * E-mail over SMTP with nodemailer: a small pool of connections (a burst of receipts reuses them
 * instead of a handshake per message), timeouts well inside the dispatcher's lease, and the outbox id
 * as the Message-ID so that a message sent twice (at least once) is recognisably the same. No
 * tracking: nothing is added that reports opening or clicking. `Auto-Submitted` keeps autoresponders
 * from answering a no-reply sender.
 */
export interface OutgoingMail extends RenderedMail { id: string; to: string; language: 'sv' | 'en' }

export interface EmailSender {
  send(mail: OutgoingMail): Promise<Attempt>;
  verify(): Promise<void>;
  close(): void;
}

/** Error texts may quote an address ("<anna@…>: mailbox unavailable"): never store or log one. */
export function scrubAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]').slice(0, 500);
}

export function createEmailSender({ smtpUrl, from }: { smtpUrl: string; from: string }): EmailSender {
  const transport = nodemailer.createTransport({
    url: smtpUrl, pool: true, maxConnections: 3,
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000,
  });
  const domain = /@([^\s>]+)/.exec(from)?.[1] ?? 'en-dorr-in.local';

  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html,
          messageId: `<${mail.id}@${domain}>`,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'Content-Language': mail.language, ...mail.headers },
        });
        const code = /^(\d{3})/.exec(String(info.response ?? ''))?.[1];
        return { ok: true, status: code ? Number(code) : null };
      } catch (error) {
        const e = error as NodemailerError;
        return {
          ok: false, status: e.responseCode ?? null, permanent: e.permanent === true,
          error: scrubAddresses(`${e.code ?? 'ERROR'}: ${e.response ?? e.message}`),
        };
      }
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}
