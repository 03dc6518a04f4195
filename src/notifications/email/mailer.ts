import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/client.js';
import type { ReferenceService } from '../../reference/service.js';
import { StatusLinks } from '../../intake/status-links.js';
import { EXPORT_CENTRE, type Directory } from '../directory.js';
import type { ChannelDelivery } from '../dispatcher.js';
import type { EmailKind, MailFacts } from '../outbox.js';
import type { EmailSender } from './sender.js';
import { renderMail, type MailContext } from './templates.js';

/**
 * The e-mail channel for the dispatcher: renders a message from the facts stored with it (names and
 * links as they are now), then sends it. The company's status link is rebuilt from the inquiry id, so
 * it is never stored in the outbox. A follow-up whose case was erased or already answered is cancelled
 * rather than sent.
 */
export interface MailerDeps {
  db: Db;
  reference: ReferenceService;
  directory: Directory;
  sender: EmailSender;
  statusLinks: StatusLinks;
  publicBaseUrl: string;
  caseLinkTemplate?: string | undefined;
}

export function mailContext({ reference, directory, statusLinks, publicBaseUrl, caseLinkTemplate }: Omit<MailerDeps, 'db' | 'sender'>): MailContext {
  const base = publicBaseUrl.replace(/\/$/, '');
  return {
    actorName: (id) => (id ? reference.actor(id)?.name ?? id : null),
    actorWebsite: (id) => reference.actor(id)?.website ?? null,
    countyName: (code) => reference.countyRef(code)?.name ?? null,
    topicName: (id, language) => {
      const topic = reference.topics().find((t) => t.id === id);
      return topic ? (language === 'sv' ? topic.nameSv : topic.name) : id;
    },
    statusUrl: (caseId) => `${base}/v1/status/${statusLinks.tokenFor(caseId)}`,
    caseUrl: (caseId, ref) => caseLinkTemplate
      ? caseLinkTemplate.replaceAll('{id}', encodeURIComponent(caseId)).replaceAll('{reference}', encodeURIComponent(ref))
      : `${base}/v1/cases/${caseId}`,
    exportCentreContact: (countyCode) => (countyCode ? directory.address(countyCode, EXPORT_CENTRE)?.publicContact ?? null : null),
  };
}

export function emailChannel(deps: MailerDeps): ChannelDelivery {
  const ctx = mailContext(deps);
  const followUpState = deps.db.$client.prepare(`SELECT i.erased_at AS erasedAt, EXISTS (SELECT 1 FROM case_feedback f WHERE f.inquiry_id = i.id) AS answered
    FROM inquiries i WHERE i.id = ?`) as Statement<[string], { erasedAt: number | null; answered: number }>;
  // A follow-up wave (src/effects) is not sent once its consent was withdrawn, its case erased or it was answered.
  const waveState = deps.db.$client.prepare(`SELECT w.inquiry_id AS inquiryId, w.answered_at AS answeredAt, w.cancelled_at AS cancelledAt,
      c.withdrawn_at AS withdrawnAt, i.erased_at AS erasedAt
    FROM follow_up_waves w LEFT JOIN follow_up_consents c ON c.inquiry_id = w.inquiry_id LEFT JOIN inquiries i ON i.id = w.inquiry_id
    WHERE w.id = ?`) as Statement<[string], { inquiryId: string | null; answeredAt: number | null; cancelledAt: number | null; withdrawnAt: number | null; erasedAt: number | null }>;
  return {
    async deliver(message) {
      if (!message.recipient) return { cancelled: 'cancelled: no recipient (personal data erased)' };
      const facts = JSON.parse(message.payload) as MailFacts;
      if (message.kind === 'company-follow-up') {
        const state = followUpState.get(facts.caseId);
        if (!state || state.erasedAt !== null) return { cancelled: 'cancelled: personal data erased' };
        if (state.answered) return { cancelled: 'cancelled: the company has already answered' };
      }
      if (message.kind === 'company-follow-up-wave' || message.kind === 'company-follow-up-wave-reminder') {
        const state = waveState.get(facts.wave?.id ?? '');
        if (!state || state.inquiryId === null || state.erasedAt !== null) return { cancelled: 'cancelled: personal data erased' };
        if (state.withdrawnAt !== null || state.cancelledAt !== null) return { cancelled: 'cancelled: consent withdrawn' };
        if (state.answeredAt !== null) return { cancelled: 'cancelled: the company has already answered' };
      }
      const mail = renderMail(message.kind as EmailKind, facts, ctx);
      return deps.sender.send({ id: message.id, to: message.recipient, language: facts.language, ...mail });
    },
  };
}
