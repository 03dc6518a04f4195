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

/**
 * An Aho–Corasick automaton over folded patterns, honouring each pattern's word-boundary mode.
 *
 * Stored flat in typed arrays rather than one object and Map per trie node: the place names (every
 * locality, municipality and county with their inflected forms) make about 300,000 nodes, which as objects
 * held about 100 MB of live heap in every server process and gave each major GC a million objects to mark;
 * flat they take about 7 MB. Children of a node sit side by side sorted by character (found by binary
 * search); each node has its failure link and a link to the nearest node on its failure chain that ends
 * a pattern, so a match reports its own patterns and then those of the chain, as the classic automaton does.
 */
export class Matcher<T> {
  private readonly patterns: Pattern<T>[] = [];
  /** Node n's children: edgeChar/edgeChild[edgeStart[n] .. edgeStart[n + 1]), sorted by character code. */
  private readonly edgeStart: Int32Array;
  private readonly edgeChar: Uint16Array;
  private readonly edgeChild: Int32Array;
  private readonly fail: Int32Array;
  /** The nearest node on n's failure chain (not n) that ends a pattern; 0 (the root) when none. */
  private readonly outputLink: Int32Array;
  /** The patterns ending exactly at node n: outputs[outputStart[n] .. outputStart[n + 1]). */
  private readonly outputStart: Int32Array;
  private readonly outputs: Int32Array;

  constructor(patterns: Iterable<Pattern<T>>) {
    // The trie while building: one map from (node, character) to child, dropped once the arrays are made.
    const children = new Map<number, number>();
    const edgeFrom: number[] = [];
    const edgeCharList: number[] = [];
    const edgeTo: number[] = [];
    const ends: number[] = []; // pattern index → node where it ends
    let nodeCount = 1;
    for (const pattern of patterns) {
      if (pattern.text.length === 0) continue;
      let state = 0;
      for (let i = 0; i < pattern.text.length; i++) {
        const ch = pattern.text.charCodeAt(i);
        const key = state * 65_536 + ch;
        let next = children.get(key);
        if (next === undefined) {
          next = nodeCount++;
          children.set(key, next);
          edgeFrom.push(state);
          edgeCharList.push(ch);
          edgeTo.push(next);
        }
        state = next;
      }
      ends.push(state);
      this.patterns.push(pattern);
    }
    children.clear();

    // Children side by side per node, sorted by character.
    this.edgeStart = new Int32Array(nodeCount + 1);
    for (const from of edgeFrom) this.edgeStart[from + 1]!++;
    for (let n = 0; n < nodeCount; n++) this.edgeStart[n + 1]! += this.edgeStart[n]!;
    const order = Array.from(edgeFrom.keys()).sort((a, b) => edgeFrom[a]! - edgeFrom[b]! || edgeCharList[a]! - edgeCharList[b]!);
    this.edgeChar = Uint16Array.from(order, (e) => edgeCharList[e]!);
    this.edgeChild = Int32Array.from(order, (e) => edgeTo[e]!);

    // Each node's own patterns, in the order they were given.
    this.outputStart = new Int32Array(nodeCount + 1);
    for (const node of ends) this.outputStart[node + 1]!++;
    for (let n = 0; n < nodeCount; n++) this.outputStart[n + 1]! += this.outputStart[n]!;
    this.outputs = new Int32Array(ends.length);
    const filled = this.outputStart.slice(0, nodeCount);
    ends.forEach((node, index) => { this.outputs[filled[node]!++] = index; });

    // Failure and output links, breadth first (a node's links need its parent's).
    this.fail = new Int32Array(nodeCount);
    this.outputLink = new Int32Array(nodeCount);
    const queue = new Int32Array(nodeCount);
    let tail = 0;
    for (let e = this.edgeStart[0]!; e < this.edgeStart[1]!; e++) queue[tail++] = this.edgeChild[e]!;
    for (let head = 0; head < tail; head++) {
      const node = queue[head]!;
      for (let e = this.edgeStart[node]!; e < this.edgeStart[node + 1]!; e++) {
        const ch = this.edgeChar[e]!;
        const child = this.edgeChild[e]!;
        queue[tail++] = child;
        let f = this.fail[node]!;
        while (f !== 0 && this.child(f, ch) < 0) f = this.fail[f]!;
        const target = this.child(f, ch);
        const failTo = target >= 0 && target !== child ? target : 0;
        this.fail[child] = failTo;
        this.outputLink[child] = this.endsPattern(failTo) ? failTo : this.outputLink[failTo]!;
      }
    }
  }

  /** The child of node along character code ch, or -1. */
  private child(node: number, ch: number): number {
    let lo = this.edgeStart[node]!;
    let hi = this.edgeStart[node + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.edgeChar[mid]!;
      if (c === ch) return this.edgeChild[mid]!;
      if (c < ch) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private endsPattern(node: number): boolean {
    return this.outputStart[node + 1]! > this.outputStart[node]!;
  }

  /** All matches in folded text whose word boundaries fit their pattern's mode. */
  findAll(folded: string): Match<T>[] {
    const matches: Match<T>[] = [];
    let state = 0;
    for (let i = 0; i < folded.length; i++) {
      const ch = folded.charCodeAt(i);
      let next = this.child(state, ch);
      while (next < 0 && state !== 0) {
        state = this.fail[state]!;
        next = this.child(state, ch);
      }
      state = next < 0 ? 0 : next;
      for (let node = this.endsPattern(state) ? state : this.outputLink[state]!; node !== 0; node = this.outputLink[node]!) {
        for (let o = this.outputStart[node]!; o < this.outputStart[node + 1]!; o++) {
          const pattern = this.patterns[this.outputs[o]!]!;
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
