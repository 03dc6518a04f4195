import type { Statement } from 'better-sqlite3';
import { TZDate } from '@date-fns/tz';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/client.js';
import { isWorkingDay, localDateOf, nextLocalDate, STOCKHOLM } from '../deadlines/calendar.js';
import { appendEvent, SYSTEM } from '../history/events.js';
import { StatusLinks } from '../intake/status-links.js';
import type { CaseChange, Notifier } from '../notifications/outbox.js';
import { refuseIfErased } from '../privacy/personal-data.js';
import { both } from '../shared/i18n.js';
import { conflict, notFound, ProblemError } from '../shared/problems.js';
import { CONTRIBUTIONS, EXPORT_SHARES, EXPORTING, QUESTIONS, type FollowUpView, type WaveAnswer } from './schemas.js';

/**
 * Consent-based follow-up over months (the audit's "effects for companies"). A company that ticked
 * `followUpConsent` at intake is asked a few short questions FOLLOW_UP_WAVES_MONTHS after its case was
 * closed (default 6, 12 and 24 months):
 *
 * - closing plans the waves (one row per wave, with the dimensions the statistics group by), in the
 *   closing transaction; spam, duplicates and withdrawn inquiries get none;
 * - the wave sweeper opens each wave when due (on a Stockholm working day at 10.00): it records the
 *   invitation and queues the e-mail through the outbox in one transaction; one reminder follows
 *   FOLLOW_UP_REMINDER_DAYS later to a company that has not answered; the wave stays open for three
 *   times that, then it has expired;
 * - one answer per wave, on the private status link (JSON, and the status page);
 * - withdrawal, one click from every message, cancels every wave not yet opened; the mailer also
 *   cancels anything queued for a withdrawn, erased or answered wave, so nothing goes out after it;
 * - erasure cuts the link between the answers and the case and blanks the comment (the coded answers
 *   stay for statistics, describing no one); waves not yet opened are deleted. See src/privacy.
 */
export const NO_WAVES_AFTER = new Set(['spam', 'duplicate', 'withdrawn']);
const DAY_MS = 86_400_000;

/** When a wave is due: `months` calendar months after closing (Stockholm), on the next working day at 10.00. */
export function waveDueAt(closedAt: number, months: number): number {
  const [y, m, d] = localDateOf(closedAt).split('-').map(Number) as [number, number, number];
  const total = (m - 1) + months;
  const year = y + Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  let date = `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
  while (!isWorkingDay(date)) date = nextLocalDate(date);
  const [yy, mm, dd] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(yy, mm - 1, dd, 10, 0, STOCKHOLM).getTime();
}

export interface FollowUpDeps {
  db: Db;
  clock: () => number;
  waves: number[];
  reminderDays: number;
  /** Queues the wave e-mails in the caller's transaction; returns whether an e-mail was queued (false: e-mail off). */
  notifier: Pick<Notifier, 'followUpWave'>;
}

interface WaveRow {
  id: string; inquiryId: string | null; months: number; dueAt: number; invitedAt: number | null; emailed: number;
  remindedAt: number | null; answeredAt: number | null; cancelledAt: number | null;
  exporting: string | null; newMarkets: string | null; exportShare: string | null; contribution: string | null;
}

/** What a wave is grouped by, copied at closing (no personal data). */
interface CaseDimensions {
  cohortMonth: string; countyCode: string | null; actorId: string | null; topicId: string | null;
  sizeBand: string; channel: string; companyId: number | null;
  /** The pilot experiment's arm drawn at intake (`experimentId:armId`, src/experiments), or null. */
  arm: string | null;
}

/**
 * A case's dimensions as the statistics have them (case_facts, kept by src/stats/projection.ts in the same
 * transaction as every change): the same size band, door (channel) and company id as every other figure, and the
 * actor holding the case when it was closed.
 */
function dimensionsReader(db: Db) {
  const read = db.$client.prepare(`
    SELECT substr(f.local_date, 1, 7) AS cohortMonth, i.county_code AS countyCode, i.assigned_actor_id AS actorId, f.top_topic_id AS topicId,
      f.size_band AS sizeBand, f.channel AS channel, f.company_id AS companyId,
      (SELECT a.experiment_id || ':' || a.arm_id FROM experiment_assignments a WHERE a.inquiry_id = i.id) AS arm
    FROM inquiries i JOIN case_facts f ON f.inquiry_id = i.id WHERE i.id = ?`) as Statement<[string], CaseDimensions>;
  return (inquiryId: string): CaseDimensions | null => read.get(inquiryId) ?? null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function createFollowUp({ db, clock, waves, reminderDays, notifier }: FollowUpDeps) {
  const client = db.$client;
  const reminderMs = reminderDays * DAY_MS;
  /** How long a wave can be answered after it opened. */
  const windowMs = 3 * reminderMs;
  const dimensions = dimensionsReader(db);
  const WAVE_COLUMNS = `id, inquiry_id AS inquiryId, months, due_at AS dueAt, invited_at AS invitedAt, emailed, reminded_at AS remindedAt,
    answered_at AS answeredAt, cancelled_at AS cancelledAt, exporting, new_markets AS newMarkets, export_share AS exportShare, contribution`;
  const s = {
    consent: client.prepare('SELECT given_at AS givenAt, withdrawn_at AS withdrawnAt FROM follow_up_consents WHERE inquiry_id = ?') as Statement<[string], { givenAt: number; withdrawnAt: number | null }>,
    giveConsent: client.prepare('INSERT INTO follow_up_consents (inquiry_id, given_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    erasedAt: client.prepare('SELECT erased_at AS erasedAt, closed_at AS closedAt FROM inquiries WHERE id = ?') as Statement<[string], { erasedAt: number | null; closedAt: number | null }>,
    byToken: client.prepare('SELECT id, erased_at AS erasedAt, language FROM inquiries WHERE status_token_hash = ?') as Statement<[string], { id: string; erasedAt: number | null; language: string }>,
    plan: client.prepare(`INSERT INTO follow_up_waves (id, inquiry_id, months, due_at, cohort_month, county_code, actor_id, topic_id, size_band, outcome, channel, company_id, arm)
      VALUES (@id, @inquiryId, @months, @dueAt, @cohortMonth, @countyCode, @actorId, @topicId, @sizeBand, @outcome, @channel, @companyId, @arm) ON CONFLICT DO NOTHING`),
    lastWaveEnds: client.prepare('UPDATE follow_up_consents SET last_wave_ends_at = ? WHERE inquiry_id = ?'),
    waves: client.prepare(`SELECT ${WAVE_COLUMNS} FROM follow_up_waves WHERE inquiry_id = ? ORDER BY months`) as Statement<[string], WaveRow>,
    wave: client.prepare(`SELECT ${WAVE_COLUMNS} FROM follow_up_waves WHERE inquiry_id = ? AND months = ?`) as Statement<[string, number], WaveRow>,
    dueToOpen: client.prepare(`SELECT w.id, w.inquiry_id AS inquiryId, w.months FROM follow_up_waves w
      JOIN follow_up_consents c ON c.inquiry_id = w.inquiry_id JOIN inquiries i ON i.id = w.inquiry_id
      WHERE w.invited_at IS NULL AND w.cancelled_at IS NULL AND w.due_at <= @now AND c.withdrawn_at IS NULL AND i.erased_at IS NULL
      ORDER BY w.due_at LIMIT @limit`) as Statement<[{ now: number; limit: number }], { id: string; inquiryId: string; months: number }>,
    open: client.prepare('UPDATE follow_up_waves SET invited_at = @now WHERE id = @id AND invited_at IS NULL AND cancelled_at IS NULL'),
    emailed: client.prepare('UPDATE follow_up_waves SET emailed = 1 WHERE id = ?'),
    dueToRemind: client.prepare(`SELECT w.id, w.inquiry_id AS inquiryId, w.months FROM follow_up_waves w
      JOIN follow_up_consents c ON c.inquiry_id = w.inquiry_id JOIN inquiries i ON i.id = w.inquiry_id
      WHERE w.invited_at IS NOT NULL AND w.reminded_at IS NULL AND w.answered_at IS NULL AND w.cancelled_at IS NULL
        AND w.emailed = 1 AND w.invited_at <= @before AND w.invited_at > @notBefore AND c.withdrawn_at IS NULL AND i.erased_at IS NULL
      ORDER BY w.invited_at LIMIT @limit`) as Statement<[{ before: number; notBefore: number; limit: number }], { id: string; inquiryId: string; months: number }>,
    remind: client.prepare('UPDATE follow_up_waves SET reminded_at = @now WHERE id = @id AND reminded_at IS NULL AND answered_at IS NULL'),
    withdraw: client.prepare('UPDATE follow_up_consents SET withdrawn_at = @now WHERE inquiry_id = @id AND withdrawn_at IS NULL'),
    cancelPending: client.prepare('UPDATE follow_up_waves SET cancelled_at = @now WHERE inquiry_id = @id AND invited_at IS NULL AND cancelled_at IS NULL'),
    answer: client.prepare(`UPDATE follow_up_waves SET answered_at = @now, exporting = @exporting, new_markets = @newMarkets,
      export_share = @exportShare, contribution = @contribution, comment = @comment WHERE id = @id AND answered_at IS NULL`),
  };

  function stateOf(w: WaveRow, now: number): FollowUpView['waves'][number]['state'] {
    if (w.answeredAt !== null) return 'answered';
    if (w.cancelledAt !== null) return 'cancelled';
    if (w.invitedAt === null) return 'scheduled';
    return now - w.invitedAt <= windowMs ? 'open' : 'expired';
  }

  function inquiryOf(token: string) {
    const row = s.byToken.get(StatusLinks.hash(token));
    if (!row) throw notFound(both('No inquiry has this status link.', 'Ingen förfrågan har den här statuslänken.'));
    return row;
  }

  /** Opens due waves and sends due reminders in one write transaction of at most `limit` each. */
  const batch = client.transaction((now: number, limit: number) => {
    let opened = 0;
    let reminded = 0;
    for (const w of s.dueToOpen.all({ now, limit })) {
      if (s.open.run({ id: w.id, now }).changes === 0) continue;
      const emailed = notifier.followUpWave({ inquiryId: w.inquiryId, waveId: w.id, months: w.months, reminder: false, at: now, answerBy: now + windowMs });
      if (emailed) s.emailed.run(w.id);
      appendEvent(db, w.inquiryId, 'follow-up-wave-opened', now, SYSTEM, { months: w.months, emailed, answerBy: new Date(now + windowMs).toISOString() });
      opened++;
    }
    for (const w of s.dueToRemind.all({ before: now - reminderMs, notBefore: now - windowMs, limit })) {
      if (s.remind.run({ id: w.id, now }).changes === 0) continue;
      const row = s.wave.get(w.inquiryId, w.months)!;
      notifier.followUpWave({ inquiryId: w.inquiryId, waveId: w.id, months: w.months, reminder: true, at: now, answerBy: row.invitedAt! + windowMs });
      appendEvent(db, w.inquiryId, 'follow-up-wave-reminded', now, SYSTEM, { months: w.months });
      reminded++;
    }
    return { opened, reminded };
  });

  return {
    waves, windowMs,

    /** Intake: the company ticked the follow-up checkbox. Call inside the intake transaction. */
    consentGiven(inquiryId: string, at: number): void {
      s.giveConsent.run(inquiryId, at);
    },

    /** Every case change, inside its transaction: closing plans the waves of a consenting company. */
    caseChanged(change: CaseChange): void {
      if (change.type !== 'closed' || NO_WAVES_AFTER.has(change.outcome) || waves.length === 0) return;
      const consent = s.consent.get(change.inquiryId);
      const inquiry = s.erasedAt.get(change.inquiryId);
      if (!consent || consent.withdrawnAt !== null || !inquiry || inquiry.erasedAt !== null) return;
      const dims = dimensions(change.inquiryId);
      if (!dims) return;
      const closedAt = inquiry.closedAt ?? change.at;
      const planned = waves.map((months) => ({ months, dueAt: waveDueAt(closedAt, months) }));
      let added = 0;
      for (const p of planned) {
        added += s.plan.run({ id: uuidv7(), inquiryId: change.inquiryId, ...p, ...dims, outcome: change.outcome }).changes;
      }
      if (added === 0) return; // closed before (reopened and closed again): the waves stand as first planned
      s.lastWaveEnds.run(planned.at(-1)!.dueAt + windowMs, change.inquiryId);
      appendEvent(db, change.inquiryId, 'follow-up-waves-planned', change.at, SYSTEM, {
        waves: planned.map((p) => ({ months: p.months, dueAt: new Date(p.dueAt).toISOString() })),
      });
    },

    /** One run of the wave sweeper at `now`. */
    run(now: number, limit = 500): { opened: number; reminded: number } {
      const total = { opened: 0, reminded: 0 };
      for (let guard = 0; guard < 10_000; guard++) {
        const r = batch.immediate(now, limit);
        total.opened += r.opened;
        total.reminded += r.reminded;
        if (r.opened < limit && r.reminded < limit) break;
      }
      return total;
    },

    /** What the company sees: its consent, the questions, and each wave's state. */
    view(token: string): FollowUpView {
      const { id } = inquiryOf(token);
      const now = clock();
      const consent = s.consent.get(id);
      const base = `/v1/status/${token}/follow-up`;
      return {
        consent: { given: consent !== undefined, givenAt: iso(consent?.givenAt ?? null), withdrawnAt: iso(consent?.withdrawnAt ?? null) },
        withdrawUrl: consent ? `${base}/withdraw` : null,
        questions: QUESTIONS,
        options: { exporting: [...EXPORTING], exportShare: [...EXPORT_SHARES], contribution: [...CONTRIBUTIONS] },
        waves: s.waves.all(id).map((w) => ({
          months: w.months,
          state: stateOf(w, now),
          dueAt: iso(w.dueAt)!,
          openedAt: iso(w.invitedAt),
          answerBy: w.invitedAt === null ? null : iso(w.invitedAt + windowMs),
          answeredAt: iso(w.answeredAt),
          answer: w.answeredAt === null ? null : {
            exporting: w.exporting as (typeof EXPORTING)[number], newMarkets: w.newMarkets ? w.newMarkets.split(',') : [],
            exportShare: w.exportShare as (typeof EXPORT_SHARES)[number], contribution: w.contribution as (typeof CONTRIBUTIONS)[number],
          },
          answerUrl: `${base}/${w.months}`,
        })),
      };
    },

    /** The company's answer to one wave: once, while it is open, with consent in force. */
    answer(token: string, months: number, body: WaveAnswer) {
      return client.transaction(() => {
        const now = clock();
        const inquiry = inquiryOf(token);
        if (inquiry.erasedAt !== null) refuseIfErased(inquiry.erasedAt, both('there is nothing left to follow up', 'det finns inget kvar att följa upp'));
        const consent = s.consent.get(inquiry.id);
        if (!consent) throw conflict(both('This company did not agree to follow-up questions.', 'Företaget har inte samtyckt till uppföljningsfrågor.'));
        if (consent.withdrawnAt !== null) throw new ProblemError(409, 'consent-withdrawn', 'Consent withdrawn', both('The consent to follow-up questions was withdrawn: no answers are taken.', 'Samtycket till uppföljningsfrågor är återkallat: inga svar tas emot.'));
        const wave = s.wave.get(inquiry.id, months);
        if (!wave) throw notFound(both(`There is no follow-up at ${months} months for this case.`, `Det finns ingen uppföljning efter ${months} månader för detta ärende.`));
        const state = stateOf(wave, now);
        if (state === 'answered') throw conflict(both('This wave has already been answered: one answer per wave.', 'Den här uppföljningen är redan besvarad: ett svar per uppföljning.'));
        if (state === 'scheduled') throw new ProblemError(409, 'wave-not-open', 'Not open yet', both(`This wave opens on ${new Date(wave.dueAt).toISOString()}.`, `Den här uppföljningen öppnar ${new Date(wave.dueAt).toISOString()}.`));
        if (state !== 'open') throw new ProblemError(409, 'wave-closed', 'No longer open', both('This wave can no longer be answered.', 'Den här uppföljningen kan inte längre besvaras.'));
        const newMarkets = [...new Set(body.newMarkets)].sort();
        s.answer.run({ id: wave.id, now, exporting: body.exporting, newMarkets: newMarkets.join(','), exportShare: body.exportShare, contribution: body.contribution, comment: body.comment || null });
        // The history says that it was answered, not what: erasure must be able to cut that link.
        appendEvent(db, inquiry.id, 'follow-up-wave-answered', now, { by: 'company' }, { months });
        return { months, answeredAt: new Date(now).toISOString() };
      }).immediate();
    },

    /** The language the company wrote in (the withdrawal page speaks it). */
    languageOf: (token: string): 'sv' | 'en' => (inquiryOf(token).language === 'en' ? 'en' : 'sv'),

    /** One-click withdrawal: nothing more is sent; answers already given stay (coded, for statistics). Idempotent. */
    withdraw(token: string) {
      return client.transaction(() => {
        const now = clock();
        const inquiry = inquiryOf(token);
        const consent = s.consent.get(inquiry.id);
        if (!consent) throw conflict(both('This company did not agree to follow-up questions: there is nothing to withdraw.', 'Företaget har inte samtyckt till uppföljningsfrågor: det finns inget att återkalla.'));
        if (consent.withdrawnAt !== null) return { withdrawnAt: new Date(consent.withdrawnAt).toISOString(), cancelledWaves: 0 };
        s.withdraw.run({ id: inquiry.id, now });
        const cancelled = s.cancelPending.run({ id: inquiry.id, now }).changes;
        appendEvent(db, inquiry.id, 'follow-up-consent-withdrawn', now, { by: 'company' }, { cancelledWaves: cancelled });
        return { withdrawnAt: new Date(now).toISOString(), cancelledWaves: cancelled };
      }).immediate();
    },
  };
}

export type FollowUp = ReturnType<typeof createFollowUp>;
