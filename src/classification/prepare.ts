import type { Knowledge } from './knowledge.js';

/**
 * Rewrites made before folding, shared by the rules and the learned layer, because folding loses what
 * tells them apart: "Skåne län" is a county, not a loan ("lån" and "län" both fold to "lan"), and "OSS"
 * in capitals is the EU VAT scheme, not "oss" (us).
 */
const COUNTY_WORD = /(\p{L})s?\s+län\b/giu;

export function createTextPreparer(knowledge: Knowledge): (text: string) => string {
  const map = knowledge.acronyms?.map ?? {};
  const keys = Object.keys(map);
  const acronyms = keys.length > 0 ? new RegExp(String.raw`(?<![\p{L}\d])(${keys.join('|')})(?![\p{L}\d])`, 'gu') : null;
  return (text) => {
    const prepared = text.replace(COUNTY_WORD, '$1 county');
    return acronyms ? prepared.replace(acronyms, (a) => ` ${map[a]!} `) : prepared;
  };
}
