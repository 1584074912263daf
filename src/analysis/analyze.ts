// The heuristic analysis of one window: patterns through the template miner, every detector, per-process
// metrics, findings sorted critical first. Pure: no I/O, the clock comes in as `now`.
import type { AnalysisResult, CoverageGap, Finding, PatternSummary } from '../core/types.js';
import { buildContext, DEFAULT_THRESHOLDS, SEVERITY_RANK, type ContextInput, type DetectorContext, type DetectorThresholds } from './detectors/context.js';
import { detectCpu } from './detectors/cpu.js';
import { detectErrorRate } from './detectors/error-rate.js';
import { detectExceptions } from './detectors/exceptions.js';
import { detectLatency } from './detectors/latency.js';
import { detectMemory } from './detectors/memory.js';
import { processMetrics } from './detectors/metrics.js';
import { detectPatternChanges, mineWindow, trendOf, type MinedWindow } from './detectors/patterns.js';
import { detectRestarts } from './detectors/restarts.js';
import { detectSignatures } from './detectors/signatures.js';
import { TemplateMiner } from './miner/template-miner.js';

export type { DetectorThresholds } from './detectors/context.js';
export { DEFAULT_THRESHOLDS } from './detectors/context.js';

/** The window and what is known about its processes; the patterns come from the miner here. */
export interface AnalysisInput extends Omit<ContextInput, 'patterns'> {
  /** Coverage gaps of the window: returned in the result and noted, as counts may be low. */
  gaps?: readonly CoverageGap[];
  /**
   * The live miner, so that pattern ids stay stable across analyses; entries that carry a `patternId`
   * are then not added to it again. A fresh miner is made when absent.
   */
  miner?: TemplateMiner;
  /** The previous analysis's pattern counts (see `analyzeWindowDetailed`), for new and resolved patterns. */
  previous?: { patternCounts: Record<string, number>; at: number };
}

export interface AnalyzeOptions extends Partial<DetectorThresholds> {
  /** Findings returned at most, most severe first; a note says how many were left out. Default 50. */
  maxFindings?: number;
  /** Pattern summaries returned at most, most frequent first (resolved ones after them). Default 50. */
  maxPatterns?: number;
  /** Sample lines per finding's evidence. Default 3. */
  evidenceSamples?: number;
  /** Entry seqs per finding's evidence (earliest half and latest half). Default 20. */
  evidenceSeqs?: number;
}

type Detector = (ctx: DetectorContext) => Finding[];

/** In the order they run; ties in the final sort keep this order. */
const DETECTORS: readonly Detector[] = [detectRestarts, detectExceptions, detectSignatures, detectErrorRate, detectMemory, detectCpu, detectLatency, detectPatternChanges];
const MAX_PATTERN_IDS_PER_FINDING = 5;

function resolveOptions(options: AnalyzeOptions) {
  const thresholds: DetectorThresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`analyze option ${key} must be a finite number >= 0, got ${String(value)}`);
    }
    if (key in thresholds) thresholds[key as keyof DetectorThresholds] = value;
    else if (!['maxFindings', 'maxPatterns', 'evidenceSamples', 'evidenceSeqs'].includes(key)) {
      throw new RangeError(`unknown analyze option ${key}`);
    }
  }
  for (const key of ['maxFindings', 'maxPatterns', 'evidenceSeqs'] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`analyze option ${key} must be an integer >= 1, got ${v}`);
  }
  if (options.evidenceSamples !== undefined && !Number.isInteger(options.evidenceSamples)) {
    throw new RangeError(`analyze option evidenceSamples must be an integer >= 0, got ${options.evidenceSamples}`);
  }
  return {
    thresholds,
    maxFindings: options.maxFindings ?? 50,
    maxPatterns: options.maxPatterns ?? 50,
    bounds: { evidenceSeqs: options.evidenceSeqs ?? 20, evidenceSamples: options.evidenceSamples ?? 3 },
  };
}

/** Sorts in place; the sort is stable, so ties keep the order the detectors ran in. */
function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.evidence.count - a.evidence.count);
}

function windowPatterns(mined: MinedWindow, limit: number): PatternSummary[] {
  const ctx = mined.context;
  const out: PatternSummary[] = [];
  const top = [...ctx.tallies.values()].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1)).slice(0, limit);
  for (const t of top) {
    const lifetime = ctx.summary(t.id);
    const levels: PatternSummary['levels'] = {};
    if (t.errors > 0) levels.error = t.errors;
    if (t.warnings > 0) levels.warn = t.warnings;
    if (t.count - t.errors - t.warnings > 0) levels.info = t.count - t.errors - t.warnings;
    const summary: PatternSummary = {
      id: t.id,
      template: lifetime?.template ?? t.id,
      count: t.count,
      firstSeen: t.firstSeen,
      lastSeen: t.lastSeen,
      processes: [...t.processes].sort(),
      levels,
      examples: lifetime?.examples ?? t.evidence.build().samples,
      wildcards: lifetime?.wildcards ?? [],
      perMinute: (lifetime?.perMinute ?? []).filter(([minute]) => minute + 60_000 > t.firstSeen && minute <= t.lastSeen),
    };
    const trend = trendOf(ctx, t.id, t.count);
    if (trend) summary.trend = trend;
    out.push(summary);
  }
  if (ctx.previous) {
    for (const [id, before] of ctx.previous.patternCounts) {
      if (out.length >= limit) break;
      if (before <= 0 || ctx.tallies.has(id)) continue;
      const lifetime = ctx.summary(id);
      if (lifetime) out.push({ ...lifetime, count: 0, levels: {}, perMinute: [], trend: 'resolved' });
    }
  }
  return out;
}

/** The analysis and the full pattern counts of the window, to pass as `previous` to the next analysis. */
export function analyzeWindowDetailed(
  input: AnalysisInput,
  options: AnalyzeOptions = {},
): { result: AnalysisResult; patternCounts: Record<string, number> } {
  const { thresholds, maxFindings, maxPatterns, bounds } = resolveOptions(options);
  const miner = input.miner ?? new TemplateMiner({ now: () => input.now });
  const mined = mineWindow(input.entries, miner, input.miner !== undefined, bounds, input.previous);
  const ctx = buildContext({ ...input, patterns: mined.context }, thresholds, bounds);
  const all: Finding[] = [];
  for (const detect of DETECTORS) for (const f of detect(ctx)) all.push(f);
  for (const f of all) {
    if (f.evidence.patternIds) continue;
    const ids = [...new Set(f.evidence.seqs.map((s) => mined.patternOf(s)).filter((id): id is string => id !== undefined))];
    if (ids.length > 0) f.evidence.patternIds = ids.slice(0, MAX_PATTERN_IDS_PER_FINDING);
  }
  const sorted = sortFindings(all);
  const findings = sorted.slice(0, maxFindings);
  const notes: string[] = [];
  if (sorted.length > findings.length) notes.push(`${sorted.length - findings.length} more findings left out (${findings.length} of ${sorted.length} shown, most severe first).`);
  const gaps = [...(input.gaps ?? [])];
  if (gaps.length > 0) {
    const lost = gaps.reduce((n, g) => n + (g.count ?? 0), 0);
    notes.push(`Coverage gaps in this window: ${gaps.length}${lost > 0 ? ` (${lost} lines or entries not seen)` : ''}; counts may be low.`);
  }
  const metrics = processMetrics(ctx);
  const entries = input.entries;
  // Every entry of the window is in exactly one tally, so the tallies' levels add up to the window's.
  let errors = 0;
  let warnings = 0;
  const patternCounts: Record<string, number> = {};
  for (const [id, t] of mined.context.tallies) {
    patternCounts[id] = t.count;
    errors += t.errors;
    warnings += t.warnings;
  }
  const result: AnalysisResult = {
    window: {
      fromSeq: entries[0]?.seq ?? 0,
      toSeq: entries.length > 0 ? entries[entries.length - 1].seq + 1 : 0,
      since: ctx.since,
      until: ctx.until,
    },
    generatedAt: input.now,
    mode: 'heuristic',
    totals: {
      entries: entries.length,
      errors,
      warnings,
      errorRate: entries.length === 0 ? 0 : errors / entries.length,
      processes: metrics.map((m) => m.process),
    },
    findings,
    patterns: windowPatterns(mined, maxPatterns),
    metrics,
    gaps,
    notes,
  };
  return { result, patternCounts };
}

/** Heuristic analysis of one window (mode 'heuristic'). */
export function analyzeWindow(input: AnalysisInput, options: AnalyzeOptions = {}): AnalysisResult {
  return analyzeWindowDetailed(input, options).result;
}
