import type { Statement } from 'better-sqlite3';
import { timeOrderedId } from '../shared/ids.js';
import { TZDate } from '@date-fns/tz';
import type { Db } from '../db/client.js';
import { isWorkingDay, localDateOf, nextLocalDate, STOCKHOLM } from '../deadlines/calendar.js';
import { EXPORT_CENTRE, type Directory, type SubscriptionRow } from './directory.js';
import type { NewMessage, OutboxRepository } from './outbox-repository.js';

/**
 * What each change to a case tells whom. The write paths call the notifier inside their own transaction
 * (intake inside its savepoint), so a message exists exactly when its cause was committed; the
 * dispatcher sends it afterwards. Nothing here does I/O: it plans rows and inserts them in one statement.
 *
 *   change                 e-mail                                                webhook event
 *   stored (intake)        receipt to the company; new case to the actor office   case.assigned
 *                          (to the county's export centre when in triage)
 *   assigned (coordinator) new case to the actor office                          case.assigned
 *   referred               to the receiving actor office, and to the company      case.referred
 *   first-contact          –                                                     case.first_contact
 *   deadline-at-risk       to the actor office (export centre when no actor)     case.deadline_at_risk
 *   deadline-breached      to the actor office and the county's export centre    case.deadline_breached
 *   closed                 follow-up to the company, FOLLOW_UP_DELAY_DAYS later   case.closed
 *   personal-data-erased   cancels and blanks what is queued for the company      case.erased
 *   follow-up wave due     effect questions to a consenting company (src/effects),  –
 *                          and one reminder; see followUpWave
 *
 * Only mail to the company carries personal data: its address, in `recipient`. Everything else says
 * reference, county, topics and times; payloads are stored without personal data.
 */
export const WEBHOOK_EVENTS = [
  'case.assigned', 'case.referred', 'case.first_contact', 'case.deadline_at_risk', 'case.deadline_breached', 'case.closed', 'case.erased',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const EMAIL_KINDS = [
  'company-receipt', 'company-referral', 'company-follow-up', 'company-follow-up-wave', 'company-follow-up-wave-reminder', 'office-new-case', 'office-referral', 'office-at-risk', 'office-breached',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** Outcomes after which nobody asks the company how it went. */
const NO_FOLLOW_UP = new Set(['spam', 'duplicate', 'withdrawn']);

export type CaseChange =
  | { type: 'assigned'; inquiryId: string; at: number; previousActorId: string | null }
  | { type: 'referred'; inquiryId: string; at: number; previousActorId: string | null }
  | { type: 'first-contact'; inquiryId: string; at: number }
  | { type: 'deadline-at-risk' | 'deadline-breached'; inquiryId: string; at: number }
  | { type: 'closed'; inquiryId: string; at: number; outcome: string }
  | { type: 'personal-data-erased'; inquiryId: string; at: number };

/** The stored inquiry as intake has it at hand (no re-read on the hot path). */
export interface StoredInquiry {
  id: string; reference: string; receivedAt: number; status: string; countyCode: string | null;
  assignedActorId: string | null; deadlineAt: number; language: string; contactEmail: string;
  classification: unknown; alternatives: unknown; triageReason: string | null;
}

/** What an e-mail is rendered from at delivery: facts of the moment it was caused, no personal data. */
export interface MailFacts {
  caseId: string; reference: string; language: 'sv' | 'en'; status: string; countyCode: string | null;
  actorId: string | null; previousActorId?: string | null; receivedAt: number; deadlineAt: number; at: number;
  topics: string[]; alternatives?: string[]; triageReason?: string | null; contacted?: boolean; closedAt?: number;
  /** A follow-up wave (src/effects): its id, months after closing, and the end of its answer window. */
  wave?: { id: string; months: number; answerBy: number };
}

export interface WebhookPayload {
  type: WebhookEvent;
  occurredAt: string;
  data: { caseId: string; reference: string; actorId: string | null; previousActorId?: string | null; countyCode: string | null; deadlineAt: string; status: string };
}

export interface NotifierOptions {
  db: Db;
  repository: OutboxRepository;
  directory: Directory;
  /** E-mail is on (SMTP_URL set): otherwise no e-mail is queued at all. */
  email: boolean;
  followUpDelayDays: number;
  maxAgeMs: number;
  /** Called after a change queued messages (the dispatcher sends them once the transaction has committed). */
  queued?: () => void;
}

const CHANGE_EVENT: Record<CaseChange['type'], WebhookEvent> = {
  assigned: 'case.assigned', referred: 'case.referred', 'first-contact': 'case.first_contact',
  'deadline-at-risk': 'case.deadline_at_risk', 'deadline-breached': 'case.deadline_breached', closed: 'case.closed',
  'personal-data-erased': 'case.erased',
};

interface CaseRow {
  id: string; reference: string; status: string; countyCode: string | null; actorId: string | null; deadlineAt: number; receivedAt: number;
  language: string; contactEmail: string; erasedAt: number | null; firstContactAt: number | null; closedAt: number | null;
  classification: string; alternatives: string; triageReason: string | null;
}

const topicIds = (classification: unknown): string[] => {
  const topics = (classification as { topics?: { id?: unknown }[] } | null)?.topics;
  return Array.isArray(topics) ? topics.map((t) => t.id).filter((id): id is string => typeof id === 'string') : [];
};

/** A subscription's scope: the case's actor (before or after a move) and county. */
export function inScope(sub: Pick<SubscriptionRow, 'actorId' | 'counties'>, actorId: string | null, previousActorId: string | null | undefined, countyCode: string | null): boolean {
  if (sub.counties && (countyCode === null || !sub.counties.includes(countyCode))) return false;
  if (sub.actorId && sub.actorId !== actorId && sub.actorId !== previousActorId) return false;
  return true;
}

/**
 * When the follow-up goes out: `days` after closing, on a Stockholm working day at 10.00, so the
 * question arrives in office hours rather than at the minute of closing plus 72 hours.
 */
export function followUpDueAt(closedAt: number, days: number): number {
  let date = localDateOf(closedAt);
  for (let i = 0; i < days; i++) date = nextLocalDate(date);
  while (!isWorkingDay(date)) date = nextLocalDate(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, 10, 0, STOCKHOLM).getTime();
}

export function createNotifier({ db, repository, directory, email, followUpDelayDays, maxAgeMs, queued }: NotifierOptions) {
  const readCase = db.$client.prepare(`SELECT id, reference, status, county_code AS countyCode, assigned_actor_id AS actorId,
      deadline_at AS deadlineAt, received_at AS receivedAt, language, contact_email AS contactEmail, erased_at AS erasedAt,
      first_contact_at AS firstContactAt, closed_at AS closedAt, classification, alternatives, triage_reason AS triageReason
    FROM inquiries WHERE id = ?`) as Statement<[string], CaseRow>;

  function webhookMessages(out: NewMessage[], event: WebhookEvent, at: number, c: { id: string; reference: string; actorId: string | null; countyCode: string | null; deadlineAt: number; status: string }, previousActorId?: string | null) {
    const subscribers = directory.activeSubscriptions().filter((sub) => sub.events.includes(event) && inScope(sub, c.actorId, previousActorId, c.countyCode));
    if (subscribers.length === 0) return;
    const payload: WebhookPayload = {
      type: event, occurredAt: new Date(at).toISOString(),
      data: {
        caseId: c.id, reference: c.reference, actorId: c.actorId, ...(previousActorId !== undefined ? { previousActorId } : {}),
        countyCode: c.countyCode, deadlineAt: new Date(c.deadlineAt).toISOString(), status: c.status,
      },
    };
    const body = JSON.stringify(payload);
    for (const sub of subscribers) {
      out.push({ id: timeOrderedId(), channel: 'webhook', kind: event, inquiryId: c.id, subscriptionId: sub.id, recipient: null, personal: false, payload: body, createdAt: at, dueAt: at, expiresAt: at + maxAgeMs });
    }
  }

  function officeMail(out: NewMessage[], kind: EmailKind, countyCode: string | null, offices: string[], facts: MailFacts, at: number) {
    if (!email || countyCode === null) return;
    const seen = new Set<string>();
    let payload: string | undefined;
    for (const office of offices) {
      const emails = directory.address(countyCode, office)?.emails.filter((e) => !seen.has(e.toLowerCase())) ?? [];
      if (emails.length === 0) continue;
      for (const e of emails) seen.add(e.toLowerCase());
      payload ??= JSON.stringify(facts);
      out.push({ id: timeOrderedId(), channel: 'email', kind, inquiryId: facts.caseId, subscriptionId: null, recipient: emails.join(', '), personal: false, payload, createdAt: at, dueAt: at, expiresAt: at + maxAgeMs });
    }
  }

  function companyMail(out: NewMessage[], kind: EmailKind, address: string, facts: MailFacts, at: number, dueAt = at) {
    if (!email) return;
    out.push({ id: timeOrderedId(), channel: 'email', kind, inquiryId: facts.caseId, subscriptionId: null, recipient: address, personal: true, payload: JSON.stringify(facts), createdAt: at, dueAt, expiresAt: dueAt + maxAgeMs });
  }

  function commit(out: NewMessage[]) {
    if (out.length === 0) return;
    repository.insert(out);
    queued?.();
  }

  return {
    /**
     * A new inquiry was stored: call inside the savepoint that stored it. `at` is when it was stored: its arrival for
     * a form's inquiry, the registration for one a caseworker registered afterwards (POST /v1/cases), so that the
     * messages of an inquiry that arrived days ago by phone are not born old.
     */
    inquiryStored(row: StoredInquiry, at: number = row.receivedAt): void {
      const out: NewMessage[] = [];
      const language = row.language === 'en' ? 'en' : 'sv';
      const c = { id: row.id, reference: row.reference, actorId: row.assignedActorId, countyCode: row.countyCode, deadlineAt: row.deadlineAt, status: row.status };
      webhookMessages(out, 'case.assigned', at, c);
      if (email) {
        const facts: MailFacts = {
          caseId: row.id, reference: row.reference, language, status: row.status, countyCode: row.countyCode, actorId: row.assignedActorId,
          receivedAt: row.receivedAt, deadlineAt: row.deadlineAt, at, topics: topicIds(row.classification),
          alternatives: Array.isArray(row.alternatives) ? row.alternatives as string[] : [], triageReason: row.triageReason,
        };
        companyMail(out, 'company-receipt', row.contactEmail, facts, at);
        officeMail(out, 'office-new-case', row.countyCode, [row.assignedActorId ?? EXPORT_CENTRE], facts, at);
      }
      commit(out);
    },

    /**
     * A follow-up wave opened (or its reminder is due) for a company that consented: the questions to the
     * company. Call inside the wave sweeper's transaction. False when nothing was queued (e-mail off, erased).
     */
    followUpWave({ inquiryId, waveId, months, reminder, at, answerBy }: { inquiryId: string; waveId: string; months: number; reminder: boolean; at: number; answerBy: number }): boolean {
      if (!email) return false;
      const row = readCase.get(inquiryId);
      if (!row || row.erasedAt !== null) return false;
      const out: NewMessage[] = [];
      const facts: MailFacts = {
        caseId: row.id, reference: row.reference, language: row.language === 'en' ? 'en' : 'sv', status: row.status,
        countyCode: row.countyCode, actorId: row.actorId, receivedAt: row.receivedAt, deadlineAt: row.deadlineAt, at,
        topics: topicIds(JSON.parse(row.classification)), closedAt: row.closedAt ?? at, wave: { id: waveId, months, answerBy },
      };
      companyMail(out, reminder ? 'company-follow-up-wave-reminder' : 'company-follow-up-wave', row.contactEmail, facts, at);
      commit(out);
      return true;
    },

    /** A case changed: call inside the transaction that changed it, after the change (the row is read as it now is). */
    caseChanged(change: CaseChange): void {
      const row = readCase.get(change.inquiryId);
      if (!row) return;
      const out: NewMessage[] = [];
      const at = change.at;
      const previousActorId = change.type === 'assigned' || change.type === 'referred' ? change.previousActorId : undefined;
      const c = { id: row.id, reference: row.reference, actorId: row.actorId, countyCode: row.countyCode, deadlineAt: row.deadlineAt, status: row.status };

      if (change.type === 'personal-data-erased') repository.eraseCompanyMessages(row.id);
      webhookMessages(out, CHANGE_EVENT[change.type], at, c, previousActorId);

      if (email) {
        const company = row.erasedAt === null ? row.contactEmail : null;
        const facts: MailFacts = {
          caseId: row.id, reference: row.reference, language: row.language === 'en' ? 'en' : 'sv', status: row.status,
          countyCode: row.countyCode, actorId: row.actorId, ...(previousActorId !== undefined ? { previousActorId } : {}),
          receivedAt: row.receivedAt, deadlineAt: row.deadlineAt, at, topics: topicIds(JSON.parse(row.classification)),
          contacted: row.firstContactAt !== null, triageReason: row.triageReason,
        };
        switch (change.type) {
          case 'assigned':
            officeMail(out, 'office-new-case', row.countyCode, [row.actorId ?? EXPORT_CENTRE], facts, at);
            break;
          case 'referred':
            officeMail(out, 'office-referral', row.countyCode, row.actorId ? [row.actorId] : [], facts, at);
            if (company) companyMail(out, 'company-referral', company, facts, at);
            break;
          case 'deadline-at-risk':
            officeMail(out, 'office-at-risk', row.countyCode, [row.actorId ?? EXPORT_CENTRE], facts, at);
            break;
          case 'deadline-breached':
            officeMail(out, 'office-breached', row.countyCode, row.actorId ? [row.actorId, EXPORT_CENTRE] : [EXPORT_CENTRE], facts, at);
            break;
          case 'closed':
            if (company && followUpDelayDays > 0 && !NO_FOLLOW_UP.has(change.outcome)) {
              companyMail(out, 'company-follow-up', company, { ...facts, closedAt: row.closedAt ?? at }, at, followUpDueAt(row.closedAt ?? at, followUpDelayDays));
            }
            break;
          default:
            break;
        }
      }
      commit(out);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
