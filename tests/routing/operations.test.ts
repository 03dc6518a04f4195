import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent } from '../../src/history/events.js';
import { corpusItemSchema } from '../../src/routing/evaluation.js';
import { runRoutingCli } from '../../src/routing/cli.js';
import { withoutContactDetails } from '../../src/routing/operations.js';
import { caseWorld, LOAN, UNCLEAR, type CaseWorld } from '../cases/helpers.js';

/**
 * Learning from operations (issue 11): misrouted referrals and assignments of triage cases are labelled
 * examples. The statistics and the export read the history through the real API and a real database.
 */
let w: CaseWorld;
const ids: Record<string, string> = {};
const CONTACT = 'Hej, vi behöver ett lån till en ny maskin. Ring mig på 070-123 45 67 eller skriv till anna@testbolaget.se. Mvh Anna Andersson, 19811218-9876';

beforeAll(async () => {
  w = await caseWorld();
  // Wednesday 25 November 2026.
  ids.misrouted = await w.submit({ message: LOAN }); // almi, referred back as misrouted (a referral without a kind)
  ids.additional = await w.submit({ message: LOAN }); // almi, referred on for an additional need
  ids.right = await w.submit({ message: LOAN }); // almi, left alone
  ids.triageAssigned = await w.submit({ message: UNCLEAR }); // triage, assigned to EKN by the coordinator
  ids.triageHalland = await w.submit({ county: 'Halland', message: UNCLEAR }); // triage in Halland, untouched
  ids.contact = await w.submit({ message: CONTACT, contact: { name: 'Anna Andersson', email: 'anna@testbolaget.se' } }); // almi → misrouted to EKN
  ids.erased = await w.submit({ message: LOAN }); // almi → misrouted, then erased

  const refer = async (id: string, to: string) => {
    const res = await w.post(`/v1/cases/${id}/refer`, w.tokens.almi, { toActor: to, kind: 'misrouted', reason: 'Not ours' });
    expect(res.statusCode).toBe(200);
  };
  await refer(ids.misrouted!, 'business-sweden');
  await refer(ids.contact!, 'ekn');
  await refer(ids.erased!, 'ekn');
  // A referral for an additional need, as recorded once referrals carry their kind (CONTRACTS.md item 1).
  appendEvent(w.db, ids.additional!, 'referred', w.clock.now, { by: w.keyIds.almi, byRole: 'caseworker' },
    { from: 'almi', to: 'ekn', kind: 'additional-need', contacted: true, noteId: 'n' });
  expect((await w.post(`/v1/cases/${ids.triageAssigned}/assign`, w.tokens.coordSkane, { actor: 'ekn', note: 'Betalningsrisk' })).statusCode).toBe(200);
  expect((await w.post(`/v1/cases/${ids.erased}/erase`, w.tokens.admin)).statusCode).toBe(200);
});
afterAll(async () => { await w.close(); });

const stats = (query: string, token: string) => w.get(`/v1/stats/routing?${query}`, token);

describe('GET /v1/stats/routing', () => {
  it('gives the misrouted-referral rate, the triage rate and the assignments from triage', async () => {
    const res = await stats('from=2026-11-25&to=2026-11-25', w.tokens.analyst);
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toMatchObject({
      received: 7, routed: 5, triaged: 2, triagedOutOfScope: 2, triageRate: 0.2857, // 'Hej' reads as no need of any actor
      misrouted: 3, misroutedRate: 0.6, additionalNeedReferrals: 1,
      assignedFromTriage: 1, assignedFromTriageRate: 0.5, assignedFromTriageTo: { ekn: 1 },
    });
    expect(res.json().groups).toEqual([]);
  });

  it('groups by actor, topic and month', async () => {
    const res = await stats('from=2026-11-01&to=2026-11-30&groupBy=actor,month', w.tokens.analyst);
    const groups = res.json().groups;
    expect(groups.map((g: { actor: string | null; month: string }) => [g.actor, g.month])).toEqual([[null, '2026-11'], ['almi', '2026-11']]); // triage (null) first
    expect(groups.find((g: { actor: string | null }) => g.actor === 'almi')).toMatchObject({ routed: 5, misrouted: 3, triaged: 0 });
    expect(groups.find((g: { actor: string | null }) => g.actor === null)).toMatchObject({ routed: 0, triaged: 2, assignedFromTriage: 1 });
    const byTopic = (await stats('from=2026-11-25&to=2026-11-25&groupBy=topic', w.tokens.analyst)).json().groups;
    expect(byTopic.reduce((s: number, g: { received: number }) => s + g.received, 0)).toBe(7);
    expect(byTopic.every((g: { topic: unknown }) => g.topic === null || typeof g.topic === 'string')).toBe(true);
  });

  it('keeps a coordinator to its counties, and the period to its dates', async () => {
    const halland = (await stats('from=2026-11-25&to=2026-11-25', w.tokens.coordHalland)).json();
    expect(halland.total).toMatchObject({ received: 1, triaged: 1, routed: 0 });
    expectProblem(await stats('from=2026-11-25&to=2026-11-25&county=Skåne', w.tokens.coordHalland), 403);
    expect((await stats('from=2026-11-25&to=2026-11-25&county=SE-M', w.tokens.coordSkane)).json().total.received).toBe(6);
    expect((await stats('from=2026-11-26&to=2026-12-31', w.tokens.analyst)).json().total).toMatchObject({ received: 0, triageRate: null, misroutedRate: null });
  });

  it('refuses caseworkers and anonymous callers, and names the bad field', async () => {
    expectProblem(await stats('from=2026-11-25&to=2026-11-25', w.tokens.almi), 403);
    expectProblem(await w.get('/v1/stats/routing?from=2026-11-25&to=2026-11-25', null), 401);
    expectProblem(await stats('from=2026-11-25&to=2026-11-25&groupBy=county', w.tokens.analyst), 400, /groupBy|grouping/);
    expectProblem(await stats('from=2026-11-26&to=2026-11-25', w.tokens.analyst), 400, /from/);
    expectProblem(await stats('from=2026-11-25&to=2026-11-25&county=Atlantis', w.tokens.analyst), 400, /county/);
    expectProblem(await stats('from=2026-11-25&to=2026-11-25&actor=almi', w.tokens.analyst), 400, /actor/);
    const sv = await w.get('/v1/stats/routing?from=2026-11-25&to=2026-11-25&county=Atlantis', w.tokens.analyst, { 'accept-language': 'sv' });
    expect(JSON.stringify(sv.json())).toMatch(/Okänt län/);
  });
});

describe('npm run cli -- routing export-labels', () => {
  const exported = (since: string) => {
    let text = '';
    const err: string[] = [];
    const code = runRoutingCli(['export-labels', '--since', since], { db: w.db, out: (t) => { text += t; }, err: (l) => err.push(l) });
    return { code, lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)), err };
  };

  it('writes each misrouted referral and each triage assignment as a corpus line with its labeller', () => {
    const { code, lines, err } = exported('2026-11-25');
    expect(code).toBe(0);
    for (const line of lines) expect(() => corpusItemSchema.parse(line)).not.toThrow();
    const byInquiry = new Map(lines.map((l) => [l.label.inquiry, l]));
    expect(lines).toHaveLength(3); // misrouted, contact, triageAssigned; not the additional need, not the erased one
    const misrouted = lines.find((l) => l.label.source === 'misrouted-referral' && l.acceptableActors[0] === 'business-sweden');
    expect(misrouted).toMatchObject({
      message: LOAN, acceptableActors: ['business-sweden'], outOfScope: false, tags: expect.arrayContaining(['operations', 'needs-review']),
      label: { routedTo: 'almi', labelledBy: w.keyIds.almi, labelledByRole: 'caseworker', labellerActor: 'almi', labelledAt: '2026-11-25T08:00:00.000Z' },
    });
    const triage = lines.find((l) => l.label.source === 'triage-assignment');
    expect(triage).toMatchObject({ message: UNCLEAR, acceptableActors: ['ekn'], label: { routedTo: 'triage:out-of-scope', labelledBy: w.keyIds.coordSkane, labelledByRole: 'coordinator' } });
    expect(byInquiry.size).toBe(3);
    expect(err.join('\n')).toMatch(/3 labelled inquiries .*1 left out because their personal data was erased/);
  });

  it('leaves contact details out of the text', () => {
    const line = exported('2026-11-25').lines.find((l) => l.acceptableActors[0] === 'ekn' && l.label.source === 'misrouted-referral');
    expect(line.message).toContain('lån till en ny maskin');
    for (const secret of ['070', 'anna@', 'Anna', 'Andersson', '9876']) expect(line.message).not.toContain(secret);
    expect(JSON.stringify(line)).not.toMatch(/anna|070-123/i);
  });

  it('takes only what happened since the date, and refuses a bad date', () => {
    expect(exported('2026-11-26').lines).toEqual([]);
    expect(exported('2026-11-25T09:00:00Z').lines).toEqual([]);
    expect(exported('2026-13-01').code).toBe(64);
    const err: string[] = [];
    expect(runRoutingCli(['export-labels'], { db: w.db, out: () => {}, err: (l) => err.push(l) })).toBe(64);
    expect(err.join()).toMatch(/--since/);
  });

  it('writes to a file with --out', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'labels-')), 'labels.jsonl');
    expect(runRoutingCli(['export-labels', '--since', '2026-11-25', '--out', file], { db: w.db, out: () => { throw new Error('not stdout'); }, err: () => {} })).toBe(0);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

describe('withoutContactDetails', () => {
  it('takes out e-mail addresses, phone numbers, personal and organisation numbers, links and the given names', () => {
    const text = 'Maila erik.svensson@firma.se eller +46 70 123 45 67, 08-123 456 78. Org nr 556036-0793, pnr 811218-9876. https://firma.se/kontakt Hälsningar Erik Svensson';
    const out = withoutContactDetails(text, ['Erik Svensson']);
    expect(out).toBe('Maila [e-post] eller [telefon], [telefon]. Org nr [nummer], pnr [nummer]. [länk] Hälsningar [namn] [namn]');
  });

  it('leaves amounts, years and ordinary words alone', () => {
    const text = 'Vi behöver 3 000 000 kr till 2027 och 250 anställda; Eriksson & Co säljer till 12 länder.';
    expect(withoutContactDetails(text, ['Erik Svensson'])).toBe(text);
  });
});

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => { detail?: string; title?: string; invalidParams?: unknown } }, status: number, detail?: RegExp) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/application\/problem\+json/);
  if (detail) expect(JSON.stringify(res.json())).toMatch(detail);
}
