import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/core/types.js';
import { renderReport, type ReportSeries } from '../../src/report/render-report.js';
import { TEMPLATE_PLACEHOLDERS, TemplateError } from '../../src/report/report-template.js';
import { sampleResult, T0 } from './sample-result.js';

const GOLDEN = resolve(import.meta.dirname, '../fixtures/report/golden-report.md');
const MIN = 60_000;

/** Errors and restarts per 5 minutes over the sample's hour, as the engine would compute them. */
const SERIES: ReportSeries = {
  start: T0,
  bucketMs: 5 * MIN,
  errors: [2, 1, 0, 10, 120, 130, 8, 14, 20, 6, 3, 4],
  restarts: [0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0],
};

function allTokens(tokens: Token[]): Token[] {
  const out: Token[] = [];
  marked.walkTokens(tokens, (t) => {
    out.push(t);
  });
  return out;
}

function headings(markdown: string): string[] {
  return allTokens(marked.lexer(markdown))
    .filter((t): t is Tokens.Heading => t.type === 'heading')
    .map((t) => `${'#'.repeat(t.depth)} ${t.text}`);
}

describe('renderReport', () => {
  it('renders the fixed result exactly as the committed golden report', async () => {
    const markdown = renderReport(sampleResult(), { series: SERIES });
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(GOLDEN, markdown);
    expect(markdown).toBe(await readFile(GOLDEN, 'utf8'));
  });

  it('renders to HTML with a Mermaid xychart and tables that parse', () => {
    const markdown = renderReport(sampleResult(), { series: SERIES });
    const html = marked.parse(markdown, { async: false });
    const mermaid = [...html.matchAll(/<code class="language-mermaid">([\s\S]*?)<\/code>/g)].map((m) => m[1]);
    // Peaks of 130 errors and 3 restarts do not share an axis well: one chart each.
    expect(mermaid).toHaveLength(2);
    expect(mermaid[0]).toMatch(/^xychart-beta\n {4}title &quot;Errors per 5 min, UTC&quot;/);
    expect(mermaid[0]).toContain('bar [2, 1, 0, 10, 120, 130, 8, 14, 20, 6, 3, 4]');
    expect(mermaid[1]).toMatch(/^xychart-beta\n {4}title &quot;Restarts per 5 min, UTC&quot;/);
    expect(mermaid[1]).toContain('line [0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0]');
    const tables = allTokens(marked.lexer(markdown)).filter((t): t is Tokens.Table => t.type === 'table');
    expect(tables.map((t) => t.header.map((h) => h.text)[0])).toEqual(['Process', 'Process', '#']);
    for (const t of tables) for (const row of t.rows) expect(row).toHaveLength(t.header.length);
    expect(tables[1].rows[0].map((c) => c.text)).toEqual(['api', '9,800', '84.2 ms', '41.0 ms', '1,432 ms', '2,210 ms', '15.4 s']);
    expect(headings(markdown)).toEqual([
      '# PM2 Log Analysis Report',
      '## Summary',
      '## Key Findings',
      '### Critical issues',
      '#### C1. Crash loop: api restarted 6 times in 10 minutes',
      '#### C2. Error burst: 240 ECONNREFUSED errors',
      '### Warnings',
      '#### W1. Memory growth: worker up 3.0 MiB per minute',
      '#### W2. Slow requests: api p95 at 1.4 s',
      '### Other observations',
      '### Likely root causes (model: gpt-4o-mini)',
      '## Performance Metrics',
      '### Resources and activity',
      '### Response times',
      '## Recommendations',
      '### Suggested by the model (gpt-4o-mini)',
      '## Patterns',
      '### Changes since the previous report',
      '### Errors and restarts over time',
    ]);
  });

  it('derives an errors-only chart from the patterns when no series is given', () => {
    const markdown = renderReport(sampleResult());
    const block = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
    expect(block).toContain('title "Errors per 2 min, UTC"');
    expect(block).not.toContain('line [');
    // 10+40 at 18:19-18:20 land in the 18:18 and 18:20 buckets; p3 contributes 48/60 of its counts.
    expect(block).toContain('bar [0, 0, 4, 0, 0, 0, 0, 0, 0, 10, 40, 40, 60, 0, 50, 40, 0, 0, 0, 0, 16, 0, 0, 0, 0, 16, 0, 12, 0, 0]');
    expect(markdown).toContain("restarts were not measured");
  });

  it('merges buckets of a long series to at most 30 bars on round boundaries', () => {
    const series: ReportSeries = { start: T0, bucketMs: MIN, errors: Array(240).fill(1), restarts: Array(240).fill(0) };
    const block = /```mermaid\n([\s\S]*?)```/.exec(renderReport(sampleResult(), { series }))?.[1] ?? '';
    const bars = /bar \[([^\]]*)\]/.exec(block)?.[1].split(', ').map(Number) ?? [];
    expect(bars.length).toBeLessThanOrEqual(30);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(240);
    expect(block).toContain('per 10 min, UTC');
    expect(block).toContain('"18:00", "18:10", "18:20"');
  });

  it('draws errors and restarts in one chart when their scales are comparable', () => {
    const series: ReportSeries = { start: T0, bucketMs: 15 * MIN, errors: [4, 9, 2, 0], restarts: [0, 2, 1, 0] };
    const blocks = [...renderReport(sampleResult(), { series }).matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual([
      'xychart-beta\n' +
        '    title "Errors (bars) and restarts (line) per 15 min, UTC"\n' +
        '    x-axis ["18:00", "18:15", "18:30", "18:45"]\n' +
        '    y-axis "Count" 0 --> 9\n' +
        '    bar [4, 9, 2, 0]\n' +
        '    line [0, 2, 1, 0]\n',
    ]);
  });

  it('rejects a malformed series', () => {
    expect(() => renderReport(sampleResult(), { series: { start: T0, bucketMs: 0, errors: [1], restarts: [1] } })).toThrow(RangeError);
    expect(() => renderReport(sampleResult(), { series: { start: T0, bucketMs: MIN, errors: [1, 2], restarts: [1] } })).toThrow(/equal length/);
  });

  it('shows times in the requested zone and rejects an unknown one', () => {
    const markdown = renderReport(sampleResult(), { timeZone: 'Asia/Tokyo' });
    expect(markdown).toContain('**Analysis period:** 2026-12-05 03:00:00 → 04:00:00 Asia/Tokyo (1 h 00 min)');
    expect(() => renderReport(sampleResult(), { timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone 'Mars\/Olympus'/);
  });

  it('leaves out metrics and recommendations when toggled off, without leaving a gap', () => {
    const markdown = renderReport(sampleResult(), { includeMetrics: false, includeRecommendations: false });
    expect(markdown).not.toContain('## Performance Metrics');
    expect(markdown).not.toContain('## Recommendations');
    expect(markdown).not.toMatch(/\n\n\n/);
    expect(headings(markdown)).toContain('## Patterns');
  });

  it('reports an empty window plainly', () => {
    const empty: AnalysisResult = {
      ...sampleResult(),
      mode: 'heuristic',
      model: undefined,
      llmUsage: undefined,
      totals: { entries: 0, errors: 0, warnings: 0, errorRate: 0, processes: [] },
      findings: [],
      patterns: [],
      metrics: [],
      gaps: [],
      narrative: undefined,
      notes: [],
    };
    const markdown = renderReport(empty);
    expect(markdown).toContain('- **Analysis mode:** heuristic (no model)');
    expect(markdown).toContain('- **Coverage gaps:** none known');
    expect(markdown).toContain('No critical issues in this window.');
    expect(markdown).toContain('No per-process metrics in this window.');
    expect(markdown).toContain('No action needed');
    expect(markdown).toContain('No previous report to compare with.');
    expect(markdown).toContain('No time series for this window.');
  });
});

describe('user templates', () => {
  it('fills every placeholder, once, without expanding placeholders found in log text', () => {
    const result = sampleResult();
    result.findings[0].evidence.samples = ['log line mentioning {critical_count} and {nope}'];
    const template = TEMPLATE_PLACEHOLDERS.map((name) => `<!-- ${name} -->\n{${name}}\n`).join('\n') + '\nLiteral {{braces}} and {"json": 1}\n';
    const markdown = renderReport(result, { template, series: SERIES });
    const value = (name: string) => {
      const start = markdown.indexOf(`<!-- ${name} -->\n`) + `<!-- ${name} -->\n`.length;
      const end = markdown.indexOf('\n<!-- ', start);
      return markdown.slice(start, end === -1 ? undefined : end).trim();
    };
    expect(value('timestamp_range')).toBe('2026-12-04 18:00:00 → 19:00:00 UTC (1 h 00 min)');
    expect(value('generated_at')).toBe('2026-12-04 19:00:02 UTC');
    expect(value('time_zone')).toBe('UTC');
    expect(value('total_entries')).toBe('12,444');
    expect(value('error_entries')).toBe('318');
    expect(value('warning_entries')).toBe('57');
    expect(value('error_rate')).toBe('2.56%');
    expect(value('critical_count')).toBe('2');
    expect(value('warning_count')).toBe('2');
    expect(value('processes')).toBe('api, worker');
    expect(value('analysis_mode')).toContain('model gpt-4o-mini');
    expect(value('coverage_gaps')).toContain('77 lines lost by PM2 (api)');
    expect(value('notes')).toContain('access-log lines');
    expect(value('narrative')).toMatch(/^\*\*Model summary/);
    expect(value('summary')).toMatch(/^- \*\*Analysis period/);
    expect(value('critical_issues_list')).toMatch(/^#### C1\./);
    expect(value('critical_issues_list')).toContain('log line mentioning {critical_count} and {nope}');
    expect(value('warnings_list')).toMatch(/^#### W1\./);
    expect(value('info_list')).toMatch(/^- \*\*I1\./);
    expect(value('key_findings')).toMatch(/^### Critical issues/);
    expect(value('performance_metrics')).toMatch(/^### Resources and activity/);
    expect(value('recommendations')).toMatch(/^1\. \*\*C1, C2:\*\*/);
    expect(value('top_patterns')).toMatch(/^Top 4 of 5 patterns/);
    expect(value('pattern_changes')).toMatch(/^- \*\*New\*\* \(1\)/);
    expect(value('chart')).toMatch(/^```mermaid\nxychart-beta/);
    for (const [name, heading] of [
      ['summary_section', '## Summary'],
      ['findings_section', '## Key Findings'],
      ['metrics_section', '## Performance Metrics'],
      ['recommendations_section', '## Recommendations'],
      ['patterns_section', '## Patterns'],
    ]) {
      expect(value(name).startsWith(`${heading}\n`)).toBe(true);
    }
    expect(markdown).toContain('Literal {braces} and {"json": 1}');
  });

  it('names unknown placeholders and lists the known ones', () => {
    let error: unknown;
    try {
      renderReport(sampleResult(), { template: '# Report\n{total_entries} {totl_entries} {foo_bar} {foo_bar}\n' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const message = (error as TemplateError).message;
    expect(message).toContain('unknown template placeholders {totl_entries}, {foo_bar};');
    for (const name of TEMPLATE_PLACEHOLDERS) expect(message).toContain(`{${name}}`);
    expect((error as TemplateError).unknown).toEqual(['totl_entries', 'foo_bar']);
  });

  it('empties toggled-off placeholders in a user template', () => {
    const template = '# Mine\n\n{performance_metrics}\n\n{recommendations}\n\nCritical: {critical_count}\n';
    expect(renderReport(sampleResult(), { template, includeMetrics: false, includeRecommendations: false })).toBe('# Mine\n\nCritical: 2\n');
  });

  it('rejects a template with a NUL byte or beyond the size limit', () => {
    expect(() => renderReport(sampleResult(), { template: 'a\0b' })).toThrow(TemplateError);
    expect(() => renderReport(sampleResult(), { template: 'x'.repeat(300_000) })).toThrow(/limit/);
  });
});
