// One template and the bookkeeping around it: its place in the recency ring and in the sibling index
// that decides when a position has shown enough distinct values to become a wildcard.
import type { PatternStats } from './pattern-stats.js';
import { WILDCARD } from './tokenize.js';

/** 8 hex digits of FNV-1a over the template: the same first template gets the same id everywhere. */
export function templateId(template: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < template.length; i++) {
    h ^= template.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `p${(h >>> 0).toString(16).padStart(8, '0')}`;
}

export class Cluster {
  template: string;
  /** Positions of tokens that hold `<*>`. */
  wild: number[] = [];
  /** Per wild position: characters before and after its single `<*>`, or -1 when it holds several. */
  private affix: Array<[number, number]> = [];
  alive = true;
  mergedInto: Cluster | undefined;
  prev: LruNode = this;
  next: LruNode = this;
  siblingKeys: string[] = [];

  constructor(
    readonly serial: number,
    public id: string,
    readonly tokens: string[],
    readonly stats: PatternStats,
  ) {
    this.template = tokens.join(' ');
    this.index();
  }

  setToken(position: number, token: string): void {
    this.tokens[position] = token;
    this.template = this.tokens.join(' ');
    this.index();
  }

  /** The live cluster this one was merged into, or itself. */
  resolve(): Cluster {
    let c: Cluster = this;
    while (c.mergedInto !== undefined) c = c.mergedInto;
    return c;
  }

  /** Values of the wildcards in a message's raw tokens (same tokenization, so same length). */
  params(raw: readonly string[]): string[] {
    const out: string[] = new Array(this.wild.length);
    for (let k = 0; k < this.wild.length; k++) {
      const value = raw[this.wild[k]] ?? '';
      const [before, after] = this.affix[k];
      out[k] = before < 0 || value.length < before + after ? value : value.slice(before, value.length - after);
    }
    return out;
  }

  private index(): void {
    this.wild = [];
    this.affix = [];
    for (let p = 0; p < this.tokens.length; p++) {
      const token = this.tokens[p];
      const at = token.indexOf(WILDCARD);
      if (at < 0) continue;
      this.wild.push(p);
      const single = token.indexOf(WILDCARD, at + WILDCARD.length) < 0;
      this.affix.push(single ? [at, token.length - at - WILDCARD.length] : [-1, -1]);
    }
  }
}

interface LruNode {
  prev: LruNode;
  next: LruNode;
}

/** Clusters by recency in a circular doubly linked list: O(1) touch and eviction. */
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

/**
 * Groups templates that are equal but for one position. When a group reaches `minSiblings`
 * members, that position has shown as many distinct values and is ready to become a wildcard.
 */
export class SiblingIndex {
  private readonly groups = new Map<string, Cluster[]>();

  constructor(private readonly minSiblings: number) {}

  add(c: Cluster): void {
    const tokens = c.tokens;
    c.siblingKeys = [];
    for (let p = 0; p < tokens.length; p++) {
      if (tokens[p] === WILDCARD) continue;
      const held = tokens[p];
      tokens[p] = '\u0001';
      const key = `${p}\u0000${tokens.join(' ')}`;
      tokens[p] = held;
      c.siblingKeys.push(key);
      const group = this.groups.get(key);
      if (group === undefined) this.groups.set(key, [c]);
      else group.push(c);
    }
  }

  remove(c: Cluster): void {
    for (const key of c.siblingKeys) {
      const group = this.groups.get(key);
      if (group === undefined) continue;
      const at = group.indexOf(c);
      if (at >= 0) group.splice(at, 1);
      if (group.length === 0) this.groups.delete(key);
    }
    c.siblingKeys = [];
  }

  /** A position of `c` whose group is large enough, with the group's members. */
  ripe(c: Cluster): { position: number; members: Cluster[] } | undefined {
    for (const key of c.siblingKeys) {
      const group = this.groups.get(key);
      if (group !== undefined && group.length >= this.minSiblings) {
        return { position: Number(key.slice(0, key.indexOf('\u0000'))), members: group.slice() };
      }
    }
    return undefined;
  }
}
