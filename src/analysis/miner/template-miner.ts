// An online template miner. Each message is masked and tokenized (tokenize.ts); a message whose masked
// tokens were seen before is matched through a cache, else through a trie of templates. A message
// that no template covers becomes a template of its own. A position turns into `<*>` once
// `minSiblings` templates agree everywhere but there, each with its own value: `user root` /
// `user guest` / `user admin` become `user <*>`, while `session opened` / `session closed` stay two
// events. The oldest of the merged templates keeps its id, the others become aliases of it, so an id
// handed out once keeps working. Templates are capped, least recently used first out.
import type { Level, PatternSummary } from '../../core/types.js';
import { type MinerState, readMinerState, writeMinerState } from './miner-state.js';
import { DEFAULT_STATS_LIMITS, PatternStats, type StatsLimits } from './pattern-stats.js';
import { TemplateTrie } from './template-trie.js';
import { newTokens, tokenize, WILDCARD } from './tokenize.js';
import { Cluster, LruRing, SiblingIndex, templateId } from './cluster.js';

export type { MinerState } from './miner-state.js';

export interface MinerOptions {
  /** Templates kept at most; the least recently matched one is dropped beyond. Default 5000. */
  maxTemplates?: number;
  /**
   * Tokens of a message used for mining; the rest is one trailing `<*>`. Bounds the cost of very long
   * lines; lower values merge long messages that differ only far into the line. Default 64.
   */
  maxTokens?: number;
  /**
   * Distinct values a position must show, among templates equal everywhere else, before it becomes
   * `<*>`. Lower merges sooner and risks joining events told apart by one word (opened/closed);
   * higher keeps more near-duplicate templates. Default 3.
   */
  minSiblings?: number;
  /** Masked messages remembered for the fast path (cleared when full). Default 50,000. */
  cacheSize?: number;
  /** Bounds of the per-template figures (examples, wildcard values, minutes). */
  stats?: Partial<StatsLimits>;
  /** Time for entries without a timestamp. Default Date.now. */
  now?: () => number;
}

export interface MatchResult {
  id: string;
  template: string;
  isNew: boolean;
  params: string[];
}

export interface EntryMeta {
  timestamp?: number;
  process?: string;
  level?: Level;
  seq?: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

export class TemplateMiner {
  readonly maxTemplates: number;
  readonly maxTokens: number;
  readonly minSiblings: number;
  private readonly cacheSize: number;
  private readonly limits: StatsLimits;
  private readonly now: () => number;
  private readonly byId = new Map<string, Cluster>();
  private readonly aliases = new Map<string, string>();
  private readonly trie = new TemplateTrie<Cluster>();
  private readonly siblings: SiblingIndex;
  private readonly cache = new Map<string, Cluster>();
  private readonly tokens = newTokens();
  /** Most recently matched first; a sentinel closes the ring. */
  private readonly lru = new LruRing<Cluster>();
  private serial = 0;

  constructor(options: MinerOptions = {}) {
    this.maxTemplates = positiveInt('maxTemplates', options.maxTemplates, 5000);
    this.maxTokens = positiveInt('maxTokens', options.maxTokens, 64, 2);
    this.minSiblings = positiveInt('minSiblings', options.minSiblings, 3, 2);
    this.cacheSize = positiveInt('cacheSize', options.cacheSize, 50_000);
    this.limits = { ...DEFAULT_STATS_LIMITS, ...options.stats };
    for (const [k, v] of Object.entries(this.limits)) positiveInt(`stats.${k}`, v, 1);
    this.now = options.now ?? Date.now;
    this.siblings = new SiblingIndex(this.minSiblings);
  }

  get size(): number {
    return this.byId.size;
  }

  add(message: string, meta: EntryMeta = {}): MatchResult {
    const tokens = tokenize(message, this.maxTokens, this.tokens);
    const key = tokens.masked.join(' ');
    let cluster = this.lookup(key, tokens.masked);
    let isNew = false;
    if (cluster === undefined) {
      cluster = this.create(tokens.masked.slice());
      isNew = true;
    }
    cluster.stats.record(meta.timestamp ?? this.now(), message, meta.process, meta.level);
    const params = cluster.params(tokens.raw);
    for (let k = 0; k < params.length; k++) cluster.stats.addValue(cluster.wild[k], params[k]);
    if (isNew) {
      // Generalizing may fold this template into an older one; the caller gets the id that survives.
      this.generalize(cluster);
      cluster = cluster.resolve();
      this.cache.set(key, cluster);
    }
    this.lru.touch(cluster);
    return { id: cluster.id, template: cluster.template, isNew, params: cluster.params(tokens.raw) };
  }

  match(message: string): MatchResult | undefined {
    const tokens = tokenize(message, this.maxTokens, this.tokens);
    const cluster = this.lookup(tokens.masked.join(' '), tokens.masked);
    if (cluster === undefined) return undefined;
    return { id: cluster.id, template: cluster.template, isNew: false, params: cluster.params(tokens.raw) };
  }

  /** The id a template is known by now: itself, or the template it was merged into. */
  resolveId(id: string): string | undefined {
    let current = id;
    for (let hops = 0; hops < 64; hops++) {
      if (this.byId.has(current)) return current;
      const next = this.aliases.get(current);
      if (next === undefined) return undefined;
      current = next;
    }
    return undefined;
  }

  summary(id: string): PatternSummary | undefined {
    const resolved = this.resolveId(id);
    const cluster = resolved === undefined ? undefined : this.byId.get(resolved);
    return cluster?.stats.summarize(cluster.id, cluster.template, cluster.wild);
  }

  summaries(options: { limit?: number; processes?: string[]; since?: number } = {}): PatternSummary[] {
    const { limit, processes, since } = options;
    const wanted = processes === undefined ? undefined : new Set(processes);
    const picked: Cluster[] = [];
    for (const cluster of this.byId.values()) {
      if (since !== undefined && cluster.stats.lastSeen < since) continue;
      if (wanted !== undefined && ![...cluster.stats.processes.keys()].some((p) => wanted.has(p))) continue;
      picked.push(cluster);
    }
    picked.sort((a, b) => b.stats.count - a.stats.count || a.serial - b.serial);
    const top = limit === undefined ? picked : picked.slice(0, Math.max(0, limit));
    return top.map((c) => c.stats.summarize(c.id, c.template, c.wild));
  }

  toJSON(): MinerState {
    return writeMinerState(this.lru.oldestFirst(), this.aliases);
  }

  static fromJSON(state: unknown, options?: MinerOptions): TemplateMiner {
    const parsed = readMinerState(state);
    const miner = new TemplateMiner(options);
    for (const saved of parsed.templates) {
      const stats = new PatternStats(miner.limits);
      saved.restore(stats);
      const cluster = new Cluster(miner.serial++, saved.id, saved.tokens, stats);
      miner.lru.touch(miner.attach(cluster));
      miner.evictBeyondCap();
    }
    for (const [from, to] of parsed.aliases) miner.alias(from, to);
    return miner;
  }

  private lookup(key: string, masked: readonly string[]): Cluster | undefined {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      const live = cached.resolve();
      if (live.alive) return live;
      this.cache.delete(key);
    }
    const found = this.trie.find(masked);
    if (found !== undefined) {
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(key, found);
    }
    return found;
  }

  private create(tokens: string[]): Cluster {
    const cluster = new Cluster(this.serial++, '', tokens, new PatternStats(this.limits));
    cluster.id = this.freshId(cluster.template);
    this.attach(cluster);
    this.lru.touch(cluster);
    this.evictBeyondCap();
    return cluster;
  }

  private freshId(template: string): string {
    let id = templateId(template);
    for (let k = 2; this.byId.has(id) || this.aliases.has(id); k++) id = templateId(`${template}#${k}`);
    return id;
  }

  /** Registers a cluster in the id map, trie and sibling index. */
  private attach(cluster: Cluster): Cluster {
    this.byId.set(cluster.id, cluster);
    return this.place(cluster);
  }

  /** Puts a cluster in the trie; when its template is already there, the older of the two absorbs the other. */
  private place(cluster: Cluster): Cluster {
    for (;;) {
      const existing = this.trie.insert(cluster.tokens, cluster);
      if (existing === undefined) {
        this.siblings.add(cluster);
        return cluster;
      }
      if (existing.serial < cluster.serial) {
        this.fold(existing, cluster);
        return existing;
      }
      this.fold(cluster, existing);
    }
  }

  private detach(cluster: Cluster): void {
    this.byId.delete(cluster.id);
    this.trie.remove(cluster.tokens, cluster);
    this.siblings.remove(cluster);
    this.lru.unlink(cluster);
  }

  private generalize(start: Cluster): void {
    let group = this.siblings.ripe(start);
    while (group !== undefined) {
      const { position, members } = group;
      const survivor = members.reduce((a, b) => (a.serial <= b.serial ? a : b));
      for (const member of members) member.stats.addValue(position, member.tokens[position], member.stats.count);
      for (const member of members) if (member !== survivor) this.fold(survivor, member);
      this.trie.remove(survivor.tokens, survivor);
      this.siblings.remove(survivor);
      survivor.setToken(position, WILDCARD);
      const placed = this.place(survivor);
      group = this.siblings.ripe(placed);
    }
  }

  /** Moves `loser` into `winner`: its figures, and its id as an alias. */
  private fold(winner: Cluster, loser: Cluster): void {
    this.detach(loser);
    winner.stats.absorb(loser.stats);
    loser.alive = false;
    loser.mergedInto = winner;
    this.alias(loser.id, winner.id);
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
      this.detach(victim);
      victim.alive = false;
    }
  }
}
