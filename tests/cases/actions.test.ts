import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorld, HOUR, UNCLEAR, type CaseWorld } from './helpers.js';

/** The case actions: each one's happy path, its state-machine conflicts, preconditions, validation and security. */
let w: CaseWorld;
beforeAll(async () => { w = await caseWorld(); });
afterAll(async () => { await w.close(); });

type Res = Awaited<ReturnType<CaseWorld['post']>>;
const iso = (ms: number) => new Date(ms).toISOString();

function expectProblem(res: Res, status: number, detail?: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (detail) expect(res.json().detail).toMatch(detail);
  return res.json();
}

function events(id: string) {
  return (w.db.$client.prepare('SELECT type, at, by, by_role AS byRole, data FROM inquiry_events WHERE inquiry_id = ? ORDER BY id').all(id) as
    { type: string; at: number; by: string; byRole: string | null; data: string }[]).map((e) => ({ ...e, data: JSON.parse(e.data) as Record<string, unknown> }));
}
const lastEvent = (id: string) => events(id).at(-1)!;
const row = (id: string) => w.db.$client.prepare('SELECT status, version, updated_at AS updatedAt, first_contact_at AS firstContactAt, closed_at AS closedAt, assigned_actor_id AS actor, first_assigned_actor_id AS firstActor, deadline_at AS deadlineAt FROM inquiries WHERE id = ?').get(id) as
  { status: string; version: number; updatedAt: number; firstContactAt: number | null; closedAt: number | null; actor: string | null; firstActor: string | null; deadlineAt: number };

describe('claim', () => {
  it("takes the case for the caller: status, claim, version, updatedAt and an event naming the key and role", async () => {
    const id = await w.submit();
    w.clock.advance(60_000);
    const res = await w.post(`/v1/cases/${id}/claim`, w.tokens.almi, undefined, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.json()).toMatchObject({ status: 'claimed', version: 2, claimedBy: { keyId: w.keyIds.almi, label: 'Almi CRM', at: iso(w.clock.now) }, updatedAt: iso(w.clock.now) });
    expect(res.json().actions.sort()).toEqual(['close', 'first-contact', 'note', 'refer', 'release']);
    expect(lastEvent(id)).toMatchObject({ type: 'claimed', at: w.clock.now, by: w.keyIds.almi, byRole: 'caseworker', data: { actorId: 'almi' } });
  });

  it('is a 409 when the caller or a colleague holds it, and colleagues see it held', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi);
    expectProblem(await w.post(`/v1/cases/${id}/claim`, w.tokens.almi), 409, /already claimed/);
    const body = expectProblem(await w.post(`/v1/cases/${id}/claim`, w.tokens.almi2), 409, /claimed by "Almi CRM"/);
    expect(body.type).toMatch(/invalid-transition$/);
    const seen = await w.get(`/v1/cases/${id}`, w.tokens.almi2);
    expect(seen.json().actions).toEqual(['note']);
    expect(row(id).version).toBe(2);
  });

  it("can take over a case whose holder's key was revoked", async () => {
    const id = await w.submit();
    const leaver = w.app.apiKeys.create({ role: 'caseworker', label: 'leaver', actorId: 'almi' }, 'test');
    await w.post(`/v1/cases/${id}/claim`, leaver.token);
    w.app.apiKeys.revoke(leaver.key.id, 'test');
    const res = await w.post(`/v1/cases/${id}/claim`, w.tokens.almi2);
    expect(res.statusCode).toBe(200);
    expect(res.json().claimedBy.keyId).toBe(w.keyIds.almi2);
    expect(lastEvent(id).data).toMatchObject({ takenOverFrom: leaver.key.id });
  });

  it('is a 409 on a closed case', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'duplicate' });
    expectProblem(await w.post(`/v1/cases/${id}/claim`, w.tokens.almi), 409, /closed/);
  });

  it('honours If-Match: a stale version is a 412 with the current ETag; * and the current version pass', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'first look' });
    const stale = await w.post(`/v1/cases/${id}/claim`, w.tokens.almi, undefined, { 'if-match': '"1"' });
    expectProblem(stale, 412, /version 2/);
    expect(stale.headers.etag).toBe('"2"');
    expectProblem(await w.post(`/v1/cases/${id}/claim`, w.tokens.almi, undefined, { 'if-match': 'W/"2"' }), 412); // weak tags never match If-Match
    expect(row(id)).toMatchObject({ status: 'assigned', version: 2 });
    expect((await w.post(`/v1/cases/${id}/claim`, w.tokens.almi, undefined, { 'if-match': '"7", "2"' })).statusCode).toBe(200);
    expect((await w.post(`/v1/cases/${id}/release`, w.tokens.almi, undefined, { 'if-match': '*' })).statusCode).toBe(200);
  });

  it('lets only one of two caseworkers who read the same version win', async () => {
    const id = await w.submit();
    const etag = (await w.get(`/v1/cases/${id}`, w.tokens.almi)).headers.etag as string;
    const [a, b] = await Promise.all([
      w.post(`/v1/cases/${id}/claim`, w.tokens.almi, undefined, { 'if-match': etag }),
      w.post(`/v1/cases/${id}/claim`, w.tokens.almi2, undefined, { 'if-match': etag }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 412]);
    expect(events(id).filter((e) => e.type === 'claimed')).toHaveLength(1);
  });

  it("is 404 for another actor's or county's case, 403 for coordinators and other roles, 401 without a valid key", async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/claim`, w.tokens.bs), 404);
    expectProblem(await w.post(`/v1/cases/${id}/claim`, w.tokens.almiHalland), 404);
    expectProblem(await w.post('/v1/cases/00000000-0000-4000-8000-000000000000/claim', w.tokens.almi), 404);
    for (const token of [w.tokens.coordSkane, w.tokens.admin, w.tokens.analyst, w.tokens.intake]) expectProblem(await w.post(`/v1/cases/${id}/claim`, token), 403);
    expectProblem(await w.post(`/v1/cases/${id}/claim`, null), 401);
    const gone = w.app.apiKeys.create({ role: 'caseworker', label: 'gone', actorId: 'almi' }, 'test');
    w.app.apiKeys.revoke(gone.key.id, 'test');
    expectProblem(await w.post(`/v1/cases/${id}/claim`, gone.token), 401);
    expect(row(id).version).toBe(1);
  });
});

describe('release', () => {
  it('gives a claimed case back to the queue', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi);
    const res = await w.post(`/v1/cases/${id}/release`, w.tokens.almi, undefined, { 'if-match': '"2"' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'assigned', claimedBy: null, version: 3 });
    expect(lastEvent(id)).toMatchObject({ type: 'released', by: w.keyIds.almi, byRole: 'caseworker', data: { heldBy: w.keyIds.almi } });
    expect((await w.post(`/v1/cases/${id}/claim`, w.tokens.almi2)).statusCode).toBe(200);
  });

  it('keeps a contacted case contacted', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    const res = await w.post(`/v1/cases/${id}/release`, w.tokens.almi);
    expect(res.json()).toMatchObject({ status: 'contacted', claimedBy: null });
  });

  it("is a 409 when nobody holds it or a colleague does", async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/release`, w.tokens.almi), 409, /not claimed/);
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi);
    expectProblem(await w.post(`/v1/cases/${id}/release`, w.tokens.almi2), 409, /only they can release/);
  });

  it('is 404 out of scope and 403 for coordinators', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi);
    expectProblem(await w.post(`/v1/cases/${id}/release`, w.tokens.bs), 404);
    expectProblem(await w.post(`/v1/cases/${id}/release`, w.tokens.coordSkane), 403);
    expectProblem(await w.post(`/v1/cases/${id}/release`, null), 401);
  });
});

describe('first-contact', () => {
  it('stops the clock: sets firstContactAt, claims an unclaimed case, and records channel and note', async () => {
    const id = await w.submit();
    const receivedAt = w.clock.now;
    w.clock.advance(2 * HOUR);
    const at = receivedAt + HOUR;
    const res = await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', at: iso(at), note: 'Spoke with Anna about the loan' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'contacted', claimedBy: { keyId: w.keyIds.almi }, deadline: { state: 'met', firstContactAt: iso(at) } });
    expect(row(id).firstContactAt).toBe(at);
    const event = lastEvent(id);
    expect(event).toMatchObject({ type: 'first-contact', at, by: w.keyIds.almi, byRole: 'caseworker', data: { actorId: 'almi', channel: 'phone', counted: true, recordedAt: iso(w.clock.now), noteId: expect.any(String) } });
    expect(JSON.stringify(event.data)).not.toContain('Anna');
    // The clock stays stopped: long after the deadline the case is still met.
    w.clock.advance(72 * HOUR);
    expect((await w.get(`/v1/cases/${id}`, w.tokens.almi)).json().deadline.state).toBe('met');
  });

  it('defaults to now, accepts any offset, and treats a client clock slightly ahead as now', async () => {
    const a = await w.submit();
    w.clock.advance(HOUR);
    await w.post(`/v1/cases/${a}/first-contact`, w.tokens.almi, { channel: 'email' });
    expect(row(a).firstContactAt).toBe(w.clock.now);

    const b = await w.submit();
    w.clock.advance(HOUR);
    const local = iso(w.clock.now - 30 * 60_000 + HOUR).replace('Z', '+01:00');
    expect((await w.post(`/v1/cases/${b}/first-contact`, w.tokens.almi, { channel: 'video', at: local })).statusCode).toBe(200);
    expect(row(b).firstContactAt).toBe(w.clock.now - 30 * 60_000);

    const c = await w.submit();
    expect((await w.post(`/v1/cases/${c}/first-contact`, w.tokens.almi, { channel: 'meeting', at: iso(w.clock.now + 20_000) })).statusCode).toBe(200);
    expect(row(c).firstContactAt).toBe(w.clock.now);
  });

  it('refuses a contact in the future or before the inquiry arrived, and unknown channels or fields', async () => {
    const id = await w.submit();
    const future = expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', at: iso(w.clock.now + HOUR) }), 400, /future/);
    expect(future.invalidParams).toEqual([{ name: 'body.at', reason: 'In the future: the contact cannot be later than now' }]);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', at: iso(w.clock.now - 1000) }), 400, /before the inquiry arrived/i);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'fax' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', at: 'today' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone', by: 'me' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, {}), 400);
    expect(row(id)).toMatchObject({ status: 'assigned', version: 1, firstContactAt: null });
  });

  it('is a 409 when already recorded at this actor, when a colleague holds the case, and on closed cases', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' }), 409, /already recorded/);
    const held = await w.submit();
    await w.post(`/v1/cases/${held}/claim`, w.tokens.almi2);
    expectProblem(await w.post(`/v1/cases/${held}/first-contact`, w.tokens.almi, { channel: 'phone' }), 409, /claimed by "Almi second desk"/);
    await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' });
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' }), 409, /closed/);
  });

  it('lets a coordinator record contact on a triage case, not on a case an actor has', async () => {
    const triage = await w.submit({ message: UNCLEAR });
    const res = await w.post(`/v1/cases/${triage}/first-contact`, w.tokens.coordSkane, { channel: 'email', note: 'Answered: this is a tax question for Skatteverket' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'contacted', assignedActor: null, claimedBy: null });
    expect(lastEvent(triage)).toMatchObject({ byRole: 'coordinator', data: { actorId: null, counted: true } });
    const routed = await w.submit();
    expectProblem(await w.post(`/v1/cases/${routed}/first-contact`, w.tokens.coordSkane, { channel: 'phone' }), 409, /Coordinators record first contact only on triage/);
  });

  it('is 404 out of scope and 403 for other roles', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.bs, { channel: 'phone' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.coordHalland, { channel: 'phone' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, w.tokens.analyst, { channel: 'phone' }), 403);
    expectProblem(await w.post(`/v1/cases/${id}/first-contact`, null, { channel: 'phone' }), 401);
  });
});

describe('refer', () => {
  it("hands the case on: the deadline stays, the claim ends, the referring actor's access ends, the referral is counted", async () => {
    const id = await w.submit();
    const deadlineAt = row(id).deadlineAt;
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi);
    w.clock.advance(HOUR);
    const res = await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'business-sweden', kind: 'misrouted', reason: 'Wants buyers in Germany, not a loan' }, { 'if-match': '"2"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"3"');
    // The caller no longer has the case: the answer is the summary, without contact details.
    expect(res.json()).toMatchObject({ status: 'assigned', assignedActor: { id: 'business-sweden' }, claimedBy: null, version: 3, deadline: { dueAt: iso(deadlineAt) } });
    expect(res.json()).not.toHaveProperty('contact');
    expect(row(id)).toMatchObject({ actor: 'business-sweden', firstActor: 'almi', deadlineAt });
    expect(lastEvent(id)).toMatchObject({ type: 'referred', by: w.keyIds.almi, byRole: 'caseworker', data: { from: 'almi', to: 'business-sweden', kind: 'misrouted', contacted: false, noteId: expect.any(String) } });
    expectProblem(await w.get(`/v1/cases/${id}`, w.tokens.almi), 404);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'one more thing' }), 404);
    const received = await w.get(`/v1/cases/${id}`, w.tokens.bs);
    expect(received.statusCode).toBe(200);
    expect(received.json().actions).toContain('claim');
    const facts = w.db.$client.prepare('SELECT referrals, referrals_misrouted AS misrouted FROM case_facts WHERE inquiry_id = ?').get(id);
    expect(facts).toEqual({ referrals: 1, misrouted: 1 });
  });

  it('refuses the same actor, unknown or inactive actors and actors without presence in the county (422)', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'almi', kind: 'misrouted', reason: 'x' }), 422, /already with this actor/);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'acme-consulting', kind: 'misrouted', reason: 'x' }), 422, /no actor/);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'chamber-stockholm', kind: 'misrouted', reason: 'x' }), 422, /no presence in Skåne/);
    await w.post('/v1/admin/actors', w.tokens.admin, { id: 'closed-down', name: 'Closed Down', kind: 'public', description: 'x', active: false });
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'closed-down', kind: 'misrouted', reason: 'x' }), 422, /no longer takes/);
    expect(row(id)).toMatchObject({ actor: 'almi', version: 1 });
  });

  it('needs a reason, and is a 409 when a colleague holds the case or it is closed', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'een', kind: 'misrouted' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'een', kind: 'misrouted', reason: '   ' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'een', reason: 'EU rules' }), 400); // kind is required
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'een', kind: 'wrong', reason: 'EU rules' }), 400);
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi2);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: 'een', kind: 'misrouted', reason: 'EU rules' }), 409, /claimed by/);
    await w.post(`/v1/cases/${id}/close`, w.tokens.almi2, { outcome: 'withdrawn' });
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.almi2, { toActor: 'een', kind: 'misrouted', reason: 'EU rules' }), 409, /closed/);
  });

  it('is 404 out of scope and 403 for coordinators (they assign instead)', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.bs, { toActor: 'een', kind: 'misrouted', reason: 'x' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, w.tokens.coordSkane, { toActor: 'een', kind: 'misrouted', reason: 'x' }), 403);
    expectProblem(await w.post(`/v1/cases/${id}/refer`, null, { toActor: 'een', kind: 'misrouted', reason: 'x' }), 401);
  });
});

describe('note', () => {
  it('adds a note for caseworkers and coordinators, on any case in scope including closed ones', async () => {
    const id = await w.submit();
    const res = await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'Company prefers e-mail' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'assigned', version: 2 });
    expect(lastEvent(id)).toMatchObject({ type: 'note-added', by: w.keyIds.almi, byRole: 'caseworker', data: { noteId: expect.any(String) } });
    expect((await w.post(`/v1/cases/${id}/note`, w.tokens.coordSkane, { text: 'Checked by the region' })).statusCode).toBe(200);
    await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'no-reply' });
    expect((await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'Company called back after closing' })).json().status).toBe('closed');
    // A colleague may add a note to a case someone else holds.
    const held = await w.submit();
    await w.post(`/v1/cases/${held}/claim`, w.tokens.almi);
    expect((await w.post(`/v1/cases/${held}/note`, w.tokens.almi2, { text: 'FYI' })).statusCode).toBe(200);
  });

  it('validates the text, and is 404 out of scope, 403 for other roles', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: '' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { text: 'x'.repeat(5001) }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.almi, { note: 'wrong field' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.almi, '<note/>', { 'content-type': 'application/xml' }), 415);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.bs, { text: 'x' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.coordHalland, { text: 'x' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/note`, w.tokens.analyst, { text: 'x' }), 403);
    expectProblem(await w.post(`/v1/cases/${id}/note`, null, { text: 'x' }), 401);
    expect(row(id).version).toBe(1);
  });
});

describe('close', () => {
  it('closes with an outcome and an optional note', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    w.clock.advance(HOUR);
    const res = await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped', note: 'Loan application sent' }, { 'if-match': '"2"' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'closed', outcome: 'helped', closedAt: iso(w.clock.now), version: 3 });
    expect(res.json().actions).toEqual(['note']);
    expect(row(id).closedAt).toBe(w.clock.now);
    expect(lastEvent(id)).toMatchObject({ type: 'closed', by: w.keyIds.almi, byRole: 'caseworker', data: { outcome: 'helped', actorId: 'almi', noteId: expect.any(String) } });
  });

  it('needs first contact before closing as helped or referred-outside, not for spam', async () => {
    const id = await w.submit();
    const body = expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'helped' }), 409, /record first contact/);
    expect(body.type).toMatch(/contact-required$/);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'referred-outside' }), 409);
    expect((await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'spam' })).statusCode).toBe(200);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'spam' }), 409, /closed/);
  });

  it('lets a coordinator close a triage case', async () => {
    const id = await w.submit({ message: UNCLEAR });
    expect((await w.post(`/v1/cases/${id}/close`, w.tokens.coordSkane, { outcome: 'spam' })).json()).toMatchObject({ status: 'closed', outcome: 'spam' });
    expect(lastEvent(id)).toMatchObject({ byRole: 'coordinator', data: { actorId: null } });
  });

  it('validates the outcome, and is 409 when a colleague holds it, 404 out of scope, 403 for other roles', async () => {
    const id = await w.submit();
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'solved' }), 400);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, {}), 400);
    await w.post(`/v1/cases/${id}/claim`, w.tokens.almi2);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.almi, { outcome: 'spam' }), 409, /claimed by/);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.bs, { outcome: 'spam' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.coordHalland, { outcome: 'spam' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/close`, w.tokens.intake, { outcome: 'spam' }), 403);
    expectProblem(await w.post(`/v1/cases/${id}/close`, null, { outcome: 'spam' }), 401);
  });
});

describe('assign', () => {
  it('routes a triage case to an actor, whose caseworkers then see it', async () => {
    const id = await w.submit({ message: UNCLEAR });
    expectProblem(await w.get(`/v1/cases/${id}`, w.tokens.almi), 404);
    const res = await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actor: 'almi', note: 'Sounds like financing' }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'assigned', assignedActor: { id: 'almi' }, firstAssignedActor: { id: 'almi' }, version: 2 });
    expect(lastEvent(id)).toMatchObject({ type: 'assigned', by: w.keyIds.coordSkane, byRole: 'coordinator', data: { from: null, to: 'almi', noteId: expect.any(String) } });
    expect((await w.get(`/v1/cases/${id}`, w.tokens.almi)).statusCode).toBe(200);
  });

  it('reassigns any open case in its counties, clearing a claim; the first actor stays recorded', async () => {
    const id = await w.submit();
    await w.post(`/v1/cases/${id}/first-contact`, w.tokens.almi, { channel: 'phone' });
    const res = await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actor: 'een' });
    expect(res.json()).toMatchObject({ status: 'assigned', assignedActor: { id: 'een' }, firstAssignedActor: { id: 'almi' }, claimedBy: null });
    expect(lastEvent(id).data).toMatchObject({ from: 'almi', to: 'een', unclaimed: w.keyIds.almi });
    // Reassigning to the same actor frees a stuck claim; without a claim it would change nothing.
    const stuck = await w.submit();
    await w.post(`/v1/cases/${stuck}/claim`, w.tokens.almi);
    expect((await w.post(`/v1/cases/${stuck}/assign`, w.tokens.coordSkane, { actor: 'almi' })).json()).toMatchObject({ status: 'assigned', claimedBy: null });
    expectProblem(await w.post(`/v1/cases/${stuck}/assign`, w.tokens.coordSkane, { actor: 'almi' }), 409, /already assigned/);
  });

  it('refuses actors that cannot take the case, closed cases, and bad bodies', async () => {
    const id = await w.submit({ message: UNCLEAR });
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actor: 'chamber-stockholm' }), 422, /no presence/);
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actor: 'nobody' }), 422);
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actorId: 'almi' }), 400);
    await w.post(`/v1/cases/${id}/close`, w.tokens.coordSkane, { outcome: 'duplicate' });
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.coordSkane, { actor: 'almi' }), 409, /closed/);
  });

  it("is 404 for another county's coordinator and 403 for caseworkers", async () => {
    const id = await w.submit({ message: UNCLEAR });
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.coordHalland, { actor: 'almi' }), 404);
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.almi, { actor: 'almi' }), 403);
    expectProblem(await w.post(`/v1/cases/${id}/assign`, w.tokens.admin, { actor: 'almi' }), 403);
    expectProblem(await w.post(`/v1/cases/${id}/assign`, null, { actor: 'almi' }), 401);
    expect((await w.post(`/v1/cases/${id}/assign`, w.tokens.coordNational, { actor: 'almi' })).statusCode).toBe(200);
  });
});
