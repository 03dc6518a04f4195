import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

/**
 * Idempotency keys are per caller. The two attacks of a global key space fail:
 * - blocking: claiming a predictable key first (the README once used a counter) so that the victim's real
 *   submission is refused and nothing is stored;
 * - revealing: probing a key to learn whether somebody used it (a 422 said "in use").
 */
let t: TestApp;
let formA: string;
let formB: string;
beforeAll(async () => {
  t = await buildTestApp();
  formA = t.app.apiKeys.create({ role: 'intake', label: 'Region A form backend' }, 'test').token;
  formB = t.app.apiKeys.create({ role: 'intake', label: 'Region B form backend' }, 'test').token;
});
afterAll(async () => { await t.close(); });

const post = (payload: unknown, key: string, token?: string) => t.app.inject({
  method: 'POST', url: '/v1/inquiries', payload: payload as object,
  headers: { 'idempotency-key': key, ...(token ? { authorization: `Bearer ${token}` } : {}) },
});
const count = () => (t.db.$client.prepare('SELECT count(*) AS n FROM inquiries').get() as { n: number }).n;
const victimBody = inquiry({ company: { name: 'Offret AB' }, contact: { name: 'Vera Victim', email: 'vera@offret.se' }, message: 'Vi behöver ett lån till en ny maskin.' });
const attackerBody = inquiry({ company: { name: 'Angriparen AB' }, contact: { name: 'Adam Attack', email: 'adam@angriparen.se' }, message: 'Hej, vi vill ha lån.' });

function expectNew(res: LightMyRequestResponse, other: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(201);
  expect(res.headers['idempotent-replayed']).toBeUndefined();
  expect(res.json().id).not.toBe(other.json().id);
}

describe('blocking: a key claimed first by somebody else', () => {
  it('anonymous attacker, anonymous victim: the victim\'s inquiry is stored', async () => {
    const attack = await post(attackerBody, 'form-submit-1');
    expect(attack.statusCode).toBe(201);
    const before = count();
    const victim = await post(victimBody, 'form-submit-1');
    expectNew(victim, attack);
    expect(count()).toBe(before + 1);
    expect(t.db.$client.prepare('SELECT contact_name FROM inquiries WHERE id = ?').get(victim.json().id)).toEqual({ contact_name: 'Vera Victim' });
    // The victim's own double submit is still caught.
    const again = await post(victimBody, 'form-submit-1');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(victim.json().id);
    expect(count()).toBe(before + 1);
  });

  it('an attacker with one API key cannot block another key\'s or an anonymous form\'s submission, nor the other way round', async () => {
    const attack = await post(attackerBody, 'form-submit-2', formA);
    expectNew(await post(victimBody, 'form-submit-2', formB), attack);
    expectNew(await post(victimBody, 'form-submit-2'), attack);
    const anonymous = await post(attackerBody, 'form-submit-3');
    expectNew(await post(victimBody, 'form-submit-3', formB), anonymous);
  });
});

describe('revealing: probing whether a key was used', () => {
  it('anonymously, a used key and an unused one answer alike (201, a new inquiry), never 422', async () => {
    const victim = await post(victimBody, 'form-submit-4');
    const probeUsed = await post(attackerBody, 'form-submit-4');
    const probeUnused = await post(attackerBody, 'form-submit-never-used');
    for (const probe of [probeUsed, probeUnused]) expectNew(probe, victim);
    expect(Object.keys(probeUsed.headers).sort()).toEqual(Object.keys(probeUnused.headers).sort());
    expect(JSON.stringify(probeUsed.json())).not.toContain(victim.json().id);
  });

  it('with another API key, a key used by somebody else is not a 422 either', async () => {
    const victim = await post(victimBody, 'form-submit-5', formA);
    expectNew(await post(attackerBody, 'form-submit-5', formB), victim);
    expectNew(await post(attackerBody, 'form-submit-5'), victim);
  });
});
