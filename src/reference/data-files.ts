import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reads the reference data files shipped with the service (src/reference/data). */
const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

export interface CountyRow { code: string; scbCode: string; name: string; shortName: string }
export interface MunicipalityRow { code: string; name: string; countyScbCode: string }
export interface LocalityRow { name: string; municipalityCode: string }
export interface ActorSeed {
  id: string;
  name: string;
  kind: 'core' | 'public' | 'chamber';
  description: string;
  website: string | null;
  offices: Record<string, string[]>;
}
export interface PlaceAlias { name: string; county: string | null; municipality?: string }

/** Minimal RFC 4180 line split: the SCB files quote a field only when it holds a comma. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { current += '"'; i++; }
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { fields.push(current); current = ''; }
    else current += ch;
  }
  fields.push(current);
  return fields;
}

function readCsv(file: string): string[][] {
  const text = fs.readFileSync(path.join(DATA_DIR, file), 'utf8');
  return text.trim().split('\n').slice(1).map(splitCsvLine);
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, file), 'utf8')) as T;
}

export function readCounties(): CountyRow[] {
  return readCsv('counties.csv').map(([code, scbCode, name, shortName]) => ({
    code: code!, scbCode: scbCode!, name: name!, shortName: shortName!,
  }));
}

export function readMunicipalities(): MunicipalityRow[] {
  return readCsv('municipalities.csv').map(([code, name, countyScbCode]) => ({
    code: code!, name: name!, countyScbCode: countyScbCode!,
  }));
}

export function readLocalities(): LocalityRow[] {
  return readCsv('localities.csv').map(([name, municipalityCode]) => ({ name: name!, municipalityCode: municipalityCode! }));
}

export function readActorSeeds(): ActorSeed[] {
  return readJson<{ actors: ActorSeed[] }>('actors.json').actors;
}

export function readPlaceAliases(): PlaceAlias[] {
  return readJson<{ aliases: PlaceAlias[] }>('place-aliases.json').aliases;
}

export function readPlaceStopwords(): string[] {
  return readJson<{ names: string[] }>('place-stopwords.json').names;
}
