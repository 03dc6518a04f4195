/**
 * Routing quality: `npm run eval` prints the figures on the development part (what tuning looks at)
 * and on the held-out part (what we report). `npm run eval -- --errors` also lists dev errors;
 * `--threshold 0.3` overrides the triage threshold to try a calibration (dev only, please).
 * `--file tests/fixtures/corpus/part-c.jsonl` evaluates one other corpus file instead (with
 * `--errors`, its errors are listed); `--dev-only` skips the held-out part.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, formatReport, readCorpus } from '../src/routing/evaluation.js';
import { createEvaluationPipeline } from '../src/routing/evaluation-setup.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../tests/fixtures/corpus');
const args = process.argv.slice(2);
const thresholdArg = args.indexOf('--threshold');
const triageThreshold = thresholdArg >= 0 ? Number(args[thresholdArg + 1]) : undefined;
const showErrors = args.includes('--errors');
const fileArg = args.indexOf('--file');
const file = fileArg >= 0 ? args[fileArg + 1] : undefined;
if (fileArg >= 0 && !file) throw new Error('--file needs a path');

const pipeline = createEvaluationPipeline(triageThreshold !== undefined ? { triageThreshold } : {});
try {
  const devFile = file ? path.resolve(file) : path.join(DIR, 'dev.jsonl');
  const devItems = readCorpus(devFile);
  const dev = evaluate(devItems, pipeline.decide);
  console.log(formatReport(file ? path.basename(devFile) : 'dev (tuning)', dev));
  if (showErrors) {
    console.log(`\n${file ? path.basename(devFile) : 'dev'} errors:`);
    const byId = new Map(devItems.map((i) => [i.id, i]));
    for (const r of dev.results) {
      const item = byId.get(r.id)!;
      if (!r.correct) {
        console.log(`- ${r.id} expected ${r.acceptable.join('|') || 'out-of-scope'} got ${r.assigned}: ${r.decision.explanation}`);
        console.log(`    ${(item.subject ? item.subject + ' | ' : '') + item.message.replace(/\s+/g, ' ').slice(0, 300)}`);
      }
      if (r.expectedCounty !== r.detectedCounty) {
        console.log(`- ${r.id} county expected ${r.expectedCounty} got ${r.detectedCounty}: ${item.message.replace(/\s+/g, ' ').slice(0, 200)}`);
      }
    }
  }
  if (!file && !args.includes('--dev-only')) {
    console.log('');
    console.log(formatReport('held-out (reported)', evaluate(readCorpus(path.join(DIR, 'heldout.jsonl')), pipeline.decide)));
  }
} finally {
  pipeline.close();
}
