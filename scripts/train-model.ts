/**
 * `npm run train`: trains the routing model (the learned layer, its combination with the rules, the
 * calibration and the triage threshold) on tests/fixtures/corpus/dev.jsonl and writes
 * src/classification/model/routing-model.json. Deterministic: the same corpus and knowledge give the
 * same file. Run it after changing the training corpus or the routing knowledge, and commit the file;
 * tests/routing/model.test.ts fails until you do.
 *
 *   npm run train            write the model file
 *   npm run train -- --check only say whether the committed file matches the corpus and knowledge
 */
import fs from 'node:fs';
import { MODEL_FILE, modelFileSchema, type ModelFile } from '../src/classification/model.js';
import { trainingDigest, trainRoutingModel } from '../src/routing/training.js';

if (process.argv.includes('--check')) {
  const committed = modelFileSchema.parse(JSON.parse(fs.readFileSync(MODEL_FILE, 'utf8')));
  const ok = committed.trainedOn.sha256 === trainingDigest();
  console.log(ok ? 'routing model matches the corpus and knowledge' : 'routing model is stale: run `npm run train` and commit src/classification/model/routing-model.json');
  process.exit(ok ? 0 : 1);
}

const started = Date.now();
const model = trainRoutingModel(undefined, (line) => console.log(line));
fs.writeFileSync(MODEL_FILE, formatModelFile(model));
console.log(`wrote ${MODEL_FILE} (${(fs.statSync(MODEL_FILE).size / 1024).toFixed(0)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`cross-validation on dev: ${JSON.stringify(model.crossValidation)}`);

/** JSON with one feature per line, so that a retrained model reads as a reviewable diff. */
export function formatModelFile(m: ModelFile): string {
  const { features, ...rest } = m;
  const head = JSON.stringify(rest, null, 1).replace(/\n}$/, '');
  const lines = Object.entries(features).map(([f, ws]) => `  ${JSON.stringify(f)}: [${ws.join(',')}]`);
  return `${head},\n "features": {\n${lines.join(',\n')}\n }\n}\n`;
}
