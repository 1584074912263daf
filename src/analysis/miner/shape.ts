// A shape is one token template with a fixed token count, as stored in the trie: `user <*> logged in`.
// A pattern (the unit with an id and figures) owns one or more shapes: the same event printed with a
// different number of tokens in a variable part (`5 bytes sent` / `5 bytes (1 KB) sent`).
import type { PatternStats } from './pattern-stats.js';
import { type Tokens, WILDCARD } from './tokenize.js';

/** 8 hex digits of FNV-1a over the template: the same first template gets the same id everywhere. */
export function templateId(template: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < template.length; i++) {
    h ^= template.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `p${(h >>> 0).toString(16).padStart(8, '0')}`;
}

export interface LruNode {
  prev: LruNode;
  next: LruNode;
}

export class Pattern implements LruNode {
  readonly shapes: Shape[] = [];
  alive = true;
  mergedInto: Pattern | undefined;
  prev: LruNode = this;
  next: LruNode = this;

  constructor(
    readonly serial: number,
    readonly id: string,
    readonly stats: PatternStats,
  ) {}

  /** The oldest shape: the template the pattern is shown as. */
  get primary(): Shape {
    return this.shapes[0];
  }

  get template(): string {
    return this.shapes[0].template;
  }

  resolve(): Pattern {
    let p: Pattern = this;
    while (p.mergedInto !== undefined) p = p.mergedInto;
    return p;
  }
}

export class Shape {
  template: string;
  /** Positions of tokens that hold `<*>`. */
  wild: number[] = [];
  /** Per wild position: characters before and after its single `<*>`, or -1 when it holds several. */
  private affix: Array<[number, number]> = [];
  /** Literal tokens only, in order: shapes of one event printed with more or fewer tokens agree on it. */
  literalKey = '';
  literalCount = 0;
  alive = true;
  mergedInto: Shape | undefined;
  /** Messages matched by this shape. */
  count = 0;
  siblingKeys: string[] = [];
  private mappedFor: string | undefined;
  private mapped: number[] = [];

  constructor(
    readonly serial: number,
    readonly tokens: string[],
    public pattern: Pattern,
  ) {
    this.template = tokens.join(' ');
    this.index();
  }

  setToken(position: number, token: string): void {
    this.tokens[position] = token;
    this.template = this.tokens.join(' ');
    this.index();
  }

  resolve(): Shape {
    let s: Shape = this;
    while (s.mergedInto !== undefined) s = s.mergedInto;
    return s;
  }

  /** Values of the wildcards in a message this shape matched (same token count). */
  params(tokens: Tokens): string[] {
    const out: string[] = new Array(this.wild.length);
    for (let k = 0; k < this.wild.length; k++) {
      const value = tokens.rawAt(this.wild[k]);
      const [before, after] = this.affix[k];
      out[k] = before < 0 || value.length < before + after ? value : value.slice(before, value.length - after);
    }
    return out;
  }

  /**
   * For each wildcard of this shape, the position of the primary shape's wildcard in the same gap
   * between literals (or -1): where its values are counted.
   */
  primaryPositions(): number[] {
    const primary = this.pattern.primary;
    if (primary === this) return this.wild;
    if (this.mappedFor === primary.template) return this.mapped;
    const firstWildInGap = new Map<number, number>();
    let gap = 0;
    for (let p = 0; p < primary.tokens.length; p++) {
      if (!primary.tokens[p].includes(WILDCARD)) gap++;
      else if (!firstWildInGap.has(gap)) firstWildInGap.set(gap, p);
    }
    this.mapped = [];
    gap = 0;
    for (let p = 0; p < this.tokens.length; p++) {
      if (!this.tokens[p].includes(WILDCARD)) gap++;
      else this.mapped.push(firstWildInGap.get(gap) ?? -1);
    }
    this.mappedFor = primary.template;
    return this.mapped;
  }

  private index(): void {
    this.wild = [];
    this.affix = [];
    const literals: string[] = [];
    for (let p = 0; p < this.tokens.length; p++) {
      const token = this.tokens[p];
      const at = token.indexOf(WILDCARD);
      if (at < 0) {
        literals.push(token);
        continue;
      }
      this.wild.push(p);
      const single = token.indexOf(WILDCARD, at + WILDCARD.length) < 0;
      this.affix.push(single ? [at, token.length - at - WILDCARD.length] : [-1, -1]);
    }
    this.literalKey = literals.join(' ');
    this.literalCount = literals.length;
  }
}
