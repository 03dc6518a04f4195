import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { createIntakeService } from '../intake/service.js';
import { StatusLinks } from '../intake/status-links.js';
import { Places } from '../reference/places.js';
import { createReferenceRepository } from '../reference/repository.js';
import { seedReferenceData } from '../reference/seed.js';
import { ReferenceService } from '../reference/service.js';
import { Router } from '../routing/router.js';
import { Classifier } from './classifier.js';
import { createStatsProjection } from '../stats/projection.js';
import type { Decide } from './evaluation.js';
import { loadKnowledge } from './knowledge.js';

/**
 * The real routing pipeline for evaluation: a fresh SQLite file with the committed migrations and the
 * seeded reference data, and the intake service's own `decide` (what POST /v1/inquiries uses).
 * The triage threshold is the configured default unless given.
 */
export function createEvaluationPipeline(options: { triageThreshold?: number } = {}): { decide: Decide; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-eval-'));
  const db = openDatabase(path.join(dir, 'eval.db'));
  migrateDatabase(db);
  const knowledge = loadKnowledge();
  seedReferenceData(db, knowledge);
  const reference = new ReferenceService(createReferenceRepository(db), new Places(), knowledge);
  const config = loadConfig({});
  const intake = createIntakeService({
    db, reference, clock: () => Date.now(),
    classifier: new Classifier(knowledge),
    router: new Router(knowledge, reference),
    statusLinks: new StatusLinks('evaluation-only-secret-not-used-for-links'),
    deadlinePolicy: config.DEADLINE_POLICY,
    triageThreshold: options.triageThreshold ?? config.TRIAGE_CONFIDENCE_THRESHOLD,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    // Evaluation only decides, it never stores: the projection is there because intake needs one.
    projection: createStatsProjection({ db, atRiskMs: 0, orgKeySecret: 'evaluation-only-key-never-used-to-store' }),
  });
  return {
    decide: (input) => {
      const { location, decision } = intake.decide(input);
      return { countyCode: location.countyCode, decision };
    },
    close: () => {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
