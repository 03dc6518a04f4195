import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classification/classifier.js';
import { featuresOf } from '../../src/classification/features.js';
import { loadKnowledge } from '../../src/classification/knowledge.js';
import { LearnedModel, MODEL_FILE } from '../../src/classification/model.js';
import { predictProbabilities, trainLogistic, type LogisticModel } from '../../src/classification/training.js';
import { readCorpus } from '../../src/routing/evaluation.js';
import { acceptableClasses, textOf, TRAINING_OPTIONS, trainingDigest } from '../../src/routing/training.js';

/**
 * The learned layer's weights are committed as data (src/classification/model/routing-model.json),
 * made by `npm run train` from the development corpus and the routing knowledge. These tests fail when
 * the committed file no longer matches them, so that nobody evaluates or ships a stale model.
 */
const CORPUS = path.resolve(import.meta.dirname, '../fixtures/corpus');
const model = LearnedModel.load();
const file = model.file;
const knowledge = loadKnowledge();
const rules = new Classifier(knowledge, null);

describe('the committed routing model', () => {
  it('was made from the current training corpus, knowledge and options (run `npm run train` and commit when this fails)', () => {
    expect(file.trainedOn.sha256).toBe(trainingDigest());
    expect(file.trainedOn.files).toEqual(['tests/fixtures/corpus/dev.jsonl']);
    expect(file.options).toEqual(TRAINING_OPTIONS);
  });

  it('was trained on the development part only: never on held-out or fresh inquiries', () => {
    const dev = readCorpus(path.join(CORPUS, 'dev.jsonl'));
    expect(file.trainedOn.items).toBe(dev.length);
    const devIds = new Set(dev.map((i) => i.id));
    for (const part of ['heldout.jsonl', 'fresh.jsonl']) {
      expect(readCorpus(path.join(CORPUS, part)).filter((i) => devIds.has(i.id))).toEqual([]);
    }
  });

  it('retraining the learned layer on the development corpus reproduces the committed weights', () => {
    const items = readCorpus(path.join(CORPUS, 'dev.jsonl'));
    const features = items.map((i) => featuresOf(rules.read(textOf(i)).modelText));
    const targets = items.map((i) => {
      const acceptable = acceptableClasses(i);
      return file.classes.map((c) => (acceptable.includes(c) ? 1 / acceptable.length : 0));
    });
    const retrained = trainLogistic(features, targets, file.classes, TRAINING_OPTIONS);
    const K = file.classes.length;
    expect(retrained.vocabulary.length).toBe(Object.keys(file.features).length);
    let worst = 0;
    retrained.vocabulary.forEach((feature, row) => {
      const committed = file.features[feature];
      expect(committed, feature).toBeDefined();
      for (let k = 0; k < K; k++) worst = Math.max(worst, Math.abs(Math.round(retrained.weights[row * K + k]! * file.scale) - committed![k]!));
    });
    // Integers of weight × 1000; the optimum is unique (L2), so only floating-point noise may differ.
    expect(worst).toBeLessThanOrEqual(2);
    Array.from(retrained.bias).forEach((b, k) => expect(Math.abs(b - file.bias[k]!)).toBeLessThan(0.002));
  }, 900_000);

  it('reads a text at run time (hashed n-grams) exactly as training does (n-gram strings)', () => {
    const vocabulary = Object.keys(file.features);
    const K = file.classes.length;
    const asTrained: LogisticModel = {
      classes: file.classes, vocabulary,
      weights: Float64Array.from(vocabulary.flatMap((f) => file.features[f]!.map((w) => w / file.scale))),
      bias: Float64Array.from(file.bias),
    };
    const index = new Map(vocabulary.map((f, i) => [f, i]));
    const texts = [...readCorpus(path.join(CORPUS, 'dev.jsonl')).slice(0, 40).map(textOf), 'Hej EKN!', '', 'Vi behöver garantierna för 3 000 000 kr'];
    for (const text of texts) {
      const modelText = rules.read(text).modelText;
      const expected = predictProbabilities(asTrained, featuresOf(modelText), index);
      const actual = model.analyse(modelText).logProbabilities.map(Math.exp);
      for (let k = 0; k < K; k++) expect(actual[k]).toBeCloseTo(expected[k]!, 10);
    }
  });

  it('holds calibration and a triage threshold chosen by cost, and stays a sensible size for a repository', () => {
    expect(file.options.costWrongActor).toBeGreaterThan(file.options.costTriage);
    expect(file.triageThreshold).toBeGreaterThan(0);
    expect(file.calibration.a).toBeGreaterThan(0);
    expect(fs.statSync(MODEL_FILE).size).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('explains itself only with words of the training corpus, never a word only this text has (the history keeps the explanation)', () => {
    const classifier = new Classifier(knowledge, model);
    const c = classifier.classify('Vi behöver ett lån för att köpa en ny hyvelmaskin till Zorblaxfabriken hos Kvistgården, skriv till Ingegerd Hallonqvist.');
    const words = (c.actors ?? []).flatMap((a) => a.learnedWords ?? []).map((w) => w.word);
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(model.isCorpusWord(w), w).toBe(true);
    expect(words.join(' ')).not.toMatch(/hyvelmaskin|zorblax|kvistgarden|ingegerd|hallonqvist/);
  });

  it('is deterministic and explains itself with the words that pushed hardest', () => {
    const classifier = new Classifier(knowledge, model);
    const text = 'Kunden i Vietnam vill betala om ett halvår och vi är rädda att inte få betalt.';
    const a = classifier.classify(text);
    expect(classifier.classify(text)).toEqual(a);
    expect(a.actors![0]!.id).toBe('ekn');
    expect(a.actors![0]!.learnedWords!.length).toBeGreaterThan(0);
    expect(a.actors!.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 3);
  });
});
