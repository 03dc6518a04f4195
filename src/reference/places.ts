import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fold, Matcher, type Pattern } from '../classification/text.js';
import {
  readCounties, readLocalities, readMunicipalities, readPlaceAliases, readPlaceStopwords,
  type CountyRow, type MunicipalityRow,
} from './data-files.js';

/**
 * Where a company is: county and municipality from form fields or from place names in free text.
 * A name that could be in more than one county (homonyms, landscapes such as Småland) is never guessed.
 */

export interface County { code: string; scbCode: string; name: string; shortName: string }
export interface Municipality { code: string; name: string; countyCode: string }

export interface PlaceDetection {
  countyCode: string | null;
  municipalityCode: string | null;
  /** The words in the text that decided, as written. */
  evidence: string[];
  /** Names found that could not decide (ambiguous or conflicting). */
  ambiguous: string[];
}

interface Candidate { countyCode: string | null; municipalityCode: string | null; rank: number }
/**
 * How strictly a name must appear to count: 'spelling' = written as the place or right after a location
 * word (names that are also words); 'cue' = only right after a location word; 'person' = only right after
 * a location word and not followed by a capitalised word (a surname); 'foreign' = never (covers its words).
 */
type Strictness = 'none' | 'spelling' | 'cue' | 'person' | 'foreign';
interface PlaceEntry { name: string; candidates: Candidate[]; strictness: Strictness }

interface PlaceIgnore { foreign: string[]; personNames: string[]; cueOnly: string[] }
const IGNORE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'place-ignore.json');
const STRICTNESS_ORDER: Strictness[] = ['none', 'spelling', 'cue', 'person', 'foreign'];
const stricter = (a: Strictness, b: Strictness) => (STRICTNESS_ORDER.indexOf(a) >= STRICTNESS_ORDER.indexOf(b) ? a : b);

// What a matched name is, from most to least specific to a county.
const RANK_COUNTY = 0;
const RANK_MUNICIPALITY = 1;
const RANK_ALIAS = 2;
const RANK_LOCALITY = 3;

/** Words that mark the next name as where the company is ("vi sitter i Växjö", "based in Mora"). */
const LOCATION_CUES = new Set([
  'i', 'fran', 'utanfor', 'nara', 'vid', 'pa', 'in', 'from', 'near', 'outside', 'at', 'of', 'around',
]);

/** Swedish endings on a place name that still mean the place: genitive and common compounds. */
const INFLECTIONS = ['s', 'baserad', 'baserat', 'baserade', 'sbaserad', 'sbaserat', 'sbaserade', 'omradet', 'somradet', 'trakten', 'strakten', 'regionen', 'sregionen', 'foretag', 'sforetag', 'foretaget', 'sforetaget', 'kontoret', 'skontoret', 'bolag', 'sbolag', 'bo', 'bor', 'borna'];
/** Compound endings that also follow a stem without its last vowel ("Skelleftebaserat", "Umebaserat"). */
const COMPOUND_ENDINGS = ['baserad', 'baserat', 'baserade', 'omradet', 'trakten', 'regionen', 'foretag', 'foretaget', 'kontoret', 'bolag'];
/** Location words, as written: any punctuation between the word and the name breaks the cue. */
const CUE_GAP = /^\s+$/;

export class Places {
  readonly counties: County[];
  readonly municipalities: Municipality[];
  private readonly countyByKey = new Map<string, County>();
  private readonly municipalityByKey = new Map<string, Municipality>();
  private readonly matcher: Matcher<PlaceEntry>;

  constructor() {
    const countyRows: CountyRow[] = readCounties();
    this.counties = countyRows.map((c) => ({ ...c }));
    const countyByScb = new Map(this.counties.map((c) => [c.scbCode, c]));
    const municipalityRows: MunicipalityRow[] = readMunicipalities();
    this.municipalities = municipalityRows.map((m) => {
      const county = countyByScb.get(m.countyScbCode);
      if (!county) throw new Error(`municipality ${m.code} names unknown county ${m.countyScbCode}`);
      return { code: m.code, name: m.name, countyCode: county.code };
    });

    // Keys accepted in the `county` field: ISO code, "AB", SCB code, names with or without "län".
    for (const c of this.counties) {
      const keys = [c.code, c.code.slice(3), c.scbCode, c.name, c.shortName, `${c.shortName} län`, `${c.shortName}s län`, `${c.shortName} county`, `region ${c.shortName}`, `SE-${c.scbCode}`];
      for (const key of keys) this.countyByKey.set(fold(key), c);
    }
    this.countyByKey.set(fold('Jämtland Härjedalen'), this.countyByKey.get('jamtland')!);
    this.countyByKey.set(fold('Scania'), this.countyByKey.get('skane')!);
    for (const m of this.municipalities) {
      this.municipalityByKey.set(m.code, m);
      this.municipalityByKey.set(fold(m.name), m);
      this.municipalityByKey.set(fold(`${m.name} kommun`), m);
    }

    this.matcher = new Matcher(this.buildPatterns());
  }

  private buildPatterns(): Pattern<PlaceEntry>[] {
    const stopwords = new Set(readPlaceStopwords());
    const ignore = JSON.parse(fs.readFileSync(IGNORE_FILE, 'utf8')) as PlaceIgnore;
    const strictnessOf = new Map<string, Strictness>();
    for (const n of stopwords) strictnessOf.set(fold(n), 'spelling');
    for (const n of ignore.cueOnly) strictnessOf.set(fold(n), stricter(strictnessOf.get(fold(n)) ?? 'none', 'cue'));
    for (const n of ignore.personNames) strictnessOf.set(fold(n), stricter(strictnessOf.get(fold(n)) ?? 'none', 'person'));
    for (const n of ignore.foreign) strictnessOf.set(fold(n), 'foreign');
    const entries = new Map<string, PlaceEntry>();
    const add = (name: string, candidate: Candidate | null, minimum: Strictness = 'none') => {
      const key = fold(name);
      if (key.length < 2) return;
      let entry = entries.get(key);
      if (!entry) {
        entry = { name, candidates: [], strictness: strictnessOf.get(key) ?? 'none' };
        entries.set(key, entry);
      }
      entry.strictness = stricter(entry.strictness, minimum);
      if (candidate) entry.candidates.push(candidate);
    };
    for (const n of ignore.foreign) add(n, null, 'foreign');
    const municipalityCounty = new Map(this.municipalities.map((m) => [m.code, m.countyCode]));

    for (const c of this.counties) {
      for (const name of [c.name, c.shortName, `${c.shortName} län`, `${c.shortName}s län`, `${c.shortName} county`, `region ${c.shortName}`]) {
        add(name, { countyCode: c.code, municipalityCode: null, rank: RANK_COUNTY });
      }
    }
    for (const m of this.municipalities) {
      add(m.name, { countyCode: m.countyCode, municipalityCode: m.code, rank: RANK_MUNICIPALITY });
      add(`${m.name} kommun`, { countyCode: m.countyCode, municipalityCode: m.code, rank: RANK_MUNICIPALITY });
    }
    for (const a of readPlaceAliases()) {
      add(a.name, { countyCode: a.county, municipalityCode: a.municipality ?? null, rank: a.county ? RANK_ALIAS : RANK_COUNTY });
    }
    const parts: [string, Candidate][] = [];
    for (const l of readLocalities()) {
      const countyCode = municipalityCounty.get(l.municipalityCode) ?? null;
      const candidate = { countyCode, municipalityCode: l.municipalityCode, rank: RANK_LOCALITY };
      add(l.name, candidate);
      // "Sundsvall och Timrå", "Skanör med Falsterbo", "Floda / Dala-Floda": each part is a name too.
      const split = l.name.split(/\s+och\s+|\s+med\s+|\s*\/\s*|,\s*/).map((p) => p.trim()).filter(Boolean);
      if (split.length > 1) for (const part of split) parts.push([part, candidate]);
    }
    // A part that is no place of its own ("Se" in "Hillsta och Se") is a hamlet at most: it counts only
    // after a location word. A part that is a place already (Mölnlycke, Älmhult) keeps its own rule.
    for (const [part, candidate] of parts) add(part, candidate, entries.has(fold(part)) ? 'none' : 'cue');

    const patterns: Pattern<PlaceEntry>[] = [];
    for (const [key, entry] of entries) {
      patterns.push({ text: key, mode: 'exact', value: entry });
      if (key.length < 4 || entry.strictness !== 'none') continue;
      const forms = new Set<string>();
      // "Hofors" + "företag", not "Hoforss": a name ending in s takes no genitive s.
      for (const ending of INFLECTIONS) if (!(key.endsWith('s') && ending.startsWith('s'))) forms.add(key + ending);
      // "Skellefteå" → "Skelleftebaserat", "Umeå" → "Umebaserat": the final vowel may drop in compounds.
      if (/[aeiou]$/.test(key) && key.length >= 4) for (const ending of COMPOUND_ENDINGS) forms.add(key.slice(0, -1) + ending);
      for (const form of forms) if (!entries.has(form)) patterns.push({ text: form, mode: 'exact', value: entry });
    }
    return patterns;
  }

  county(code: string): County | undefined {
    return this.countyByKey.get(fold(code));
  }

  /** The county named by a form's `county` field: "SE-M", "12", "Skåne", "skane lan" … */
  resolveCountyInput(input: string): County | undefined {
    return this.countyByKey.get(fold(input));
  }

  /** The municipality named by a form's `municipality` field: "Lund", "1281", "Lunds kommun". */
  resolveMunicipalityInput(input: string): Municipality | undefined {
    const key = fold(input);
    return this.municipalityByKey.get(key) ?? this.municipalityByKey.get(key.replace(/s kommun$/, ''));
  }

  /** Finds where the company is from place names in free text, leaving ambiguous names undecided. */
  detect(text: string): PlaceDetection {
    const { folded, original, offset } = foldWithMap(text);
    const matches = this.matcher.findAll(folded);
    // Longest match wins where matches overlap ("Upplands Väsby" over "Väsby").
    matches.sort((a, b) => a.start - b.start || b.end - a.end);
    const chosen: typeof matches = [];
    let coveredTo = -1;
    for (const m of matches) {
      if (m.start < coveredTo) continue;
      chosen.push(m);
      coveredTo = m.end;
    }

    interface Found { name: string; counties: Set<string | null>; municipality: string | null; rank: number; cued: boolean }
    const found: Found[] = [];
    for (const m of chosen) {
      const entry = m.pattern.value;
      const written = original(m.start, m.end);
      if (entry.strictness === 'foreign' || entry.candidates.length === 0) continue;
      const previousWord = folded.slice(0, Math.max(0, m.start - 1)).split(' ').pop() ?? '';
      const previousEnd = m.start >= 2 ? offset(m.start - 2) + 1 : -1;
      const cued = LOCATION_CUES.has(previousWord) && previousEnd >= 0 && CUE_GAP.test(text.slice(previousEnd, offset(m.start)));
      // Spelt with letters the place does not have ("våra" is not Vara): another word.
      if (addsDiacritics(written, entry.name)) continue;
      // Names that are also ordinary words count only after a location word, or spelt as the place
      // (capital, diacritics) when long enough not to be a pronoun ("Vi").
      if (entry.strictness === 'spelling' && !cued && (written !== entry.name || written.length < 4)) continue;
      if ((entry.strictness === 'cue' || entry.strictness === 'person') && (!cued || !/^\p{Lu}/u.test(written))) continue;
      if (entry.strictness === 'person' && /^\s+\p{Lu}/u.test(text.slice(offset(m.end - 1) + 1))) continue;
      const bestRank = Math.min(...entry.candidates.map((c) => c.rank));
      const best = entry.candidates.filter((c) => c.rank === bestRank);
      const counties = new Set(best.map((c) => c.countyCode));
      const municipalities = new Set(best.map((c) => c.municipalityCode));
      found.push({
        name: written,
        counties,
        municipality: municipalities.size === 1 ? [...municipalities][0]! : null,
        rank: bestRank,
        cued,
      });
    }

    // Names introduced as the company's location ("i Växjö", "based in Mora") outrank passing mentions.
    const isDecisive = (f: Found) => f.counties.size === 1 && !f.counties.has(null);
    const decisiveAll = found.filter(isDecisive);
    const decisive = decisiveAll.some((f) => f.cued) ? decisiveAll.filter((f) => f.cued) : decisiveAll;
    const ambiguous = found.filter((f) => !isDecisive(f)).map((f) => f.name);
    const countyCodes = new Set(decisive.map((f) => [...f.counties][0]!));
    if (countyCodes.size !== 1) {
      // No name, or names in different counties: undecided, never a guess.
      const conflicting = countyCodes.size > 1 ? decisive.map((f) => f.name) : [];
      return { countyCode: null, municipalityCode: null, evidence: [], ambiguous: [...ambiguous, ...conflicting] };
    }
    const municipalityCodes = new Set(decisive.map((f) => f.municipality).filter((m): m is string => m !== null));
    return {
      countyCode: [...countyCodes][0]!,
      municipalityCode: municipalityCodes.size === 1 ? [...municipalityCodes][0]! : null,
      evidence: [...new Set(decisive.map((f) => f.name))],
      ambiguous,
    };
  }
}

/**
 * Folds text like fold() but remembers, for each folded character, where it came from, so that a
 * match can be checked against the spelling the company actually used ("Vara" the town, "våra" the word).
 */
// Folding one character at a time is on the intake path: ASCII is folded directly, anything else once.
const foldedChars = new Map<string, string>();
function foldChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 128) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
  let folded = foldedChars.get(ch);
  if (folded === undefined) {
    folded = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    if (foldedChars.size < 10_000) foldedChars.set(ch, folded);
  }
  return folded;
}

export function foldWithMap(text: string): { folded: string; original: (start: number, end: number) => string; offset: (index: number) => number } {
  let folded = '';
  const map: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const base = foldChar(text[i]!);
    for (const ch of base) {
      if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
        if (pendingSpace && folded.length > 0) { folded += ' '; map.push(i); }
        pendingSpace = false;
        folded += ch;
        map.push(i);
      } else pendingSpace = true;
    }
  }
  return {
    folded,
    original: (start, end) => text.slice(map[start]!, map[end - 1]! + 1),
    offset: (index) => map[index]!,
  };
}

/** True when the text puts å/ä/ö/é where the place name has a plain letter ("våra" against Vara). */
function addsDiacritics(written: string, name: string): boolean {
  const w = written.toLowerCase();
  const n = name.toLowerCase();
  for (let i = 0; i < Math.min(w.length, n.length); i++) {
    if ('åäöé'.includes(w[i]!) && !'åäöé'.includes(n[i]!)) return true;
  }
  return false;
}
