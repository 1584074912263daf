// Log text is untrusted: a line may try to open HTML, draw an image, hide a link, start a heading or
// break out of a code block. Everything taken from a log (or from a model that read logs) goes
// through one of these functions before it reaches a report.

/**
 * CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start markup.
 * An underscore between two letters or digits cannot open emphasis, so `max_memory_restart` stays readable.
 */
const INLINE_SPECIALS = /[\\`*[\]!<>&|~#@]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;

/** Control characters, and the bidirectional overrides that can make text read in another order. */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

/** Shows invisible characters as `\u{1b}` so that nothing in a report hides or reorders text. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/** A `code span` as a sentence writes it: one backtick each side, no backtick or line break inside. */
const CODE_SPAN = /(`[^`\n]+`)/;

function flatten(text: string): string {
  return visible(text.replace(/\r\n?|\n/g, ' ').replace(/[\t\v\f]/g, ' ')).trim();
}

function escapeFlat(flat: string, atLineStart: boolean): string {
  const escaped = flat
    .replace(INLINE_SPECIALS, (ch) => `\\${ch}`)
    // GFM turns bare URLs and www. names into links; breaking the scheme separator keeps them text.
    .replace(/:\/\//g, '\\://')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`);
  if (!atLineStart) return escaped;
  // Only the start of the value can be the start of a line: no list, ordered list or setext marker.
  return escaped.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** One line of text, safe in a paragraph, a list item, a heading or a table cell. */
export function escapeInline(text: string): string {
  return escapeFlat(flatten(text), true);
}

/**
 * Like escapeInline, but the text's own `code spans` stay code: advice names options such as
 * `max_memory_restart`. Still safe for untrusted text, since a code span shows its content literally.
 */
export function escapeInlineKeepingCode(text: string): string {
  return flatten(text)
    .split(CODE_SPAN)
    .map((part, i) => (i % 2 === 1 ? codeSpan(part.slice(1, -1), { maxLength: Infinity }) : escapeFlat(part, i === 0)))
    .join('');
}

/** Text shown as code in a sentence or a table cell: a code span whose fence outruns the text. */
export function codeSpan(text: string, options: { maxLength?: number; inTable?: boolean } = {}): string {
  const maxLength = options.maxLength ?? 200;
  let flat = visible(text.replace(/\r\n?|\n/g, ' '));
  if (flat.length > maxLength) flat = `${flat.slice(0, maxLength - 1)}…`;
  // A pipe splits a GFM table cell even inside a code span, unless it is escaped; outside a table
  // the backslash would show, since code spans know no escapes.
  if (options.inTable) flat = flat.replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block that no backtick run inside `text` can close early. */
export function fencedBlock(text: string, info = 'text'): string {
  const body = visible(text.replace(/\r\n?/g, '\n')).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** A GFM table; every cell must already be escaped (escapeInline or codeSpan). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}
