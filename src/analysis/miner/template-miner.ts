// An online template miner. Each message is masked and tokenized (tokenize.ts); a message whose masked
// tokens were seen before is matched through a cache, else through a trie of shapes (templates of
// one token count). A message no shape covers starts a new pattern. Two rules then generalize:
// - siblings: a position becomes `<*>` once enough shapes agree everywhere but there, each with its
//   own value (`user root` / `user news` / `user test` ... become `user <*>`), while two words in a
//   position (`session opened` / `session closed`) stay two events;
// - literals: shapes with the same literal tokens in the same order are one event whose variable
//   part printed as more or fewer tokens (`5 bytes sent` / `5 bytes (1 KB) sent`).
// When patterns merge, the oldest keeps its id and the others become aliases of it, so an id handed
// out once keeps resolving. Patterns are capped, least recently matched first out.
import type { Level, PatternSummary } from '../../core/types.js';
import { LruRing, MultiIndex, SiblingIndex } from './indexes.js';
import { type MinerState, readMinerState, writeMinerState } from './miner-state.js';
import { DEFAULT_STATS_LIMITS, PatternStats, type StatsLimits } from './pattern-stats.js';
import { Pattern, Shape, templateId } from './shape.js';
import { TemplateTrie } from './template-trie.js';
import { newTokens, type Tokens, tokenize, WILDCARD } from './tokenize.js';

export type { MinerState } from './miner-state.js';
export { MinerStateError } from './miner-state.js';

export interface MinerOptions {
  /** Patterns kept at most; the least recently matched one is dropped beyond. Default 5000. */
  maxTemplates?: number;
  /**
   * Tokens of a message used for mining; the rest is one trailing `<*>`. Bounds the cost of very long
   * lines; lower values merge long messages that differ only far into the line. Default 64.
   */
  maxTokens?: number;
  /**
   * Distinct values that look like data (`en<*>`, `()`) a position must show, among shapes equal
   * everywhere else, before it becomes `<*>`. Lower merges sooner. Default 3.
   */
  minSiblings?: number;
  /**
   * The same when some values are plain words: words are more often distinct events (`opened` /
   * `closed`) than values. Lower merges such events; higher keeps user names etc. apart. Default 4.
   */
  minWordSiblings?: number;
  /**
   * The same for plain words in the first position, which often name the event: above the five
   * common HTTP verbs, so that `GET <*>` and `POST <*>` stay apart. Default 6.
   */
  minLeadSiblings?: number;
  /**
   * Literal tokens two shapes of different lengths must share (all of them, in order) to be one
   * pattern. Lower joins short messages that merely share a word or two. Default 2.
   */
  minSharedLiterals?: number;
  /** Masked messages remembered for the fast path (cleared when full). Default 50,000. */
  cacheSize?: number;
  /** Bounds of the per-pattern figures (examples, wildcard values, minutes). */
  stats?: Partial<StatsLimits>;
  /** Time for entries without a timestamp. Default Date.now. */
  now?: () => number;
}

export interface MatchResult {
  id: string;
  template: string;
  isNew: boolean;
  /** Values of the wildcards of the matched shape, in order. */
  params: string[];
}

export interface EntryMeta {
  timestamp?: number;
  process?: string;
  level?: Level;
  seq?: number;
}

const MAX_SHAPES = 32;
const MAX_CACHED_KEY = 2048;
const VALUE_SAMPLE_AFTER = 256;
const VALUE_SAMPLE = 4;

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

export class TemplateMiner {
  readonly maxTemplates: number;
  readonly maxTokens: number;
  private readonly minSharedLiterals: number;
  private readonly cacheSize: number;
  private readonly limits: StatsLimits;
  private readonly now: () => number;
  private readonly byId = new Map<string, Pattern>();
  private readonly aliases = new Map<string, string>();
  private readonly trie = new TemplateTrie<Shape>();
  private readonly siblings: SiblingIndex;
  private readonly literals = new MultiIndex();
  private readonly cache = new Map<string, Shape>();
  private readonly tokens = newTokens();
  private readonly lru = new LruRing<Pattern>();
  private serial = 0;

  constructor(options: MinerOptions = {}) {
    this.maxTemplates = positiveInt('maxTemplates', options.maxTemplates, 5000);
    this.maxTokens = positiveInt('maxTokens', options.maxTokens, 64, 2);
    const minSiblings = positiveInt('minSiblings', options.minSiblings, 3, 2);
    const minWord = positiveInt('minWordSiblings', options.minWordSiblings, 4, 2);
    const minLead = positiveInt('minLeadSiblings', options.minLeadSiblings, 6, 2);
    this.minSharedLiterals = positiveInt('minSharedLiterals', options.minSharedLiterals, 2);
    this.cacheSize = positiveInt('cacheSize', options.cacheSize, 50_000);
    this.limits = { ...DEFAULT_STATS_LIMITS, ...options.stats };
    for (const [k, v] of Object.entries(this.limits)) positiveInt(`stats.${k}`, v, 1);
    this.now = options.now ?? Date.now;
    this.siblings = new SiblingIndex(minSiblings, minWord, minLead);
  }

  /** Patterns held. */
  get size(): number {
    return this.byId.size;
  }

  add(message: string, meta: EntryMeta = {}): MatchResult {
    const tokens = tokenize(message, this.maxTokens, this.tokens);
    const key = tokens.key;
    let shape = this.lookup(key, tokens);
    let created: Pattern | undefined;
    if (shape === undefined) {
      created = this.createPattern(tokens.masked());
      shape = this.settle(created.primary);
      this.remember(key, shape);
    }
    const pattern = shape.pattern;
    shape.count++;
    pattern.stats.record(meta.timestamp ?? this.now(), message, meta.process, meta.level);
    const params = shape.params(tokens);
    // Past the first lines of a pattern, one line in VALUE_SAMPLE has its values counted (with that
    // weight): the top values stay representative at a fraction of the cost on hot patterns.
    const count = pattern.stats.count;
    if (count <= VALUE_SAMPLE_AFTER || count % VALUE_SAMPLE === 0) {
      const weight = count <= VALUE_SAMPLE_AFTER ? 1 : VALUE_SAMPLE;
      const positions = shape.primaryPositions();
      for (let k = 0; k < params.length; k++) if (positions[k] >= 0) pattern.stats.addValue(positions[k], params[k], weight);
    }
    this.lru.touch(pattern);
    if (created !== undefined) this.evictBeyondCap();
    return { id: pattern.id, template: pattern.template, isNew: created === pattern, params };
  }

  match(message: string): MatchResult | undefined {
    const tokens = tokenize(message, this.maxTokens, this.tokens);
    const shape = this.lookup(tokens.key, tokens);
    if (shape === undefined) return undefined;
    return { id: shape.pattern.id, template: shape.pattern.template, isNew: false, params: shape.params(tokens) };
  }

  /** The id a pattern is known by now: itself, or the pattern it was merged into; undefined once evicted. */
  resolveId(id: string): string | undefined {
    let current = id;
    for (let hops = 0; hops <= this.aliases.size; hops++) {
      if (this.byId.has(current)) return current;
      const next = this.aliases.get(current);
      if (next === undefined) return undefined;
      current = next;
    }
    return undefined;
  }

  summary(id: string): PatternSummary | undefined {
    const resolved = this.resolveId(id);
    const pattern = resolved === undefined ? undefined : this.byId.get(resolved);
    return pattern === undefined ? undefined : this.summarize(pattern);
  }

  summaries(options: { limit?: number; processes?: string[]; since?: number } = {}): PatternSummary[] {
    const { limit, processes, since } = options;
    const wanted = processes === undefined ? undefined : new Set(processes);
    const picked: Pattern[] = [];
    for (const p of this.byId.values()) {
      if (since !== undefined && p.stats.lastSeen < since) continue;
      if (wanted !== undefined && ![...p.stats.processes.keys()].some((name) => wanted.has(name))) continue;
      picked.push(p);
    }
    picked.sort((a, b) => b.stats.count - a.stats.count || a.serial - b.serial);
    const top = limit === undefined ? picked : picked.slice(0, Math.max(0, limit));
    return top.map((p) => this.summarize(p));
  }

  toJSON(): MinerState {
    return writeMinerState(this.lru.oldestFirst(), this.aliases);
  }

  static fromJSON(state: unknown, options?: MinerOptions): TemplateMiner {
    const parsed = readMinerState(state);
    const miner = new TemplateMiner(options);
    for (const saved of parsed.templates) {
      const pattern = new Pattern(miner.serial, saved.id, new PatternStats(miner.limits));
      saved.restore(pattern.stats);
      miner.byId.set(pattern.id, pattern);
      for (const { tokens, count } of saved.shapes) {
        const shape = new Shape(miner.serial++, tokens, pattern);
        shape.count = count;
        pattern.shapes.push(shape);
        miner.place(shape);
      }
      if (pattern.alive) miner.lru.touch(pattern);
      miner.evictBeyondCap();
    }
    for (const [from, to] of parsed.aliases) miner.alias(from, to);
    return miner;
  }

  private summarize(p: Pattern): PatternSummary {
    return p.stats.summarize(p.id, p.template, p.primary.wild);
  }

  private lookup(key: string, tokens: Tokens): Shape | undefined {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      const live = cached.resolve();
      if (live.alive) return live;
      this.cache.delete(key);
    }
    const found = this.trie.find(tokens.masked());
    if (found !== undefined) this.remember(key, found);
    return found;
  }

  private remember(key: string, shape: Shape): void {
    // Long keys are rare and would dominate the cache's memory: they take the trie path every time.
    if (key.length > MAX_CACHED_KEY) return;
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(key, shape);
  }

  private createPattern(tokens: string[]): Pattern {
    const template = tokens.join(' ');
    let id = templateId(template);
    for (let k = 2; this.byId.has(id) || this.aliases.has(id); k++) id = templateId(`${template}#${k}`);
    const pattern = new Pattern(this.serial, id, new PatternStats(this.limits));
    pattern.shapes.push(new Shape(this.serial++, tokens, pattern));
    this.byId.set(id, pattern);
    this.place(pattern.primary);
    return pattern;
  }

  /** Applies both generalization rules to a new shape; returns the shape that now covers it. */
  private settle(start: Shape): Shape {
    let shape = start;
    for (let group = this.siblings.ripe(shape); group !== undefined; group = this.siblings.ripe(shape)) {
      shape = this.generalize(group.position, group.members);
    }
    // Shapes per pattern stay bounded: past the cap, another arrangement starts a pattern of its own.
    const room = MAX_SHAPES - shape.pattern.shapes.length;
    const kin = this.literals.get(shape.literalKey)?.find((s) => s.pattern !== shape.pattern && s.pattern.shapes.length <= room);
    if (kin !== undefined) this.mergePatterns(kin.pattern, shape.pattern);
    return shape;
  }

  private generalize(position: number, members: Shape[]): Shape {
    const survivor = members.reduce((a, b) => (a.serial <= b.serial ? a : b));
    for (const m of members) if (m.pattern !== survivor.pattern) this.mergePatterns(survivor.pattern, m.pattern);
    const pattern = survivor.pattern;
    if (survivor === pattern.primary) for (const m of members) pattern.stats.addValue(position, m.tokens[position], m.count);
    for (const m of members) if (m !== survivor) this.dropShape(m, survivor);
    this.unplace(survivor);
    survivor.setToken(position, WILDCARD);
    return this.place(survivor);
  }

  /** Puts a shape in the trie and indexes; when its template is already there, that shape absorbs it. */
  private place(shape: Shape): Shape {
    const existing = this.trie.insert(shape.tokens, shape);
    if (existing !== undefined) {
      if (existing.pattern !== shape.pattern) this.mergePatterns(existing.pattern, shape.pattern);
      this.dropShape(shape, existing);
      return existing;
    }
    this.siblings.add(shape);
    if (shape.literalCount >= this.minSharedLiterals) this.literals.add(shape.literalKey, shape);
    return shape;
  }

  private unplace(shape: Shape): void {
    this.trie.remove(shape.tokens, shape);
    this.siblings.remove(shape);
    this.literals.delete(shape.literalKey, shape);
  }

  private dropShape(shape: Shape, into: Shape): void {
    this.unplace(shape);
    shape.alive = false;
    shape.mergedInto = into;
    into.count += shape.count;
    const shapes = shape.pattern.shapes;
    shapes.splice(shapes.indexOf(shape), 1);
  }

  /** Folds the younger of two patterns into the older: shapes, figures, and its id as an alias. */
  private mergePatterns(a: Pattern, b: Pattern): void {
    const [keep, gone] = a.serial <= b.serial ? [a, b] : [b, a];
    const aligned = keep.primary.tokens.length === gone.primary.tokens.length;
    for (const s of gone.shapes) {
      s.pattern = keep;
      keep.shapes.push(s);
    }
    keep.stats.absorb(gone.stats, aligned);
    gone.alive = false;
    gone.mergedInto = keep;
    this.byId.delete(gone.id);
    this.lru.unlink(gone);
    this.alias(gone.id, keep.id);
  }

  private alias(from: string, to: string): void {
    this.aliases.delete(from);
    this.aliases.set(from, to);
    const cap = this.maxTemplates * 4;
    while (this.aliases.size > cap) this.aliases.delete(this.aliases.keys().next().value as string);
  }

  private evictBeyondCap(): void {
    while (this.byId.size > this.maxTemplates) {
      const victim = this.lru.oldest();
      if (victim === undefined) return;
      for (const s of victim.shapes) {
        this.unplace(s);
        s.alive = false;
      }
      victim.alive = false;
      this.byId.delete(victim.id);
      this.lru.unlink(victim);
    }
  }
}
