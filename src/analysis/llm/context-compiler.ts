// Compiles an analysis window into a token-budgeted context for a model: the heuristic findings with
// their evidence, the top patterns, per-process metrics, events and the most telling raw lines.
// Never a raw dump of the buffer. Every item carries an id the model must cite.
import type { ContextPort } from '../../core/ports.js';
import type { AnalysisResult, LogEntry } from '../../core/types.js';
import { indexOfSeq } from '../seq-index.js';

export interface ContextOptions {
  /** Total budget for the compiled context, in tokens (estimated at 4 characters a token). */
  maxTokens?: number;
  /** Applied to every piece of log text before it goes into the context. */
  redact?: (text: string) => string;
  /** Characters kept of one raw line. */
  maxLineChars?: number;
}

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Shares of the budget; what a section leaves unused flows to the raw lines. */
const SHARE = { findings: 0.4, patterns: 0.2, metrics: 0.1 };

function cut(text: string, max: number): string {
  const lines = text.split('\n');
  const head = lines.length > 8 ? [...lines.slice(0, 8), `… ${lines.length - 8} more lines`].join('\n') : text;
  return head.length > max ? `${head.slice(0, max)}…[cut ${head.length - max} chars]` : head;
}

/** Adds JSON items to a section while they fit in `budget` characters; returns what was spent. */
function fill<T>(items: readonly T[], budgetChars: number, render: (item: T) => unknown, out: unknown[]): number {
  let spent = 0;
  for (const item of items) {
    const size = JSON.stringify(render(item)).length + 2;
    if (spent + size > budgetChars) break;
    out.push(render(item));
    spent += size;
  }
  return spent;
}

export class ContextCompiler implements ContextPort {
  private readonly maxTokens: number;
  private readonly redact: (text: string) => string;
  private readonly maxLineChars: number;

  constructor(options: ContextOptions = {}) {
    this.maxTokens = options.maxTokens ?? 6_000;
    if (!Number.isInteger(this.maxTokens) || this.maxTokens < 500) throw new RangeError(`maxTokens must be a whole number >= 500, got ${options.maxTokens}`);
    this.redact = options.redact ?? ((t) => t);
    this.maxLineChars = options.maxLineChars ?? 400;
  }

  compile(result: AnalysisResult, entries: readonly LogEntry[]): { text: string; tokens: number; evidenceIds: string[] } {
    const budget = this.maxTokens * 4;
    const line = (text: string) => this.redact(cut(text, this.maxLineChars));
    const evidenceIds: string[] = [];

    const findings: unknown[] = [];
    const findingsSpent = fill(result.findings, budget * SHARE.findings, (f) => ({
      id: f.id,
      severity: f.severity,
      title: this.redact(f.title),
      processes: f.processes,
      summary: this.redact(f.summary),
      count: f.evidence.count,
      firstSeen: new Date(f.evidence.firstSeen).toISOString(),
      lastSeen: new Date(f.evidence.lastSeen).toISOString(),
      evidence: f.evidence.seqs.slice(0, 5).map((s) => `#${s}`),
      samples: f.evidence.samples.slice(0, 2).map(line),
      data: f.data,
    }), findings);
    evidenceIds.push(...result.findings.slice(0, findings.length).map((f) => f.id));

    const patterns: unknown[] = [];
    const patternsSpent = fill(result.patterns, budget * SHARE.patterns, (p) => ({
      id: p.id,
      template: line(p.template),
      count: p.count,
      trend: p.trend,
      levels: p.levels,
      processes: p.processes,
      example: p.examples[0] === undefined ? undefined : line(p.examples[0]),
    }), patterns);
    evidenceIds.push(...result.patterns.slice(0, patterns.length).map((p) => p.id));

    const metrics: unknown[] = [];
    const metricsSpent = fill(result.metrics, budget * SHARE.metrics, (m) => m, metrics);

    // The raw lines that tell most: evidence of findings first, then the first error and the first
    // warning of each pattern. Entries are in seq order, so evidence is found by binary search.
    const chosen = new Map<number, LogEntry>();
    for (const f of result.findings) {
      for (const seq of f.evidence.seqs.slice(0, 3)) {
        const at = indexOfSeq(entries, seq);
        if (at >= 0) chosen.set(seq, entries[at]);
      }
    }
    const firstOf = { error: new Set<string>(), warn: new Set<string>() };
    const warnings: LogEntry[] = [];
    for (const e of entries) {
      if (e.level !== 'error' && e.level !== 'warn') continue;
      const seen = firstOf[e.level];
      const key = e.patternId ?? e.message.slice(0, 80);
      if (seen.has(key)) continue;
      seen.add(key);
      if (e.level === 'error') chosen.set(e.seq, e);
      else warnings.push(e);
    }
    for (const e of warnings) chosen.set(e.seq, e);
    const lines: unknown[] = [];
    const rawBudget = budget - findingsSpent - patternsSpent - metricsSpent - 600;
    fill([...chosen.values()], rawBudget, (e) => ({ id: `#${e.seq}`, time: new Date(e.timestamp).toISOString(), process: e.process, level: e.level, text: line(e.message) }), lines);
    evidenceIds.push(...(lines as Array<{ id: string }>).map((l) => l.id));

    const context = {
      window: { since: new Date(result.window.since).toISOString(), until: new Date(result.window.until).toISOString(), entries: result.totals.entries },
      totals: result.totals,
      findings,
      omittedFindings: result.findings.length - findings.length,
      patterns,
      omittedPatterns: result.patterns.length - patterns.length,
      metrics,
      gaps: result.gaps.slice(0, 5).map((g) => ({ kind: g.kind, detail: this.redact(g.detail) })),
      logLines: lines,
    };
    const text = JSON.stringify(context);
    return { text, tokens: estimateTokens(text), evidenceIds };
  }
}
