// Summary, Performance Metrics and Patterns: the figures of a report. Every string that came from a
// log, a process name or a model is escaped here; numbers and times are formatted by us.
import type { AnalysisResult, CoverageGap, PatternSummary, ProcessMetrics } from '../core/types.js';
import { codeSpan, escapeInline, table } from './markdown-escape.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatMs,
  formatPercent,
  formatPercentOfCore,
  type TimeFormatter,
} from './report-format.js';

export const MAX_GAPS_LISTED = 20;
export const TOP_PATTERNS = 10;
const MAX_CHANGES_PER_KIND = 10;

export function timestampRange(result: AnalysisResult, fmt: TimeFormatter): string {
  const { since, until } = result.window;
  const sameDay = fmt.date(since) === fmt.date(until);
  const end = sameDay ? fmt.time(until) : fmt.dateTime(until);
  return `${fmt.dateTime(since)} → ${end} ${fmt.zone} (${formatDuration(until - since)})`;
}

export function analysisMode(result: AnalysisResult): string {
  const model = result.model ? `, model ${escapeInline(result.model)}` : '';
  const usage = result.llmUsage
    ? ` (${formatCount(result.llmUsage.calls)} call${result.llmUsage.calls === 1 ? '' : 's'}, ${formatCount(result.llmUsage.inputTokens)} tokens in, ${formatCount(result.llmUsage.outputTokens)} out)`
    : '';
  switch (result.mode) {
    case 'heuristic':
      return 'heuristic (no model)';
    case 'llm-openai':
      return `LLM through an OpenAI-compatible API${model}${usage}`;
    case 'llm-sampling':
      return `LLM through MCP sampling (the client's model${model})${usage}`;
    default:
      return escapeInline(String(result.mode));
  }
}

const GAP_LABEL: Record<CoverageGap['kind'], string> = {
  'pm2-lost': 'lost by PM2',
  dropped: 'dropped by the monitor',
  'monitor-down': 'monitor down',
  'daemon-down': 'PM2 daemon down',
  'truncated-line': 'truncated',
  'source-error': 'log source error',
};

/** `77 lines lost by PM2`, `monitor down for 2 min 30 s`, `log source error (2×)`. */
function gapPhrase(kind: CoverageGap['kind'], count: number, durationMs: number, times: number): string {
  const label = GAP_LABEL[kind] ?? escapeInline(String(kind));
  const parts: string[] = [];
  if (count > 0) parts.push(`${formatCount(count)} line${count === 1 ? '' : 's'} ${label}`);
  if (durationMs > 0) parts.push(`${count > 0 ? '' : `${label} `}for ${formatDuration(durationMs)}`);
  if (parts.length === 0) return times > 1 ? `${label} (${times}×)` : label;
  return parts.join(' ');
}

function gapLine(gap: CoverageGap, fmt: TimeFormatter): string {
  const where = gap.process ? ` (${escapeInline(gap.process)})` : '';
  const detail = gap.detail ? ` — ${escapeInline(gap.detail)}` : '';
  return `- ${fmt.dateTime(gap.at)}: ${gapPhrase(gap.kind, gap.count ?? 0, gap.durationMs ?? 0, 1)}${where}${detail}`;
}

/** One phrase per gap kind with its totals, for the summary line. */
function gapTotals(gaps: readonly CoverageGap[]): string {
  const byKind = new Map<CoverageGap['kind'], { n: number; count: number; durationMs: number }>();
  for (const gap of gaps) {
    const t = byKind.get(gap.kind) ?? { n: 0, count: 0, durationMs: 0 };
    t.n += 1;
    t.count += gap.count ?? 0;
    t.durationMs += gap.durationMs ?? 0;
    byKind.set(gap.kind, t);
  }
  return [...byKind].map(([kind, t]) => gapPhrase(kind, t.count, t.durationMs, t.n)).join(', ');
}

export function renderGaps(result: AnalysisResult, fmt: TimeFormatter): string {
  if (result.gaps.length === 0) return '';
  const shown = [...result.gaps].sort((a, b) => a.at - b.at).slice(0, MAX_GAPS_LISTED);
  const lines = shown.map((g) => gapLine(g, fmt));
  if (result.gaps.length > shown.length) lines.push(`- … and ${result.gaps.length - shown.length} more`);
  return lines.join('\n');
}

export function renderNotes(result: AnalysisResult): string {
  return result.notes.map((n) => `- ${escapeInline(n)}`).join('\n');
}

export function renderNarrative(result: AnalysisResult): string {
  const summary = result.narrative?.summary.trim();
  if (!summary) return '';
  const by = result.model ? ` (${escapeInline(result.model)})` : '';
  return `**Model summary${by}:** ${escapeInline(summary)}`;
}

const indent = (block: string) => block.replace(/^/gm, '  ');

export function renderSummary(result: AnalysisResult, fmt: TimeFormatter): string {
  const t = result.totals;
  const bySeverity = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const critical = bySeverity('critical');
  const lines = [
    `- **Analysis period:** ${timestampRange(result, fmt)}`,
    `- **Generated:** ${fmt.dateTime(result.generatedAt)} ${fmt.zone}`,
    `- **Total entries:** ${formatCount(t.entries)} (buffer seq ${result.window.fromSeq}–${result.window.toSeq})`,
    `- **Error rate:** ${formatPercent(t.errorRate)} (${formatCount(t.errors)} errors, ${formatCount(t.warnings)} warnings)`,
    `- **Critical issues:** ${critical} (and ${bySeverity('warning')} warning${bySeverity('warning') === 1 ? '' : 's'}, ${bySeverity('info')} informational)`,
    `- **Processes:** ${t.processes.length > 0 ? `${t.processes.map(escapeInline).join(', ')} (${t.processes.length})` : 'none'}`,
    `- **Analysis mode:** ${analysisMode(result)}`,
  ];
  const gaps = renderGaps(result, fmt);
  lines.push(gaps ? `- **Coverage gaps:** ${gapTotals(result.gaps)}\n${indent(gaps)}` : '- **Coverage gaps:** none known');
  const notes = renderNotes(result);
  if (notes) lines.push(`- **Notes:**\n${indent(notes)}`);
  const narrative = renderNarrative(result);
  return narrative ? `${lines.join('\n')}\n\n${narrative}` : lines.join('\n');
}

function ids(m: ProcessMetrics): string {
  return m.pmIds.length > 0 ? m.pmIds.join(', ') : '–';
}

function slope(bytesPerMin: number | undefined): string {
  if (bytesPerMin === undefined || !Number.isFinite(bytesPerMin)) return '–';
  return `${bytesPerMin > 0 ? '+' : ''}${formatBytes(bytesPerMin)}/min`;
}

export function renderMetrics(result: AnalysisResult): string {
  if (result.metrics.length === 0) return 'No per-process metrics in this window.';
  const resources = table(
    ['Process', 'PM2 id', 'Entries', 'Errors', 'Warnings', 'Restarts', 'Memory avg', 'Memory peak', 'Memory trend', 'CPU avg', 'CPU peak'],
    result.metrics.map((m) => [
      escapeInline(m.process),
      ids(m),
      formatCount(m.entries),
      formatCount(m.errors),
      formatCount(m.warnings),
      formatCount(m.restarts),
      m.memory ? formatBytes(m.memory.avg) : '–',
      m.memory ? formatBytes(m.memory.peak) : '–',
      slope(m.memory?.slopeBytesPerMin),
      m.cpu ? formatPercentOfCore(m.cpu.avg) : '–',
      m.cpu ? formatPercentOfCore(m.cpu.peak) : '–',
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const withLatency = result.metrics.filter((m) => m.latency && m.latency.count > 0);
  const latency =
    withLatency.length === 0
      ? 'No response times found in these logs.'
      : table(
          ['Process', 'Requests', 'Average', 'p50', 'p95', 'p99', 'Max'],
          withLatency.map((m) => {
            const l = m.latency!;
            return [escapeInline(m.process), formatCount(l.count), formatMs(l.avgMs), formatMs(l.p50Ms), formatMs(l.p95Ms), formatMs(l.p99Ms), formatMs(l.maxMs)];
          }),
          ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
        );
  return [
    '### Resources and activity',
    resources,
    'CPU is a percentage of one core; memory is resident memory.',
    '### Response times',
    latency,
  ].join('\n\n');
}

const TREND_LABEL: Record<NonNullable<PatternSummary['trend']>, string> = {
  new: 'new',
  rising: '↑ rising',
  steady: '→ steady',
  falling: '↓ falling',
  resolved: 'resolved',
};

function levelsOf(p: PatternSummary): string {
  return Object.entries(p.levels)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([level, n]) => (Object.keys(p.levels).length > 1 ? `${level} ${formatCount(n ?? 0)}` : level))
    .join(', ');
}

function byCount(a: PatternSummary, b: PatternSummary): number {
  return b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function renderTopPatterns(result: AnalysisResult, fmt: TimeFormatter): string {
  const top = result.patterns.filter((p) => p.count > 0).sort(byCount).slice(0, TOP_PATTERNS);
  if (top.length === 0) return 'No patterns in this window.';
  const rows = top.map((p, i) => [
    String(i + 1),
    codeSpan(p.template, { maxLength: 120, inTable: true }),
    formatCount(p.count),
    levelsOf(p),
    p.processes.map(escapeInline).join(', '),
    p.trend ? TREND_LABEL[p.trend] ?? escapeInline(String(p.trend)) : '–',
    fmt.dateTime(p.lastSeen),
  ]);
  const shown = `Top ${top.length} of ${formatCount(result.patterns.length)} patterns by count (\`<*>\` marks a variable part).`;
  return `${shown}\n\n${table(['#', 'Pattern', 'Count', 'Levels', 'Processes', 'Trend', 'Last seen'], rows, ['r', 'l', 'r', 'l', 'l', 'l', 'l'])}`;
}

export function renderPatternChanges(result: AnalysisResult, fmt: TimeFormatter): string {
  if (!result.patterns.some((p) => p.trend)) return 'No previous report to compare with.';
  const kinds: Array<[string, NonNullable<PatternSummary['trend']>]> = [
    ['New', 'new'],
    ['Regressed (rising)', 'rising'],
    ['Resolved', 'resolved'],
    ['Improving (falling)', 'falling'],
  ];
  const lines: string[] = [];
  for (const [label, trend] of kinds) {
    const list = result.patterns.filter((p) => p.trend === trend).sort(byCount);
    if (list.length === 0) continue;
    const shown = list
      .slice(0, MAX_CHANGES_PER_KIND)
      .map((p) => {
        const seen = trend === 'resolved' ? `last seen ${fmt.dateTime(p.lastSeen)}` : `${formatCount(p.count)}×`;
        return `${codeSpan(p.template, { maxLength: 80 })} (${seen}${p.processes.length > 0 ? `, ${p.processes.map(escapeInline).join(', ')}` : ''})`;
      });
    const more = list.length > MAX_CHANGES_PER_KIND ? `, and ${list.length - MAX_CHANGES_PER_KIND} more` : '';
    lines.push(`- **${label}** (${list.length}): ${shown.join('; ')}${more}`);
  }
  return lines.length > 0 ? lines.join('\n') : 'No new, regressed or resolved patterns since the previous report.';
}
