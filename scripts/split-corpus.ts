/**
 * Splits the routing corpus once into a development part (~60 %) and a held-out part (~40 %).
 * Deterministic: an item's side depends only on a SHA-256 of its id, so re-running gives the same
 * split and adding items never moves existing ones. Tune only on dev.jsonl; report on heldout.jsonl.
 * Parts written after the split was reported (DEV_ONLY_PARTS) go to dev only, so that the held-out
 * part stays exactly the same items it was when first measured.
 *
 *   npx tsx scripts/split-corpus.ts
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../tests/fixtures/corpus');
const HELDOUT_SHARE = 0.4;
/** Added after the held-out part was frozen: tuning data only. */
export const DEV_ONLY_PARTS = new Set(['part-c.jsonl', 'part-d.jsonl', 'part-e.jsonl', 'part-f.jsonl']);

export function isHeldOut(id: string): boolean {
  const h = createHash('sha256').update(`corpus-split-v1:${id}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < HELDOUT_SHARE;
}

const parts = fs.readdirSync(DIR).filter((f) => /^part-.*\.jsonl$/.test(f)).sort();
const dev: string[] = [];
const heldout: string[] = [];
const ids = new Set<string>();
for (const file of parts) {
  for (const line of fs.readFileSync(path.join(DIR, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const item = JSON.parse(line) as { id: string };
    if (ids.has(item.id)) throw new Error(`duplicate id ${item.id} in ${file}`);
    ids.add(item.id);
    (!DEV_ONLY_PARTS.has(file) && isHeldOut(item.id) ? heldout : dev).push(JSON.stringify(item));
  }
}
fs.writeFileSync(path.join(DIR, 'dev.jsonl'), dev.join('\n') + '\n');
fs.writeFileSync(path.join(DIR, 'heldout.jsonl'), heldout.join('\n') + '\n');
console.log(`dev: ${dev.length}, heldout: ${heldout.length} (from ${parts.join(', ')})`);
