// Report templates: markdown text with `{placeholder}` slots. The built-in report is itself such a
// template, so a user template can take it as a starting point.
//
// Syntax: `{name}` where name is one of TEMPLATE_PLACEHOLDERS; `{{` and `}}` give a literal brace.
// Any other `{word}` is an error naming it (a typo should not ship a report with a hole in it);
// braces around anything that is not a bare lower-case word (JSON, code) are left as written.
// A placeholder alone on its line that expands to nothing removes that line and one blank line
// after it, so that toggled-off sections leave no gap.
//
// Placeholders (every value is already escaped markdown; log text cannot add markup):
//   {timestamp_range}        analysis period, e.g. `2026-12-04 18:00:00 → 19:00:00 UTC (1 h 00 min)`
//   {generated_at}           when the analysis ran
//   {time_zone}              the zone every time is shown in
//   {total_entries}          entries analysed
//   {error_entries}          entries at level error
//   {warning_entries}        entries at level warn
//   {error_rate}             error entries / entries, as a percentage
//   {critical_count}         critical findings
//   {warning_count}          warning findings
//   {processes}              process names, comma separated
//   {analysis_mode}          heuristic, or which model
//   {coverage_gaps}          bullet list of what the monitor knows it did not see
//   {notes}                  bullet list of fallbacks and caveats
//   {narrative}              the model's summary and likely root causes (empty without a model)
//   {summary}                the summary bullet list (period, entries, rates, mode, gaps, notes)
//   {critical_issues_list}   critical findings, each with process, counts, times and evidence
//   {warnings_list}          warning findings, same shape
//   {info_list}              informational findings, one line each
//   {key_findings}           critical issues, warnings, informational findings and root causes
//   {performance_metrics}    per-process tables (empty when includeMetrics is false)
//   {recommendations}        actions tied to findings (empty when includeRecommendations is false)
//   {top_patterns}           table of the most frequent patterns with trend
//   {pattern_changes}        new, regressed and resolved patterns since the previous report
//   {chart}                  errors and restarts over time: Mermaid chart and sparkline fallback
//   {summary_section} {findings_section} {metrics_section} {recommendations_section}
//   {patterns_section}       whole sections with their `##` heading (empty when toggled off)

export const TEMPLATE_PLACEHOLDERS = [
  'timestamp_range',
  'generated_at',
  'time_zone',
  'total_entries',
  'error_entries',
  'warning_entries',
  'error_rate',
  'critical_count',
  'warning_count',
  'processes',
  'analysis_mode',
  'coverage_gaps',
  'notes',
  'narrative',
  'summary',
  'critical_issues_list',
  'warnings_list',
  'info_list',
  'key_findings',
  'performance_metrics',
  'recommendations',
  'top_patterns',
  'pattern_changes',
  'chart',
  'summary_section',
  'findings_section',
  'metrics_section',
  'recommendations_section',
  'patterns_section',
] as const;

export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type TemplateValues = Record<TemplatePlaceholder, string>;

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly unknown: readonly string[] = [],
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export const BUILT_IN_TEMPLATE = `# PM2 Log Analysis Report

{summary_section}

{findings_section}

{metrics_section}

{recommendations_section}

{patterns_section}
`;

/** The largest template accepted; a report template is a page, not a book. */
export const MAX_TEMPLATE_LENGTH = 256 * 1024;

const TOKEN = /\{\{|\}\}|\{([a-z][a-z0-9_]*)\}/g;
const KNOWN = new Set<string>(TEMPLATE_PLACEHOLDERS);

type Part = { text: string } | { slot: TemplatePlaceholder };

export interface ParsedTemplate {
  parts: readonly Part[];
  /** Placeholders used, in order of first use. */
  placeholders: readonly TemplatePlaceholder[];
}

export function parseTemplate(template: string): ParsedTemplate {
  if (template.length > MAX_TEMPLATE_LENGTH) {
    throw new TemplateError(`template is ${template.length} characters; the limit is ${MAX_TEMPLATE_LENGTH}`);
  }
  if (template.includes('\0')) throw new TemplateError('template contains a NUL byte');
  const parts: Part[] = [];
  const used: TemplatePlaceholder[] = [];
  const unknown: string[] = [];
  let text = '';
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    text += template.slice(last, match.index);
    last = match.index + match[0].length;
    const name = match[1];
    if (name === undefined) {
      text += match[0][0];
    } else if (KNOWN.has(name)) {
      parts.push({ text });
      text = '';
      parts.push({ slot: name as TemplatePlaceholder });
      if (!used.includes(name as TemplatePlaceholder)) used.push(name as TemplatePlaceholder);
    } else if (!unknown.includes(name)) {
      unknown.push(name);
    }
  }
  if (unknown.length > 0) {
    const names = unknown.map((n) => `{${n}}`).join(', ');
    throw new TemplateError(
      `unknown template placeholder${unknown.length > 1 ? 's' : ''} ${names}; known: ${TEMPLATE_PLACEHOLDERS.map((n) => `{${n}}`).join(', ')} (write {{ or }} for a literal brace)`,
      unknown,
    );
  }
  parts.push({ text: text + template.slice(last) });
  return { parts, placeholders: used };
}

/** Fills the slots in one pass: a value that contains `{name}` is never expanded again. */
export function fillTemplate(parsed: ParsedTemplate, values: TemplateValues): string {
  let out = '';
  const parts = [...parsed.parts];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value = values[part.slot];
    const next = parts[i + 1];
    const after = next && 'text' in next ? next.text : '';
    const aloneOnLine = (out === '' || out.endsWith('\n')) && (after === '' || after.startsWith('\n') || after.startsWith('\r\n'));
    if (value === '' && aloneOnLine && next && 'text' in next) {
      // Drop the line break that ended this line, and one blank line after it.
      parts[i + 1] = { text: after.replace(/^\r?\n(\r?\n)?/, '') };
      continue;
    }
    out += value;
  }
  return out;
}
