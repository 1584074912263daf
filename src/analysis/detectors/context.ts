// What every detector receives: the window, grouped once, plus the thresholds. Detectors are pure
// functions `detectX(ctx) => Finding[]`; they read the context and never mutate it.
import type { LogEntry, MetricSample, PatternSummary, ProcessEvent, ProcessInfo, Severity } from '../../core/types.js';
import type { EvidenceCollector } from './evidence.js';

/**
 * Thresholds of the detectors. Each one is documented with its effect; the defaults are calibrated so
 * that a healthy busy app (many info lines, an occasional 404 or handled warning) raises nothing critical.
 */
export interface DetectorThresholds {
  /** Error-level entries a process needs before its error rate is reported at all. */
  errorRateMinErrors: number;
  /** Share of a process's entries at error level that makes a warning (0.05 = 5%). */
  errorRateWarning: number;
  /** Share that makes it critical (it also needs `errorRateCriticalMinErrors` errors). */
  errorRateCritical: number;
  errorRateCriticalMinErrors: number;
  /** Width of the buckets error bursts are counted in, ms. */
  burstBucketMs: number;
  /** Errors one bucket needs to count as a burst at all. */
  burstMinErrors: number;
  /** A burst bucket holds at least this many times the recent baseline (mean of the preceding buckets, at least 1). */
  burstFactor: number;
  /** Preceding buckets averaged into the baseline. */
  burstBaselineBuckets: number;
  /** Errors in one bucket that make a burst critical. */
  burstCriticalErrors: number;
  /** Logged (handled) stack traces of one signature that make a warning; fewer are info. */
  loggedStackWarningCount: number;
  /** Unexpected exits within `crashLoopWindowMs` that make a crash loop (critical). */
  crashLoopMinExits: number;
  crashLoopWindowMs: number;
  /** Memory samples (of one run, between restarts) needed to fit a trend. */
  memoryMinSamples: number;
  /** Time those samples must span, ms. */
  memoryMinSpanMs: number;
  /** Growth, bytes per minute, that counts as a leak (with `memoryMinGrowthRatio` and `memoryMinR2`). */
  memoryMinSlopeBytesPerMin: number;
  /** Growth over the fitted span relative to its start (0.2 = +20%). */
  memoryMinGrowthRatio: number;
  /** How well the line must fit: noisy memory that only wanders is not a leak. */
  memoryMinR2: number;
  /** A leak projected to reach max_memory_restart within this many ms is critical. */
  memoryCriticalEtaMs: number;
  /** CPU percent (of one core) that counts as saturated. */
  cpuSaturatedPercent: number;
  /** Share of a process's CPU samples at or above that level, over at least `cpuMinSpanMs`, that makes a warning. */
  cpuSaturatedShare: number;
  cpuMinSpanMs: number;
  /** Requests a route needs before its percentiles are judged. */
  latencyMinRequests: number;
  /** p95 that makes a route slow (warning), ms. */
  latencySlowP95Ms: number;
  /** p95 that makes it critical, ms. */
  latencyCriticalP95Ms: number;
  /** A single request at least this slow, and 10x the route's median, is an outlier, ms. */
  latencyOutlierMs: number;
  /** Routes judged and kept per process, busiest first. */
  latencyMaxRoutes: number;
  /** New patterns reported one by one (those with errors or warnings); the rest are summed in one finding. */
  maxNewPatternFindings: number;
  /** Resolved patterns reported one by one. */
  maxResolvedPatternFindings: number;
}

export const DEFAULT_THRESHOLDS: Readonly<DetectorThresholds> = Object.freeze({
  errorRateMinErrors: 5,
  errorRateWarning: 0.05,
  errorRateCritical: 0.25,
  errorRateCriticalMinErrors: 20,
  burstBucketMs: 60_000,
  burstMinErrors: 10,
  burstFactor: 5,
  burstBaselineBuckets: 10,
  burstCriticalErrors: 100,
  loggedStackWarningCount: 5,
  crashLoopMinExits: 3,
  crashLoopWindowMs: 10 * 60_000,
  memoryMinSamples: 5,
  memoryMinSpanMs: 5 * 60_000,
  memoryMinSlopeBytesPerMin: 1024 * 1024,
  memoryMinGrowthRatio: 0.2,
  memoryMinR2: 0.6,
  memoryCriticalEtaMs: 30 * 60_000,
  cpuSaturatedPercent: 90,
  cpuSaturatedShare: 0.8,
  cpuMinSpanMs: 2 * 60_000,
  latencyMinRequests: 5,
  latencySlowP95Ms: 1000,
  latencyCriticalP95Ms: 5000,
  latencyOutlierMs: 3000,
  latencyMaxRoutes: 50,
  maxNewPatternFindings: 5,
  maxResolvedPatternFindings: 5,
});

/** Counts and per-pattern figures of the window, from the template miner. */
export interface PatternTally {
  id: string;
  count: number;
  errors: number;
  warnings: number;
  firstSeen: number;
  lastSeen: number;
  processes: Set<string>;
  evidence: EvidenceCollector;
}

export interface PatternContext {
  /** Pattern id -> its tally in this window (ids already resolved to the surviving template). */
  tallies: Map<string, PatternTally>;
  /** The miner's lifetime figures of a pattern (also of one absent from this window). */
  summary(id: string): PatternSummary | undefined;
  /** The previous analysis's counts, ids resolved like the tallies. */
  previous?: { patternCounts: Map<string, number>; at: number };
}

export interface DetectorContext {
  /** The window, oldest first. */
  entries: readonly LogEntry[];
  byProcess: ReadonlyMap<string, readonly LogEntry[]>;
  samplesByProcess: ReadonlyMap<string, readonly MetricSample[]>;
  eventsByProcess: ReadonlyMap<string, readonly ProcessEvent[]>;
  processInfo: ReadonlyMap<string, readonly ProcessInfo[]>;
  patterns?: PatternContext;
  /** Start of the window (`since` of the input, else the first entry); events before it are dropped. */
  since: number;
  until: number;
  thresholds: Readonly<DetectorThresholds>;
  /** Bounds of every finding's evidence. */
  evidenceSeqs: number;
  evidenceSamples: number;
  /** Figures several detectors share, computed once per context: read and filled only through `memo`. */
  memos: Map<string, unknown>;
}

export interface ContextInput {
  /** The window, oldest first. */
  entries: readonly LogEntry[];
  samples?: readonly MetricSample[];
  events?: readonly ProcessEvent[];
  processes?: readonly ProcessInfo[];
  patterns?: PatternContext;
  /**
   * Start of the window; default: the first entry's timestamp. Events before it are ignored (they were
   * reported by an earlier analysis) and restart counters count only rises after it; older samples
   * still feed the memory trend.
   */
  since?: number;
  now: number;
}

/** Items by key, each group in the items' order, groups in order of first appearance. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function buildContext(
  input: ContextInput,
  thresholds: Readonly<DetectorThresholds> = DEFAULT_THRESHOLDS,
  bounds: { evidenceSeqs: number; evidenceSamples: number } = { evidenceSeqs: 20, evidenceSamples: 3 },
): DetectorContext {
  const start = input.since ?? input.entries[0]?.timestamp;
  const samples = [...(input.samples ?? [])].sort((a, b) => a.at - b.at);
  // Events are occurrences: one from before the window would be reported again in every analysis.
  // Samples are kept: memory and CPU trends want history, and counters only count rises inside the window.
  const events = [...(input.events ?? [])].filter((e) => start === undefined || e.at >= start).sort((a, b) => a.at - b.at);
  const since = start ?? Math.min(samples[0]?.at ?? Infinity, events[0]?.at ?? Infinity, input.now);
  let until = input.now;
  for (const t of [input.entries.at(-1)?.timestamp, samples.at(-1)?.at, events.at(-1)?.at]) if (t !== undefined && t > until) until = t;
  return {
    entries: input.entries,
    byProcess: groupBy(input.entries, (e) => e.process),
    samplesByProcess: groupBy(samples, (s) => s.process),
    eventsByProcess: groupBy(events, (e) => e.process),
    processInfo: groupBy(input.processes ?? [], (p) => p.name),
    patterns: input.patterns,
    since,
    until,
    thresholds,
    evidenceSeqs: bounds.evidenceSeqs,
    evidenceSamples: bounds.evidenceSamples,
    memos: new Map(),
  };
}

/** The value `compute` gives for this context, computed on first use: each `key` must always name the same kind of value. */
export function memo<T>(ctx: DetectorContext, key: string, compute: () => T): T {
  if (ctx.memos.has(key)) return ctx.memos.get(key) as T;
  const value = compute();
  ctx.memos.set(key, value);
  return value;
}

/** Every process the window knows of: from entries, samples, events or the process list. */
export function processNames(ctx: DetectorContext): string[] {
  return [...new Set([...ctx.byProcess.keys(), ...ctx.samplesByProcess.keys(), ...ctx.eventsByProcess.keys(), ...ctx.processInfo.keys()])].sort();
}

/** Masks the parts of a message that vary between occurrences (numbers, ids, quoted values, addresses). */
export function templateOf(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<*>')
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, (q) => (q.length > 2 ? `${q[0]}<*>${q[0]}` : q))
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<*>')
    .replace(/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<*>')
    .replace(/\b\d+(?:\.\d+)?\b/g, '<*>');
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** "once", "2 times", ... */
export function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}
