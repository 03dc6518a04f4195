import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

describe("the company's follow-up questions", () => {
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
  const status = async () => (await t.app.inject({ method: 'GET', url: `/v1/status/${token}` })).json();

  it('are not offered, and refused with 409, before the case is closed', async () => {
    expect((await status()).followUp).toMatchObject({ offered: false, answered: false, answer: null, answeredAt: null });
    expect((await answer({ rightActorInTime: 'yes', gotHelp: 'yes' })).statusCode).toBe(409);
  });

  it('are offered after closing, take one answer (an event without the comment), and a second is a 409', async () => {
    const caseworker = t.app.apiKeys.create({ role: 'caseworker', label: 'almi', actorId: 'almi' }, 'test').token;
    const auth = { authorization: `Bearer ${caseworker}` };
    t.clock.advance(3_600_000);
    expect((await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/first-contact`, headers: auth, payload: { channel: 'phone' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/close`, headers: auth, payload: { outcome: 'helped' } })).statusCode).toBe(200);
    const offered = (await status()).followUp;
    expect(offered).toMatchObject({ offered: true, answered: false, answer: null, answerUrl: `/v1/status/${token}/feedback` });
    expect(offered.questions.map((q: { id: string; answers: string[] }) => [q.id, q.answers])).toEqual([
      ['rightActorInTime', ['yes', 'no', 'unsure']],
      ['gotHelp', ['yes', 'partly', 'no']],
    ]);
    expect(offered.questions[0].en).toBe('Did you reach the right organisation within one working day?');
    expect(offered.questions[1].sv).toBe('Fick du den hjälp du behövde?');

    expect((await answer({ rightActorInTime: 'maybe', gotHelp: 'yes' })).statusCode).toBe(400);
    expect((await answer({ answer: 'yes' })).statusCode).toBe(400); // the old single question is no longer asked
    const res = await answer({ rightActorInTime: 'yes', gotHelp: 'partly', comment: 'Anna på Almi var bra, men vi behövde mer.' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ rightActorInTime: 'yes', gotHelp: 'partly' });
    expect((await answer({ rightActorInTime: 'no', gotHelp: 'no' })).statusCode).toBe(409);

    const event = t.db.$client.prepare("SELECT data FROM inquiry_events WHERE inquiry_id = ? AND type = 'feedback-received'").all(id) as { data: string }[];
    expect(event).toHaveLength(1);
    expect(JSON.parse(event[0]!.data)).toEqual({ rightActorInTime: 'yes', gotHelp: 'partly', hasComment: true });
    expect((await status()).followUp).toMatchObject({ offered: true, answered: true, answer: { rightActorInTime: 'yes', gotHelp: 'partly' } });

    const analyst = t.app.apiKeys.create({ role: 'analyst', label: 'a' }, 'test').token;
    const stats = await t.app.inject({ method: 'GET', url: '/v1/stats/compliance?from=2026-11-25&to=2026-11-25', headers: { authorization: `Bearer ${analyst}` } });
    expect(stats.json().total).toMatchObject({
      feedbackResponses: 1, feedbackResponseRate: 1, companyConfirmedRightActorRate: 1, helpRate: 0, partlyHelpedRate: 1, feedbackRightHelpRate: 0,
    });
    expect(stats.body).not.toContain('Anna');
  });

  it('keep an answer to the old single question readable, as the help answer', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ county: 'SE-M' }) })).json();
    const old = created.statusUrl.split('/').pop();
    // As the service stored it before the two questions: the one answer, no first question.
    t.db.$client.prepare("UPDATE inquiries SET status = 'closed', closed_at = ? WHERE id = ?").run(t.clock.now, created.id);
    t.db.$client.prepare("INSERT INTO case_feedback (inquiry_id, answer, comment, at) VALUES (?, 'yes', NULL, ?)").run(created.id, t.clock.now);
    const followUp = (await t.app.inject({ method: 'GET', url: `/v1/status/${old}` })).json().followUp;
    expect(followUp).toMatchObject({ offered: true, answered: true, answer: { rightActorInTime: null, gotHelp: 'yes' } });
  });

  it('answer 404 for an unknown link', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/v1/status/${'x'.repeat(43)}/feedback`, payload: { rightActorInTime: 'yes', gotHelp: 'yes' } });
    expect(res.statusCode).toBe(404);
  });
});
