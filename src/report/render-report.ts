// An AnalysisResult as a markdown incident report. Pure: no I/O, no clock (times come from the
// result), so the same result always renders the same text.
import type { AnalysisResult } from '../core/types.js';
import {
  renderCriticalList,
  renderInfoList,
  renderKeyFindings,
  renderRecommendations,
  renderWarningList,
} from './report-findings.js';
import { formatCount, formatPercent, timeFormatter, type TimeFormatter } from './report-format.js';
import {
  analysisMode,
  renderGaps,
  renderMetrics,
  renderNarrative,
  renderNotes,
  renderPatternChanges,
  renderSummary,
  renderTopPatterns,
  timestampRange,
} from './report-sections.js';
import { chartSeries, renderChart, type ReportSeries } from './report-series.js';
import { BUILT_IN_TEMPLATE, fillTemplate, parseTemplate, type TemplatePlaceholder, type TemplateValues } from './report-template.js';
import { escapeInline } from './markdown-escape.js';

export type { ReportSeries } from './report-series.js';

export interface RenderOptions {
  /** Template text (not a path); the built-in template when absent. */
  template?: string;
  /** Default true. Off: `{performance_metrics}` and `{metrics_section}` are empty. */
  includeMetrics?: boolean;
  /** Default true. Off: `{recommendations}` and `{recommendations_section}` are empty. */
  includeRecommendations?: boolean;
  /** Errors and restarts per bucket from the buffer; derived from the patterns when absent. */
  series?: ReportSeries;
  /** IANA zone every time is shown in; default UTC. */
  timeZone?: string;
}

function section(heading: string, body: string): string {
  return body ? `## ${heading}\n\n${body}` : '';
}

/** Each placeholder's value, computed only when the template uses it. */
function valueMakers(
  result: AnalysisResult,
  options: RenderOptions,
  fmt: TimeFormatter,
): Record<TemplatePlaceholder, () => string> {
  const metrics = options.includeMetrics !== false;
  const recommendations = options.includeRecommendations !== false;
  const count = (severity: string) => String(result.findings.filter((f) => f.severity === severity).length);
  const chart = () => {
    const series = chartSeries(result, options.series);
    return series ? renderChart(series, fmt) : 'No time series for this window.';
  };
  const patterns = () => [renderTopPatterns(result, fmt), '### Changes since the previous report', renderPatternChanges(result, fmt), '### Errors and restarts over time', chart()].join('\n\n');
  return {
    timestamp_range: () => timestampRange(result, fmt),
    generated_at: () => `${fmt.dateTime(result.generatedAt)} ${fmt.zone}`,
    time_zone: () => fmt.zone,
    total_entries: () => formatCount(result.totals.entries),
    error_entries: () => formatCount(result.totals.errors),
    warning_entries: () => formatCount(result.totals.warnings),
    error_rate: () => formatPercent(result.totals.errorRate),
    critical_count: () => count('critical'),
    warning_count: () => count('warning'),
    processes: () => result.totals.processes.map(escapeInline).join(', '),
    analysis_mode: () => analysisMode(result),
    coverage_gaps: () => renderGaps(result, fmt) || 'None known.',
    notes: () => renderNotes(result),
    narrative: () => renderNarrative(result),
    summary: () => renderSummary(result, fmt),
    critical_issues_list: () => renderCriticalList(result, fmt),
    warnings_list: () => renderWarningList(result, fmt),
    info_list: () => renderInfoList(result),
    key_findings: () => renderKeyFindings(result, fmt),
    performance_metrics: () => (metrics ? renderMetrics(result) : ''),
    recommendations: () => (recommendations ? renderRecommendations(result) : ''),
    top_patterns: () => renderTopPatterns(result, fmt),
    pattern_changes: () => renderPatternChanges(result, fmt),
    chart,
    summary_section: () => section('Summary', renderSummary(result, fmt)),
    findings_section: () => section('Key Findings', renderKeyFindings(result, fmt)),
    metrics_section: () => (metrics ? section('Performance Metrics', renderMetrics(result)) : ''),
    recommendations_section: () => (recommendations ? section('Recommendations', renderRecommendations(result)) : ''),
    patterns_section: () => section('Patterns', patterns()),
  };
}

/**
 * Renders the report. Throws TemplateError for a template with unknown placeholders, RangeError for
 * an unknown time zone or a malformed series.
 */
export function renderReport(result: AnalysisResult, options: RenderOptions = {}): string {
  const parsed = parseTemplate(options.template ?? BUILT_IN_TEMPLATE);
  const fmt = timeFormatter(options.timeZone ?? 'UTC');
  const makers = valueMakers(result, options, fmt);
  const values = {} as TemplateValues;
  for (const name of parsed.placeholders) values[name] = makers[name]();
  return `${fillTemplate(parsed, values).trimEnd()}\n`;
}
