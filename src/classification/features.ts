import type { ActorNameFinder } from './actor-names.js';
import { fold } from './text.js';

/**
 * The learned layer's view of a text: word unigrams and bigrams and character 3- to 5-grams inside
 * words, over the folded text (lower case, no diacritics) with actor names replaced by one word and
 * digits by 0. Character n-grams read what the term lists only match literally: a plural or definite
 * form ("garantierna"), a compound ("mässcarnet"), a typo. Shared by training and inference, so the
 * committed weights and the running service see the same features.
 *
 * Feature names are prefixed by kind: `w` word, `b` two words, `c` character n-gram with `_` marking
 * the word's edges ("c_gar", "cnti_").
 */

export const ACTOR_WORD = 'aktor';
const MIN_CHAR = 3;
const MAX_CHAR = 5;

/** Folded text with every actor name as one word and every digit as 0. */
export function modelText(prepared: string, findActors: ActorNameFinder): string {
  const folded = fold(prepared);
  let out = '';
  let at = 0;
  for (const m of findActors(folded)) {
    out += folded.slice(at, m.start) + ACTOR_WORD;
    at = m.end;
  }
  return (out + folded.slice(at)).replace(/[0-9]/g, '0');
}

/** The distinct features of a model text, in first-seen order. */
export function featuresOf(text: string): string[] {
  const seen = new Set<string>();
  const tokens = text.split(' ').filter((t) => t.length > 0);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    seen.add(`w${token}`);
    if (i + 1 < tokens.length) seen.add(`b${token}_${tokens[i + 1]!}`);
    const padded = `_${token}_`;
    for (let n = MIN_CHAR; n <= MAX_CHAR; n++) {
      for (let s = 0; s + n <= padded.length; s++) seen.add(`c${padded.slice(s, s + n)}`);
    }
  }
  return [...seen];
}

/** The word a feature came from, for showing a caseworker why ("cgaran" → the word it is part of). */
export function describeFeature(feature: string): string {
  const body = feature.slice(1);
  if (feature.startsWith('b')) return body.replace('_', ' ');
  return body.replace(/_/g, '');
}
