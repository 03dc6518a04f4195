import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseFacts, caseFeedback, inquiries } from '../db/schema/index.js';
import { appendEvent } from '../history/events.js';
import { StatusLinks } from '../intake/status-links.js';
import { conflict, notFound } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { both } from '../shared/i18n.js';
import { refuseIfErased } from '../privacy/personal-data.js';

/**
 * The company's follow-up after closing: one question on its private status link, one answer per case.
 * The answer is an event (`feedback-received`, without the comment); the optional comment is free text
 * that may name people, so it stays in `case_feedback`, out of the history and out of the statistics.
 */
export const FEEDBACK_ANSWERS = ['yes', 'partly', 'no'] as const;
export type FeedbackAnswer = (typeof FEEDBACK_ANSWERS)[number];

export const QUESTION = {
  sv: 'Kom du i kontakt med rätt organisation, och fick du den hjälp du behövde?',
  en: 'Did you get in touch with the right organisation, and did you get the help you needed?',
};

export const feedbackRequestSchema = z
  .strictObject({
    answer: z.enum(FEEDBACK_ANSWERS).describe('yes: right organisation and the help needed; partly; no'),
    comment: z.string().trim().max(2000).optional().describe('Optional free text. Read by the export centre; never part of statistics'),
  })
  .meta({ id: 'FeedbackRequest' });

export const feedbackReceiptSchema = z
  .object({ answer: z.enum(FEEDBACK_ANSWERS), answeredAt: z.iso.datetime() })
  .meta({ id: 'FeedbackReceipt' });

export const followUpSchema = z
  .object({
    question: z.object({ sv: z.string(), en: z.string() }),
    answers: z.array(z.enum(FEEDBACK_ANSWERS)),
    answer: z.enum(FEEDBACK_ANSWERS).nullable().describe('The answer given, or null while it can be answered'),
    answeredAt: z.iso.datetime().nullable(),
    answerUrl: z.string().describe('POST the answer here (relative to the API base)'),
  })
  .nullable()
  .meta({ id: 'FollowUp', description: 'Offered once the case is closed: one question, one answer per case. Null while the case is open.' });

export type FollowUp = z.infer<typeof followUpSchema>;

/** The follow-up offer on the status view: null until the case is closed. */
export function followUpOf(db: Pick<Db, 'select'>, row: { id: string; closedAt: number | null }, token: string): FollowUp {
  if (row.closedAt === null) return null;
  const given = db.select().from(caseFeedback).where(eq(caseFeedback.inquiryId, row.id)).get();
  return {
    question: QUESTION,
    answers: [...FEEDBACK_ANSWERS],
    answer: given?.answer ?? null,
    answeredAt: given ? new Date(given.at).toISOString() : null,
    answerUrl: `/v1/status/${token}/feedback`,
  };
}

export function createFeedbackService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    answer(token: string, body: z.infer<typeof feedbackRequestSchema>): z.infer<typeof feedbackReceiptSchema> {
      const at = clock();
      return db.transaction((tx) => {
        const row = tx.select({ id: inquiries.id, closedAt: inquiries.closedAt, erasedAt: inquiries.erasedAt }).from(inquiries)
          .where(eq(inquiries.statusTokenHash, StatusLinks.hash(token))).get();
        if (!row) throw notFound(both('No inquiry has this status link.', 'Ingen förfrågan har den här statuslänken.'));
        if (row.closedAt === null) throw conflict(both('The question can be answered once the case is closed.', 'Frågan kan besvaras när ärendet är avslutat.'));
        if (body.comment) refuseIfErased(row.erasedAt, both('send the answer without a comment', 'skicka svaret utan kommentar'));
        const inserted = tx.insert(caseFeedback).values({ inquiryId: row.id, answer: body.answer, comment: body.comment || null, at })
          .onConflictDoNothing().run();
        if (inserted.changes === 0) throw conflict(both('This case has already been answered: one answer per case.', 'Frågan om detta ärende är redan besvarad: ett svar per ärende.'));
        appendEvent(tx, row.id, 'feedback-received', at, { by: 'company' }, { answer: body.answer, hasComment: Boolean(body.comment) });
        tx.update(caseFacts).set({ feedback: body.answer }).where(eq(caseFacts.inquiryId, row.id)).run();
        return { answer: body.answer, answeredAt: new Date(at).toISOString() };
      }, { behavior: 'immediate' });
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
