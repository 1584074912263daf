// Severity of an entry, from what the process wrote: a structured level (pino/bunyan numbers,
// winston/bunyan/syslog names), a text marker (ERROR, [warn], level=info, "error: "), or the shape
// of an error (an `Error:` header, stack frames, an unhandled rejection). When nothing says, the
// stream decides (see defaultLevel).
import type { Level, Stream } from '../core/types.js';
import { stripAnsi } from './control-chars.js';

const NAMED: Record<string, Level> = {
  fatal: 'error', panic: 'error', emerg: 'error', emergency: 'error', alert: 'error', crit: 'error',
  critical: 'error', severe: 'error', error: 'error', err: 'error',
  warn: 'warn', warning: 'warn',
  info: 'info', information: 'info', informational: 'info', notice: 'info', http: 'info', log: 'info',
  debug: 'debug', trace: 'debug', verbose: 'debug', silly: 'debug', fine: 'debug', finer: 'debug', finest: 'debug',
};

/**
 * A level from a structured value. Numbers from 10 up are pino/bunyan levels (10 trace, 20 debug,
 * 30 info, 40 warn, 50 error, 60 fatal); 0..7 are syslog severities (0..3 error, 4 warn, 5..6 info,
 * 7 debug), which GELF and winston's syslog levels use.
 */
export function levelFromValue(value: unknown): Level | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (value >= 10) return value < 30 ? 'debug' : value < 40 ? 'info' : value < 50 ? 'warn' : 'error';
    if (value < 0 || value > 7) return undefined;
    return value <= 3 ? 'error' : value === 4 ? 'warn' : value <= 6 ? 'info' : 'debug';
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 40) return undefined;
  const name = stripAnsi(value).trim().toLowerCase();
  const named = NAMED[name];
  if (named) return named;
  return /^\d+$/.test(name) ? levelFromValue(Number(name)) : undefined;
}

/** How much of the first line is searched for a level marker: loggers put it near the start. */
const HEAD_CHARS = 160;

// Explicit, any case: [warn], level=error, level: 'info', winston's "error: msg", console.trace's
// "Trace: msg", PM2's own "PM2 error: msg". Numbers only in JSON form ("level":50, a JSON line cut
// short): "level: 50" in prose is more likely a battery than pino.
const STRUCTURED_MARKER =
  /\[(fatal|crit(?:ical)?|error|err|warn(?:ing)?|info|notice|debug|trace|verbose)\]|\blevel["']?\s*[=:]\s*["']?([A-Za-z]+)|"level"\s*:\s*(\d+)|^(?:PM2 )?(error|warn|warning|info|debug|trace|verbose|silly|http)\s?:/i;
// Upper case only: a lower-case "error" in prose ("no error found") says nothing about the line.
const UPPER_MARKER =
  /(?:^|[\s[(<|:"'])(FATAL|CRITICAL|CRIT|EMERG|ALERT|ERROR|ERR|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE|VERBOSE)(?=$|[\s\])>|:"',!])/;
// A record that starts with an error's name: `Error: boom`, `TypeError [ERR_X]: ...`, `Uncaught ...`.
const ERROR_HEADER = /^(?:Uncaught |\[)?[A-Za-z]*(?:Error|Exception)\b/;
// An error mentioned in the line (`failed: Error: connect ECONNREFUSED`), or an unhandled rejection.
const ERROR_MENTION =
  /(?:^|[\s:(\[])(?:[A-Z][A-Za-z]*)?(?:Error|Exception)(?::\s|:$| \[ERR_)|Unhandled ?(?:Promise ?)?Rejection|unhandledRejection/;
// Stack frames, or a code frame's caret line, after the first line.
const STACK = /\n[ \t]+at \S|\n[ \t]*\^+[ \t]*(?:\n|$)/;
// Node process warnings: `(node:123) Warning: ...`, `DeprecationWarning:`, `ExperimentalWarning:`.
const WARNING_SHAPE = /(?:^|[\s:(\[])[A-Z]?[A-Za-z]*Warning:/;

// These run on every line. A pattern is skipped when the head lacks a literal the pattern cannot match
// without: indexOf finds one for a fraction of what the pattern (or a loop over the characters) costs.

function headOf(firstLine: string): string {
  return firstLine.length > HEAD_CHARS ? firstLine.slice(0, HEAD_CHARS) : firstLine;
}

// ERROR_HEADER, UPPER_MARKER, ERROR_MENTION and WARNING_SHAPE all need a capital letter: a head
// without one skips all four for the price of one scan.
const CAPITAL = /[A-Z]/;

/** Every branch of STRUCTURED_MARKER needs a `[`, `:` or `=`. */
function mayBeStructured(head: string): boolean {
  return head.indexOf(':') !== -1 || head.indexOf('[') !== -1 || head.indexOf('=') !== -1;
}

/** ERROR_MENTION needs `Error`, `Exception` or `Rejection`. */
function mentionsError(head: string): boolean {
  const named = head.indexOf('Error') !== -1 || head.indexOf('Exception') !== -1 || head.indexOf('Rejection') !== -1;
  return named && ERROR_MENTION.test(head);
}

function hasStack(record: string, firstLine: string): boolean {
  return record.length !== firstLine.length && STACK.test(record);
}

function structuredLevel(head: string): Level | undefined {
  if (!mayBeStructured(head)) return undefined;
  const structured = STRUCTURED_MARKER.exec(head);
  if (!structured) return undefined;
  const word = structured[1] ?? structured[2] ?? structured[3] ?? structured[4];
  return levelFromValue(/^\d+$/.test(word) ? Number(word) : word);
}

/** An error header or an upper-case level word: for a head with a capital letter. */
function capitalLevel(head: string): Level | undefined {
  if (ERROR_HEADER.test(head)) return 'error';
  const upper = UPPER_MARKER.exec(head);
  return upper ? NAMED[upper[1].toLowerCase()] : undefined;
}

/** The level a text marker near the start of `firstLine` names, if any. */
export function levelFromMarker(firstLine: string): Level | undefined {
  const head = headOf(firstLine);
  return structuredLevel(head) ?? (CAPITAL.test(head) ? capitalLevel(head) : undefined);
}

/** True when the first line looks like a Node process warning. */
export function looksLikeWarning(firstLine: string): boolean {
  const head = headOf(firstLine);
  return head.indexOf('Warning:') !== -1 && WARNING_SHAPE.test(head);
}

/**
 * The level of an entry nothing in the text classifies. stdout is `info`. stderr is `warn`, not
 * `error`: console.warn, Node's process warnings, deprecation notices, the `debug` package and many
 * CLIs write to stderr, so calling all of it an error would inflate error rates and fire alerts;
 * real errors nearly always carry a marker (a level, an `Error:` header, a stack) that makes them
 * `error` anyway. PM2's own messages are `info`.
 */
export function defaultLevel(stream: Stream): Level {
  return stream === 'err' ? 'warn' : 'info';
}

/** The level of a text record: explicit marker, then error shape, then warning shape, then the stream default. */
export function levelOfText(record: string, firstLine: string, stream: Stream): Level {
  const head = headOf(firstLine);
  const structured = structuredLevel(head);
  if (structured) return structured;
  // Tested only now: a structured marker, found first, is the common case for a logger's line.
  if (!CAPITAL.test(head)) return hasStack(record, firstLine) ? 'error' : defaultLevel(stream);
  // No marker means ERROR_HEADER has already failed on this head: the error shape is a stack or a mention.
  return (
    capitalLevel(head) ??
    (hasStack(record, firstLine) || mentionsError(head) ? 'error' : looksLikeWarning(head) ? 'warn' : defaultLevel(stream))
  );
}
