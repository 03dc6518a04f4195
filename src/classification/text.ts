/**
 * Text normalisation and multi-pattern matching shared by topic classification and place detection.
 *
 * Text is folded to lower case without diacritics (å, ä → a; ö → o; é → e) because companies type
 * "vaxjo" as often as "Växjö", and every non-alphanumeric run becomes one space, so patterns can be
 * matched with word boundaries in a single pass over the text (Aho–Corasick), whatever the number of
 * patterns. That keeps classification cheap on the intake path.
 */

const DIACRITICS = /[\u0300-\u036f]/g;

/** Lower-cases, strips diacritics and collapses everything that is not a letter or digit to one space. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** How a pattern must sit against word boundaries in the folded text. */
export type MatchMode = 'prefix' | 'exact' | 'infix' | 'suffix';

export interface Pattern<T> {
  text: string; // already folded
  mode: MatchMode;
  value: T;
}

export interface Match<T> {
  pattern: Pattern<T>;
  start: number; // index in the folded text
  end: number; // exclusive
}

interface Node {
  next: Map<string, number>;
  fail: number;
  out: number[]; // pattern indexes ending here (own and via fail links)
}

/** An Aho–Corasick automaton over folded patterns, honouring each pattern's word-boundary mode. */
export class Matcher<T> {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  private readonly patterns: Pattern<T>[] = [];

  constructor(patterns: Iterable<Pattern<T>>) {
    for (const p of patterns) this.add(p);
    this.build();
  }

  private add(pattern: Pattern<T>): void {
    if (pattern.text.length === 0) return;
    let state = 0;
    for (const ch of pattern.text) {
      const node = this.nodes[state]!;
      let next = node.next.get(ch);
      if (next === undefined) {
        next = this.nodes.length;
        this.nodes.push({ next: new Map(), fail: 0, out: [] });
        node.next.set(ch, next);
      }
      state = next;
    }
    this.nodes[state]!.out.push(this.patterns.length);
    this.patterns.push(pattern);
  }

  private build(): void {
    const queue: number[] = [];
    for (const child of this.nodes[0]!.next.values()) queue.push(child);
    // Breadth-first with a read index: Array.shift() would make building quadratic in the node count.
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const node = this.nodes[state]!;
      for (const [ch, child] of node.next) {
        queue.push(child);
        let f = node.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(ch)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(ch);
        const childNode = this.nodes[child]!;
        childNode.fail = target !== undefined && target !== child ? target : 0;
        childNode.out.push(...this.nodes[childNode.fail]!.out);
      }
    }
  }

  /** All matches in folded text whose word boundaries fit their pattern's mode. */
  findAll(folded: string): Match<T>[] {
    const matches: Match<T>[] = [];
    let state = 0;
    for (let i = 0; i < folded.length; i++) {
      const ch = folded[i]!;
      while (state !== 0 && !this.nodes[state]!.next.has(ch)) state = this.nodes[state]!.fail;
      state = this.nodes[state]!.next.get(ch) ?? 0;
      for (const index of this.nodes[state]!.out) {
        const pattern = this.patterns[index]!;
        const end = i + 1;
        const start = end - pattern.text.length;
        const startsWord = start === 0 || folded[start - 1] === ' ';
        const endsWord = end === folded.length || folded[end] === ' ';
        const fits =
          pattern.mode === 'infix' ||
          (pattern.mode === 'prefix' && startsWord) ||
          (pattern.mode === 'suffix' && endsWord) ||
          (pattern.mode === 'exact' && startsWord && endsWord);
        if (fits) matches.push({ pattern, start, end });
      }
    }
    return matches;
  }
}

/** The whole word of folded text around a match, for showing which word decided. */
export function wordAt(folded: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s > 0 && folded[s - 1] !== ' ') s--;
  while (e < folded.length && folded[e] !== ' ') e++;
  return folded.slice(s, e);
}
