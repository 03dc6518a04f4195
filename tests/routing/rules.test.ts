import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classification } from '../../src/classification/classifier.js';
import { loadKnowledge } from '../../src/classification/knowledge.js';
import { Router } from '../../src/routing/router.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/**
 * The structural routing rules of issue 11, each for a class of question, through the real preview
 * (the same decision intake stores).
 */
describe('routing rules', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp(); });
  afterAll(async () => { await t.close(); });
  const preview = async (message: string, extra: Record<string, unknown> = {}) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message, ...extra } });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('a question addressed to one actor with no clearer need goes to that actor', async () => {
    for (const [message, actor] of [
      ['Hej EKN, vad kan ni göra för oss?', 'ekn'],
      ['What does Almi offer a company like ours?', 'almi'],
      ['Hej Tillväxtverket! Vi har en liten verkstad. Vad kan ni hjälpa oss med?', 'tillvaxtverket'],
      ['Till Enterprise Europe Network: berätta gärna vad ni gör.', 'een'],
    ] as const) {
      const body = await preview(message);
      expect(body.addressedTo, message).toBe(actor);
      expect(body.assignedActor?.id, message).toBe(actor);
      expect(body.explanation).toMatch(/addressed to/);
    }
  });

  it('a clearer need outweighs the actor named: the need decides', async () => {
    const body = await preview('Hej Almi! Kan ni utfärda ett ursprungsintyg för en sändning till Egypten?');
    expect(body.addressedTo).toBeNull();
    expect(body.assignedActor.id).toMatch(/^chamber-/);
  });

  it('reads out-of-scope words in their context: customers abroad and VAT registration abroad are in scope', async () => {
    const sellingAbroad = await preview('Vi säljer till privatpersoner i Tyskland och Frankrike via vår webbshop. Måste vi registrera oss för moms där eller räcker OSS?');
    expect(sellingAbroad.status).toBe('assigned');
    expect(sellingAbroad.assignedActor.id).toBe('een');
    const registration = await preview('Hur registrerar jag ett aktiebolag hos Bolagsverket och hur stort ska aktiekapitalet vara?');
    expect(registration).toMatchObject({ status: 'triage', triageReason: 'out-of-scope', outOfScope: { id: 'registration' } });
  });

  it('disputes and debt collection are out of scope', async () => {
    const body = await preview('Vår tyska kund vägrar betala en faktura och vi vill stämma dem i domstol. Kan ni hjälpa oss med rättegången?');
    expect(body).toMatchObject({ status: 'triage', triageReason: 'out-of-scope', outOfScope: { id: 'dispute' } });
  });

  it('a constraint fallback goes only to actors serving the need: a large company\'s domestic loan is not SEK\'s', async () => {
    const domestic = await preview('Vi behöver låna 40 mkr till ett nytt huvudkontor här i Sverige.', { company: { employees: 700 } });
    expect(domestic).toMatchObject({ status: 'triage', triageReason: 'out-of-scope' });
    expect(domestic.excluded).toContainEqual(expect.objectContaining({ actor: 'almi' }));
    expect(domestic.excluded).toContainEqual(expect.objectContaining({ actor: 'sek', why: expect.stringMatching(/export/) }));
    const exportDeal = await preview('Vi behöver finansiera en exportorder till Brasilien på 120 mkr där köparen vill ha sex års kredit.', { company: { employees: 700 } });
    expect(exportDeal.status).toBe('assigned');
    expect(['sek', 'ekn']).toContain(exportDeal.assignedActor.id);
  });

  it('explains a decision with the rule words and the learned layer\'s strongest words, and gives its probability of being right', async () => {
    const body = await preview('Kunden i Vietnam vill betala om ett halvår. Vi vågar inte riktigt, hur skyddar vi oss?');
    expect(body.assignedActor.id).toBe('ekn');
    expect(body.explanation).toMatch(/learned layer: .+ \+\d/);
    expect(body.confidence).toBeGreaterThan(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
    expect(body.probabilities[0]).toMatchObject({ id: 'ekn' });
  });
});

describe('the router breaks no tie by id order', () => {
  const knowledge = loadKnowledge();
  const directory = { actorsIn: () => new Set(['almi', 'business-sweden', 'een', 'ekn', 'tillvaxtverket', 'sek', 'chamber-stockholm']), chambersFor: () => ['chamber-stockholm'] };
  const router = new Router(knowledge, directory);
  const classification = (actors: [string, number][]): Classification => ({
    topics: [], confidence: 0.5, outOfScope: null, namedActors: [], addressedTo: null,
    actors: actors.map(([id, probability]) => ({ id, probability })),
    context: { abroad: false, eu: false, nonEu: false, selling: false, export: false },
  });

  it('two equally likely actors go to triage with both as candidates, whichever is listed first', () => {
    for (const order of [[['een', 0.45], ['business-sweden', 0.45]], [['business-sweden', 0.45], ['een', 0.45]]] as [string, number][][]) {
      const decision = router.route({ classification: classification([...order, ['almi', 0.1]]), countyCode: null, employees: null, text: '', triageThreshold: 0 });
      expect(decision.status).toBe('triage');
      expect(decision.triageReason).toBe('unclear');
      expect([...decision.alternatives].sort()).toEqual(['business-sweden', 'een']);
    }
  });

  it('a tie between two actors of one need goes to the need\'s first contact, the other told about as an alternative', () => {
    const topic = { id: 'large-export-credits', name: 'Large export credits', score: 0.7, rawScore: 6, matchedWords: ['exportkredit'] };
    for (const order of [[['ekn', 0.45], ['sek', 0.45]], [['sek', 0.45], ['ekn', 0.45]]] as [string, number][][]) {
      const decision = router.route({ classification: { ...classification([...order, ['almi', 0.1]]), topics: [topic] }, countyCode: null, employees: null, text: '', triageThreshold: 0 });
      expect(decision).toMatchObject({ status: 'assigned', assignedActorId: 'sek', topicId: 'large-export-credits' });
      expect(decision.alternatives).toContain('ekn');
    }
  });

  it('below the triage threshold the inquiry goes to triage with its likely actors as candidates', () => {
    const decision = router.route({ classification: classification([['een', 0.55], ['business-sweden', 0.3], ['almi', 0.15]]), countyCode: null, employees: null, text: '', triageThreshold: 0.9 });
    expect(decision).toMatchObject({ status: 'triage', triageReason: 'unclear', alternatives: ['een', 'business-sweden'] });
  });
});
