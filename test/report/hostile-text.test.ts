// Log text (and what a model wrote after reading logs) tries every way out of its place in the
// report. Rendered with marked, the HTML must carry none of it as markup.
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/core/types.js';
import { codeSpan, escapeInline, escapeInlineKeepingCode, fencedBlock } from '../../src/report/markdown-escape.js';
import { renderReport } from '../../src/report/render-report.js';
import { sampleResult } from './sample-result.js';

const HOSTILE_LINES = [
  '```',
  '````js',
  '<script>alert(1)</script>',
  '![x](http://evil/x.png)',
  '[a](javascript:alert(1))',
  '# heading from the log',
  '| a | b |',
  'first\r\nsecond\r# pwned heading',
  '<http://evil.example/auto>',
  'www.evil.example and https://evil.example/bare',
  'write to evil@example.com',
  '<img src=x onerror=alert(1)>',
  '&lt;script&gt; &amp;',
  '{critical_count}',
  '---',
  '===',
  '1. ordered',
  '> quote',
  '    indented code',
  '*bold* _em_ ~~strike~~ \\',
  '[ref]: http://evil/ref',
];
const HOSTILE = HOSTILE_LINES.join('\n');
const ONE_LINE = HOSTILE_LINES.join(' ');

function hostileResult(): AnalysisResult {
  const r = sampleResult();
  r.model = `gpt ${ONE_LINE}`;
  r.totals.processes = ['api', `evil ${ONE_LINE}`];
  for (const f of r.findings) {
    f.title = `${f.title} ${ONE_LINE}`;
    f.summary = HOSTILE;
    f.recommendation = HOSTILE;
    f.detector = ONE_LINE;
    f.processes = [...f.processes, '| x | y |'];
    f.evidence.samples = [HOSTILE, '`'.repeat(9), `tail ${'`'.repeat(5)} end`];
    f.data = { [ONE_LINE]: ONE_LINE };
  }
  r.patterns[0].template = HOSTILE;
  r.patterns[1].template = `a | b | ${'`'.repeat(4)} | c`;
  r.patterns[0].processes = [HOSTILE];
  r.metrics[0].process = `api | ${ONE_LINE}`;
  r.gaps[0].detail = HOSTILE;
  r.gaps[1].process = HOSTILE;
  r.notes = [HOSTILE];
  r.narrative = { summary: HOSTILE, rootCauses: [HOSTILE], recommendations: [HOSTILE] };
  return r;
}

function tokensOf(markdown: string): Token[] {
  const out: Token[] = [];
  marked.walkTokens(marked.lexer(markdown), (t) => {
    out.push(t);
  });
  return out;
}

const OUR_HEADINGS = [
  /^PM2 Log Analysis Report$/,
  /^(Summary|Key Findings|Performance Metrics|Recommendations|Patterns)$/,
  /^(Critical issues|Warnings|Other observations|Resources and activity|Response times|Changes since the previous report|Errors and restarts over time)$/,
  /^Likely root causes \(model: gpt /,
  /^Suggested by the model \(gpt /,
  /^[CW]\d\. /,
];

describe('hostile log text', () => {
  const markdown = renderReport(hostileResult());
  const html = marked.parse(markdown, { async: false });
  const tokens = tokensOf(markdown);

  it('produces no HTML, image, link or script from log text', () => {
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<a[\s>]/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(em|del|blockquote|hr)\b/i);
    expect(tokens.filter((t) => t.type === 'html' || t.type === 'link' || t.type === 'image')).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('produces no heading from log text', () => {
    const headings = tokens.filter((t): t is Tokens.Heading => t.type === 'heading');
    for (const h of headings) {
      expect(OUR_HEADINGS.some((re) => re.test(h.text)), h.text).toBe(true);
      // The finding titles keep the log text, on one line, as plain text.
      if (/^[CW]\d\./.test(h.text)) expect(h.tokens.filter((t) => !['text', 'escape'].includes(t.type))).toEqual([]);
    }
    expect(headings.filter((h) => /^[CW]\d\./.test(h.text))).toHaveLength(4);
  });

  it('keeps every sample whole inside its own code block', () => {
    const samples = tokens.filter((t): t is Tokens.Code => t.type === 'code' && t.lang === 'text' && t.text.includes('alert'));
    expect(samples).toHaveLength(4);
    const expected = [HOSTILE.replace(/\r\n?/g, '\n'), '`'.repeat(9), `tail ${'`'.repeat(5)} end`].join('\n');
    for (const block of samples) expect(block.text).toBe(expected);
  });

  it('keeps tables to their columns with the pipes shown as text', () => {
    const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table');
    expect(tables).toHaveLength(3);
    for (const t of tables) for (const row of t.rows) expect(row).toHaveLength(t.header.length);
    const patterns = tables[2];
    const cells = patterns.rows.map((r) => r[1].text);
    expect(cells).toContain(`\`a | b | ${'`'.repeat(4)} | c\``.replace(/^`/, '`````').replace(/`$/, '`````'));
    expect(patterns.rows.some((r) => r[4].text.includes('| a | b |'))).toBe(true);
    expect(tables[0].rows[0][0].text).toMatch(/^api \| /);
  });

  it('keeps placeholders found in log text as text', () => {
    const summary = tokens.find((t): t is Tokens.ListItem => t.type === 'list_item' && t.text.startsWith('**What happened:**'));
    expect(summary?.text).toContain('{critical_count}');
    expect(html).toContain('{critical_count}');
  });
});

describe('escape helpers', () => {
  it('escapes inline text so that marked renders it back verbatim', () => {
    for (const line of HOSTILE_LINES) {
      const html = marked.parseInline(escapeInline(line), { async: false });
      const text = html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      expect(text, line).toBe(line.replace(/\r\n?|\n/g, ' ').trim());
    }
  });

  it('starts no block construct at the start of a line', () => {
    for (const line of ['- item', '+ item', '= setext', '12. ordered', '3) ordered', '# h', '> q']) {
      const tokens = marked.lexer(`${escapeInline(line)}\n`);
      expect(tokens.map((t) => t.type), line).toEqual(['paragraph']);
    }
  });

  it('shows control characters and bidirectional overrides instead of passing them on', () => {
    expect(escapeInline('a\u001b[31mred\u202Eevil')).toBe('a\\\\u{1b}\\[31mred\\\\u{202e}evil');
    expect(fencedBlock('x\u0000y\u2066z')).toBe('```text\nx\\u{0}y\\u{2066}z\n```');
    expect(codeSpan('\u0007')).toBe('`\\u{7}`');
  });

  it('keeps the code spans of advice as code, and lets no markup through around or inside them', () => {
    const html = marked.parseInline(escapeInlineKeepingCode('set `max_memory_restart` and `min_uptime`, not <b>this</b>'), { async: false });
    expect(html).toBe('set <code>max_memory_restart</code> and <code>min_uptime</code>, not &lt;b&gt;this&lt;/b&gt;');
    const hostile = marked.parseInline(escapeInlineKeepingCode('run `<img src=x onerror=alert(1)>` then [a](javascript:x)'), { async: false });
    expect(hostile).toBe('run <code>&lt;img src=x onerror=alert(1)&gt;</code> then [a](javascript:x)');
    for (const line of [...HOSTILE_LINES, ...HOSTILE_LINES.map((l) => `a \`${l}\` b`)]) {
      const rendered = marked.parseInline(escapeInlineKeepingCode(line), { async: false }).replace(/<\/?code>/g, '');
      expect(rendered, line).not.toMatch(/<[a-z!/]/i);
      expect(marked.lexer(`${escapeInlineKeepingCode(line)}\n`).map((t) => t.type), line).toEqual(['paragraph']);
    }
  });

  it('leaves underscores inside words alone', () => {
    expect(escapeInline('max_memory_restart _x_')).toBe('max_memory_restart \\_x\\_');
  });

  it('sizes code fences and code spans past the longest backtick run', () => {
    expect(fencedBlock('a\n```` b\n')).toBe('`````text\na\n```` b\n`````');
    expect(fencedBlock('plain')).toBe('```text\nplain\n```');
    expect(codeSpan('a `` b')).toBe('```a `` b```');
    expect(codeSpan('`x')).toBe('`` `x ``');
    expect(codeSpan('a|b', { inTable: true })).toBe('`a\\|b`');
    expect(codeSpan('a|b')).toBe('`a|b`');
    expect(codeSpan('abcdef', { maxLength: 4 })).toBe('`abc…`');
  });
});
