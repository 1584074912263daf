// The miner's secondary indexes: recency of patterns, and shapes grouped by what they share.
import { type LruNode, type Shape } from './shape.js';
import { WILDCARD } from './tokenize.js';

/** Nodes by recency in a circular doubly linked list: O(1) touch and eviction. */
export class LruRing<T extends LruNode> {
  private readonly head: LruNode;

  constructor() {
    const head = {} as LruNode;
    head.prev = head;
    head.next = head;
    this.head = head;
  }

  /** Makes `c` the most recent. */
  touch(c: T): void {
    this.unlink(c);
    c.next = this.head.next;
    c.prev = this.head;
    this.head.next.prev = c;
    this.head.next = c;
  }

  unlink(c: T): void {
    if (c.next === c) return;
    c.prev.next = c.next;
    c.next.prev = c.prev;
    c.next = c;
    c.prev = c;
  }

  oldest(): T | undefined {
    return this.head.prev === this.head ? undefined : (this.head.prev as T);
  }

  oldestFirst(): T[] {
    const out: T[] = [];
    for (let c = this.head.prev; c !== this.head; c = c.prev) out.push(c as T);
    return out;
  }
}

/** Shapes by a string key, several per key. */
export class MultiIndex {
  private readonly groups = new Map<string, Shape[]>();

  add(key: string, s: Shape): Shape[] {
    const group = this.groups.get(key);
    if (group === undefined) {
      const fresh = [s];
      this.groups.set(key, fresh);
      return fresh;
    }
    group.push(s);
    return group;
  }

  get(key: string): readonly Shape[] | undefined {
    return this.groups.get(key);
  }

  delete(key: string, s: Shape): void {
    const group = this.groups.get(key);
    if (group === undefined) return;
    const at = group.indexOf(s);
    if (at >= 0) group.splice(at, 1);
    if (group.length === 0) this.groups.delete(key);
  }
}

/** A value that holds a wildcard or no letter at all (`en<*>`, `()`): it looks like data, not a word. */
function looksVariable(token: string): boolean {
  if (token.includes(WILDCARD)) return true;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i) | 32;
    if (c >= 97 && c <= 122) return false;
  }
  return true;
}

function hashToken(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function sameExcept(x: readonly string[], y: readonly string[], position: number): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (i !== position && x[i] !== y[i]) return false;
  return true;
}

/**
 * Groups shapes that are equal but for one position. A group whose values look like data is ripe at
 * `minSiblings` members; one with plain words needs `minWordSiblings`, and at the first position
 * `minLeadSiblings`, because a leading word is more often an event's name (`cupsd startup succeeded`)
 * than a value.
 */
export class SiblingIndex {
  private readonly groups = new MultiIndex();

  constructor(
    private readonly minSiblings: number,
    private readonly minWordSiblings: number,
    private readonly minLeadSiblings: number,
  ) {}

  add(s: Shape): void {
    const tokens = s.tokens;
    const n = tokens.length;
    s.siblingKeys = [];
    let literals = 0;
    for (const t of tokens) if (t !== WILDCARD) literals++;
    // A template keeps at least one token that is not a bare wildcard.
    if (literals < 2) return;
    // The key of position p hashes every other token with its position: a sum of per-token terms
    // minus the term of p, so all keys cost O(n) rather than O(n^2) characters. Two independent
    // 32-bit sums make collisions negligible, and ripe() checks members token by token anyway.
    const a = new Array<number>(n);
    const b = new Array<number>(n);
    let sumA = 0;
    let sumB = 0;
    for (let p = 0; p < n; p++) {
      const h = hashToken(tokens[p]);
      a[p] = Math.imul(h ^ Math.imul(p + 1, 0x9e3779b9), 0x85ebca6b) >>> 0;
      b[p] = Math.imul((h >>> 7) ^ Math.imul(p + 1, 0xc2b2ae35), 0x27d4eb2f) >>> 0;
      sumA = (sumA + a[p]) >>> 0;
      sumB = (sumB + b[p]) >>> 0;
    }
    for (let p = 0; p < n; p++) {
      if (tokens[p] === WILDCARD) continue;
      const key = `${p}:${n}:${(sumA - a[p]) >>> 0}:${(sumB - b[p]) >>> 0}`;
      s.siblingKeys.push(key);
      this.groups.add(key, s);
    }
  }

  remove(s: Shape): void {
    for (const key of s.siblingKeys) this.groups.delete(key, s);
    s.siblingKeys = [];
  }

  /** A position of `s` whose group is ripe, with the group's members. */
  ripe(s: Shape): { position: number; members: Shape[] } | undefined {
    for (const key of s.siblingKeys) {
      const group = this.groups.get(key);
      if (group === undefined || group.length < this.minSiblings) continue;
      const position = Number(key.slice(0, key.indexOf(':')));
      const members = group.filter((m) => m === s || sameExcept(m.tokens, s.tokens, position));
      if (members.length < this.minSiblings) continue;
      const words = position === 0 ? this.minLeadSiblings : this.minWordSiblings;
      if (members.length >= words || members.every((m) => looksVariable(m.tokens[position]))) return { position, members };
    }
    return undefined;
  }
}
