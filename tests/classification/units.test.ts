import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classification/classifier.js';
import { loadKnowledge } from '../../src/classification/knowledge.js';
import { fold, Matcher } from '../../src/classification/text.js';
import { Places } from '../../src/reference/places.js';
import { amountsInSek } from '../../src/routing/amounts.js';
import { employeesInText } from '../../src/routing/router.js';
import { buildTestApp, inquiry, type TestApp } from '../helpers/app.js';

describe('fold and matcher', () => {
  it('folds case, diacritics and punctuation', () => {
    expect(fold('Växjö, Skåne-län!')).toBe('vaxjo skane lan');
  });
  it('honours word-boundary modes in one pass', () => {
    const m = new Matcher([
      { text: 'garanti', mode: 'infix', value: 'infix' },
      { text: 'lan', mode: 'exact', value: 'exact' },
      { text: 'export', mode: 'prefix', value: 'prefix' },
      { text: 'kredit', mode: 'suffix', value: 'suffix' },
    ]);
    const hits = (t: string) => m.findAll(fold(t)).map((x) => x.pattern.value).sort();
    expect(hits('exportkreditgaranti')).toEqual(['infix', 'prefix']);
    expect(hits('ett lån')).toEqual(['exact']);
    expect(hits('landet')).toEqual([]);
    expect(hits('rörelsekredit')).toEqual(['suffix']);
  });
  it('finds overlapping patterns through failure links, and every pattern sharing one text', () => {
    const m = new Matcher(['he', 'she', 'his', 'hers', 'hers'].map((text, i) => ({ text, mode: 'infix' as const, value: `${text}${i}` })));
    const found = m.findAll('ushers ahishe').map((x) => `${x.pattern.value}@${x.start}`);
    // At "ushe|": she, then he via the failure link; "hers" twice at its end; "his", then she and he again.
    expect(found).toEqual(['she1@1', 'he0@2', 'hers3@2', 'hers4@2', 'his2@8', 'she1@10', 'he0@11']);
    expect(m.findAll('')).toEqual([]);
    expect(new Matcher([]).findAll('anything')).toEqual([]);
  });
});

describe('classifier', () => {
  const c = new Classifier(loadKnowledge());
  const top = (t: string) => c.classify(t).topics[0]?.id;
  it('reads compounds, inflections, typos without å/ä/ö and English', () => {
    expect(top('Vi behöver en exportkreditgaranti')).toBe('payment-risk-guarantees');
    expect(top('behover rorelsekredit till en order')).toBe('export-working-capital');
    expect(top('hur soker man affarsutvecklingchecken?')).toBe('business-development-checks');
    expect(top('Do we need CE marking to sell in Germany?')).toBe('eu-rules-product-requirements');
  });
  it('ignores actor names: naming EKN does not make a loan a guarantee', () => {
    const r = c.classify('Hej EKN, kan ni låna ut 300 000?');
    expect(r.topics[0]?.id).toBe('loans-growth-finance');
    expect(r.topics.flatMap((t) => t.matchedWords)).not.toContain('ekn');
  });
  it('reads OSS only as the acronym, not "oss" (us)', () => {
    expect(c.classify('Kan ni hjälpa oss?').topics.map((t) => t.id)).not.toContain('eu-rules-product-requirements');
    expect(top('Ska vi registrera oss för OSS när vi säljer till konsumenter i Tyskland?')).toBe('eu-rules-product-requirements');
  });
  it('recognises out-of-scope questions', () => {
    expect(c.classify('Hur ändrar jag min preliminärskatt?').outOfScope?.id).toBe('tax');
  });
  it('reads the EKN guarantees a lender applies for as their own topic (EKN, then Almi)', () => {
    expect(top('Banken pratade om Exportsprånget, hur funkar det?')).toBe('lender-guarantees');
    expect(top('Kan någon dela risken med banken för en rörelsekreditgaranti?')).toBe('lender-guarantees');
  });
  it('does not read an amount in euros as EUR.1', () => {
    expect(top('Total value about EUR 15 million, buyer needs 10-year financing')).toBe('large-export-credits');
    expect(top('Kunden vill ha ett EUR.1')).toBe('export-documents');
  });
  it('weighs terms in the subject line (the first line before the message) more', () => {
    const message = 'Vi ställer ut på en mässa utomlands och behöver hjälp med papper.';
    const plain = c.classify(`\n${message}`).topics[0]!;
    const withSubject = c.classify(`Mässa\n${message}`).topics.find((t) => t.id === plain.id)!;
    expect(withSubject.rawScore).toBeGreaterThan(plain.rawScore);
  });
  it('confidence grows with evidence', () => {
    expect(c.classify('lån').confidence).toBeLessThan(c.classify('lån till maskiner, banken sa nej').confidence);
  });
});

describe('place detection', () => {
  const p = new Places();
  const county = (t: string) => p.detect(t).countyCode;
  it('reads towns, inflections and compounds', () => {
    expect(county('Vi sitter i vaxjo')).toBe('SE-G');
    expect(county('Ett Skelleftebaserat bolag')).toBe('SE-AC');
    expect(county('Vi är ett Arbogabaserat företag')).toBe('SE-U');
    expect(county('Hoforsföretag söker garanti')).toBe('SE-X');
    expect(county('Göteborgs hamn')).toBe('SE-O');
  });
  it('leaves landscapes and conflicting names undecided', () => {
    expect(county('Vi finns i Småland')).toBeNull();
    expect(county('Kontor i Umeå och i Malmö')).toBeNull();
  });
  it('does not read ordinary words, person names or foreign places as places', () => {
    expect(county('Vad kostar det? Vi vill bara veta vad som gäller för våra kunder.')).toBeNull();
    expect(county('Banken sa nej. Mvh Nora Lind')).toBeNull();
    expect(county('Hälsningar Åsa Berglund')).toBeNull();
    expect(county('Vi säljer till Danmark och Norge')).toBeNull();
    expect(county('Det kan kosta mycket, valla skidor')).toBeNull();
  });
  it('accepts a stopword place after a location word, spelt as the place', () => {
    expect(county('Vi sitter i Vara')).toBe('SE-O');
    expect(county('Hej, vi är från Nora')).toBe('SE-T');
    expect(county('Hälsningar Åsa Berglund, Säffle')).toBe('SE-S');
  });
});

describe('amounts and constraints', () => {
  it('reads amounts in SEK', () => {
    expect(amountsInSek('ca 300 000 kr')).toEqual([300_000]);
    expect(amountsInSek('40 MSEK')).toEqual([40_000_000]);
    expect(amountsInSek('USD 5 million')).toEqual([50_000_000]);
    expect(amountsInSek('år 2024, 14 personer')).toEqual([]);
  });
  it('reads employees stated in text', () => {
    expect(employeesInText('vi är 400 anställda')).toBe(400);
    expect(employeesInText('we have 320 employees')).toBe(320);
    expect(employeesInText('underleverantör, 140 anst. Behöver')).toBe(140);
    expect(employeesInText('vi är 8 pers i Säter')).toBe(8);
    expect(employeesInText('ett lån till 3 personbilar')).toBeNull();
  });
});

describe('intake uses the same classifier and router', () => {
  let t: TestApp;
  beforeAll(async () => { t = await buildTestApp(); });
  afterAll(async () => { await t.close(); });

  it('a wrong-actor loan question posted to /v1/inquiries goes to Almi', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ message: 'Hej EKN, kan ni låna ut 300 000 kr till en ny maskin? Vi finns i Växjö.' }) });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'assigned', assignedActor: { id: 'almi' }, county: { code: 'SE-G' } });
  });
  it('a company with more than 250 employees (stated in the text) is not sent to Almi', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/inquiries',
      payload: inquiry({ company: { name: 'Storbolaget AB' }, message: 'Vi är 400 anställda och behöver ett lån på 60 MSEK för en exportaffär med 8 års kredit.' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().assignedActor?.id).not.toBe('almi');
  });
  it('the preview and intake agree', async () => {
    const message = 'Vi behöver ursprungsintyg och EUR.1 för en leverans till Egypten. Vi finns i Kalmar.';
    const preview = await t.app.inject({ method: 'POST', url: '/v1/routing/preview', payload: { message } });
    const created = await t.app.inject({ method: 'POST', url: '/v1/inquiries', payload: inquiry({ message }) });
    expect(created.json().assignedActor.id).toBe(preview.json().assignedActor.id);
  });
});
