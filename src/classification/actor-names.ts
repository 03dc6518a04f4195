import type { Knowledge } from './knowledge.js';
import { Matcher, type MatchMode } from './text.js';

/**
 * Where a text names an actor ("Hej EKN", "Till Almi:", "Dear Enterprise Europe Network"). Works on
 * folded text (see text.ts). The rules use the names found (a question naming one actor and no clearer
 * need goes to that actor); the learned layer sees every name as the same word, so it learns needs.
 */

export interface ActorMention { actor: string; start: number; end: number }

/** "500 000 SEK", "SEK 2 million", "20 sek": the currency, not Svensk Exportkredit. */
const AMOUNT_WORD = /^(\d.*|kr|kronor|tkr|mkr|msek|miljon|miljoner|miljard|miljarder|million|millions|billion|thousand|tusen|k|m|mn)$/;

export function createActorNameFinder(knowledge: Knowledge) {
  const patterns = Object.entries(knowledge.actorNames?.names ?? {}).flatMap(([actor, names]) =>
    names.map((raw) => {
      const exact = raw.startsWith('=');
      const text = exact ? raw.slice(1) : raw;
      // A name is a whole word or the start of one ("almis", "almilånet"), never inside another word.
      return { text, mode: (exact ? 'exact' : 'prefix') as MatchMode, value: actor };
    }));
  const matcher = new Matcher(patterns);

  /** Actor names in folded text, longest first where they overlap, in text order. */
  return function find(folded: string): ActorMention[] {
    const found = matcher.findAll(folded)
      .map((m) => ({ actor: m.pattern.value, start: m.start, end: m.end }))
      .filter((m) => m.actor !== 'sek' || !isCurrency(folded, m.start, m.end))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: ActorMention[] = [];
    for (const m of found) {
      const last = kept[kept.length - 1];
      if (last && m.start < last.end) continue;
      kept.push(m);
    }
    return kept;
  };
}

function isCurrency(folded: string, start: number, end: number): boolean {
  const before = folded.slice(0, start).trimEnd().split(' ').pop() ?? '';
  const after = folded.slice(end).trimStart().split(' ')[0] ?? '';
  return AMOUNT_WORD.test(before) || AMOUNT_WORD.test(after);
}

export type ActorNameFinder = ReturnType<typeof createActorNameFinder>;
