import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

describe("the company's follow-up question", () => {
  let t: TestApp;
  let token: string;
  let id: string;
  beforeAll(async () => {
    t = await buildTestApp();
    const created = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) })).json();
    token = created.statusUrl.split('/').pop();
    id = created.id;
  });
  afterAll(async () => t.close());
  const answer = (payload: unknown) => t.app.inject({ method: 'POST', url: `/v1/status/${token}/feedback`, payload: payload as object });

  it('is not offered, and refused with 409, before the case is closed', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/v1/status/${token}` })).json().followUp).toBeNull();
    expect((await answer({ answer: 'yes' })).statusCode).toBe(409);
  });

  it('is offered after closing, takes one answer (an event without the comment), and a second is a 409', async () => {
    // What the cases capability does on close.
    t.db.$client.prepare("UPDATE inquiries SET status = 'closed', first_contact_at = ?, closed_at = ? WHERE id = ?").run(t.clock.now + 3_600_000, t.clock.now + 7_200_000, id);
    const offered = (await t.app.inject({ method: 'GET', url: `/v1/status/${token}` })).json().followUp;
    expect(offered).toMatchObject({ answers: ['yes', 'partly', 'no'], answer: null, answerUrl: `/v1/status/${token}/feedback` });
    expect(offered.question.en).toContain('right organisation');

    expect((await answer({ answer: 'maybe' })).statusCode).toBe(400);
    const res = await answer({ answer: 'partly', comment: 'Anna på Almi var bra, men vi behövde mer.' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ answer: 'partly' });
    expect((await answer({ answer: 'yes' })).statusCode).toBe(409);

    const event = t.db.$client.prepare("SELECT data FROM inquiry_events WHERE inquiry_id = ? AND type = 'feedback-received'").all(id) as { data: string }[];
    expect(event).toHaveLength(1);
    expect(JSON.parse(event[0]!.data)).toEqual({ answer: 'partly', hasComment: true });
    expect((await t.app.inject({ method: 'GET', url: `/v1/status/${token}` })).json().followUp.answer).toBe('partly');

    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'a' }, 'test').token;
    const stats = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-11-25&to=2026-11-25', headers: { authorization: `Bearer ${analyst}` } });
    expect(stats.json().total).toMatchObject({ feedbackResponses: 1, feedbackRightHelpRate: 0 });
    expect(stats.body).not.toContain('Anna');
  });

  it('answers 404 for an unknown link', async () => {
    expect((await t.app.inject({ method: 'POST', url: `/v1/status/${'x'.repeat(43)}/feedback`, payload: { answer: 'yes' } })).statusCode).toBe(404);
  });
});
