import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseFeedback, inquiries } from '../db/schema/index.js';
import { appendEvent } from '../history/events.js';
import { StatusLinks } from '../intake/status-links.js';
import { conflict, notFound } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { both } from '../shared/i18n.js';
import { refuseIfErased } from '../privacy/personal-data.js';
import type { StatsProjection } from './projection.js';

/**
 * The company's follow-up after closing, on its private status link: two questions, kept apart as Tillväxtverket's
 * indicators keep them (B3 reaching the right actor within one working day, B4 getting the right help), and an
 * optional comment. One answer per case. The answers are an event (`feedback-received`, without the comment); the
 * comment is free text that may name people, so it stays in `case_feedback`, out of the history and the statistics.
 *
 * Answers given to the old single question ("Did you get in touch with the right organisation, and did you get the
 * help you needed?", yes / partly / no) stay as they were given: they are read as the answer to "did you get the
 * help you needed?" (yes → yes, partly → partly, no → no), and as no answer to the first question, which they never
 * asked (it did not ask about one working day).
 */
export const RIGHT_ACTOR_ANSWERS = ['yes', 'no', 'unsure'] as const;
export const HELP_ANSWERS = ['yes', 'partly', 'no'] as const;

export const QUESTIONS = [
  {
    id: 'rightActorInTime' as const,
    sv: 'Kom du i kontakt med rätt organisation inom en arbetsdag?',
    en: 'Did you reach the right organisation within one working day?',
    answers: [...RIGHT_ACTOR_ANSWERS] as string[],
  },
  {
    id: 'gotHelp' as const,
    sv: 'Fick du den hjälp du behövde?',
    en: 'Did you get the help you needed?',
    answers: [...HELP_ANSWERS] as string[],
  },
];

export const feedbackRequestSchema = z
  .strictObject({
    rightActorInTime: z.enum(RIGHT_ACTOR_ANSWERS).describe('Did you reach the right organisation within one working day? yes / no / unsure'),
    gotHelp: z.enum(HELP_ANSWERS).describe('Did you get the help you needed? yes / partly / no'),
    comment: z.string().trim().max(2000).optional().describe('Optional free text. Read by the export centre; never part of statistics'),
  })
  .meta({ id: 'FeedbackRequest' });

export const feedbackReceiptSchema = z
  .object({ rightActorInTime: z.enum(RIGHT_ACTOR_ANSWERS), gotHelp: z.enum(HELP_ANSWERS), answeredAt: z.iso.datetime() })
  .meta({ id: 'FeedbackReceipt' });

export const followUpSchema = z
  .object({
    offered: z.boolean().describe('True once the case is closed: the questions are put to the company'),
    answered: z.boolean().describe('True when the company has answered (once per case)'),
    questions: z.array(z.object({ id: z.enum(['rightActorInTime', 'gotHelp']), sv: z.string(), en: z.string(), answers: z.array(z.string()) })),
    answer: z.object({
      rightActorInTime: z.enum(RIGHT_ACTOR_ANSWERS).nullable().describe('null for an answer to the old single question, which did not ask this'),
      gotHelp: z.enum(HELP_ANSWERS),
    }).nullable().describe('The answers given; null while not answered'),
    answeredAt: z.iso.datetime().nullable(),
    answerUrl: z.string().describe('POST the answers here (relative to the API base), once offered'),
  })
  .meta({ id: 'FollowUp', description: 'The follow-up questions: offered once the case is closed, one answer per case.' });

export type FollowUp = z.infer<typeof followUpSchema>;

/** The follow-up block of the status view: offered once the case is closed, and the answers once given. */
export function followUpOf(db: Pick<Db, 'select'>, row: { id: string; closedAt: number | null }, token: string): FollowUp {
  const given = row.closedAt === null ? undefined : db.select().from(caseFeedback).where(eq(caseFeedback.inquiryId, row.id)).get();
  return {
    offered: row.closedAt !== null,
    answered: given !== undefined,
    questions: QUESTIONS,
    answer: given ? { rightActorInTime: given.rightActorInTime ?? null, gotHelp: given.answer } : null,
    answeredAt: given ? new Date(given.at).toISOString() : null,
    answerUrl: `/v1/status/${token}/feedback`,
  };
}

export function createFeedbackService({ db, clock, projection }: { db: Db; clock: Clock; projection: StatsProjection }) {
  return {
    answer(token: string, body: z.infer<typeof feedbackRequestSchema>): z.infer<typeof feedbackReceiptSchema> {
      const at = clock();
      return db.transaction((tx) => {
        const row = tx.select({ id: inquiries.id, closedAt: inquiries.closedAt, erasedAt: inquiries.erasedAt }).from(inquiries)
          .where(eq(inquiries.statusTokenHash, StatusLinks.hash(token))).get();
        if (!row) throw notFound(both('No inquiry has this status link.', 'Ingen förfrågan har den här statuslänken.'));
        if (row.closedAt === null) throw conflict(both('The questions can be answered once the case is closed.', 'Frågorna kan besvaras när ärendet är avslutat.'));
        if (body.comment) refuseIfErased(row.erasedAt, both('send the answers without a comment', 'skicka svaren utan kommentar'));
        const inserted = tx.insert(caseFeedback)
          .values({ inquiryId: row.id, answer: body.gotHelp, rightActorInTime: body.rightActorInTime, comment: body.comment || null, at })
          .onConflictDoNothing().run();
        if (inserted.changes === 0) throw conflict(both('This case has already been answered: one answer per case.', 'Frågorna om detta ärende är redan besvarade: ett svar per ärende.'));
        appendEvent(tx, row.id, 'feedback-received', at, { by: 'company' }, {
          rightActorInTime: body.rightActorInTime, gotHelp: body.gotHelp, hasComment: Boolean(body.comment),
        });
        const unit = projection.unit();
        unit.caseChanged(row.id);
        unit.flush();
        return { rightActorInTime: body.rightActorInTime, gotHelp: body.gotHelp, answeredAt: new Date(at).toISOString() };
      }, { behavior: 'immediate' });
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
