// Regenerates src/reference/data/place-stopwords.json: place names (municipalities and SCB
// localities) that are also ordinary Swedish or English words ("Vara", "Mark", "Åre" → "are").
// Such names only count as places in free text when written exactly as the place is spelt
// (capital letter, diacritics) or right after a location word ("i", "från", "in", "from").
// Needs Debian's wswedish and wamerican word lists; run by hand, the output is committed.
import fs from 'node:fs';

const fold = (s) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const words = new Set();
for (const file of ['/usr/share/dict/swedish', '/usr/share/dict/american-english']) {
  for (const w of fs.readFileSync(file, 'utf8').split('\n')) {
    // Proper nouns in the lists are capitalised; only ordinary words count.
    if (w && w[0] === w[0].toLowerCase()) words.add(fold(w));
  }
}
const names = new Set();
for (const line of fs.readFileSync('src/reference/data/municipalities.csv', 'utf8').trim().split('\n').slice(1)) {
  names.add(line.split(',')[1]);
}
for (const line of fs.readFileSync('src/reference/data/localities.csv', 'utf8').trim().split('\n').slice(1)) {
  const name = line.startsWith('"') ? line.slice(1, line.lastIndexOf('"')) : line.split(',')[0];
  names.add(name);
}
const stop = [...names].filter((n) => words.has(fold(n))).sort((a, b) => a.localeCompare(b, 'sv'));
fs.writeFileSync('src/reference/data/place-stopwords.json', JSON.stringify({ source: 'scripts/build-place-stopwords.mjs', names: stop }, null, 1) + '\n');
console.log(stop.length, stop.join(', '));
