import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { loadKnowledge } from '../classification/knowledge.js';
import { Places } from '../reference/places.js';
import { createReferenceRepository } from '../reference/repository.js';
import { seedReferenceData } from '../reference/seed.js';
import { ReferenceService } from '../reference/service.js';
import type { Decide } from './evaluation.js';
import { createRouting } from './plugin.js';

/**
 * The real routing pipeline for evaluation: a fresh SQLite file with the committed migrations and the
 * seeded reference data (which actors serve which county), and the service's own routing decider
 * (what POST /v1/inquiries and the preview use). The triage threshold is the configured default unless given.
 */
export function createEvaluationPipeline(options: { triageThreshold?: number } = {}): { decide: Decide; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'en-dorr-in-eval-'));
  const db = openDatabase(path.join(dir, 'eval.db'));
  migrateDatabase(db);
  const knowledge = loadKnowledge();
  seedReferenceData(db, knowledge);
  const reference = new ReferenceService(createReferenceRepository(db), new Places(), knowledge);
  const config = loadConfig({});
  const routing = createRouting({
    reference,
    config: { TRIAGE_CONFIDENCE_THRESHOLD: options.triageThreshold ?? config.TRIAGE_CONFIDENCE_THRESHOLD },
  });
  return {
    decide: (input) => {
      const { location, decision } = routing.decide(input);
      return { countyCode: location.countyCode, decision };
    },
    close: () => {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
