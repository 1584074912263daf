// PM2 started with `--time` or `log_date_format` writes `${dayjs().format(format)}: ` before every line
// (fork mode) or every write (cluster mode). We strip it before grouping lines into records, and use
// it as the line's time. The format is a dayjs format string; PM2 loads dayjs without plugins, so
// only the core tokens can appear.
import { wallClock } from './timestamps.js';

/** What `--time` sets (PM2's PM2_LOG_DATE_FORMAT default): local time, no ms, no zone. */
export const PM2_DEFAULT_DATE_FORMAT = 'YYYY-MM-DDTHH:mm:ss';

type Field = 'year' | 'year2' | 'month' | 'monthName' | 'day' | 'hour' | 'hour12' | 'minute' | 'second' | 'ms' | 'zone' | 'meridiem' | 'ignored';

interface CompiledFormat {
  pattern: RegExp;
  fields: Field[];
  /** The last prefix matched and its time: consecutive lines mostly share the same second. */
  lastPrefix: string;
  lastTime: number;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// dayjs's own token grammar: an escaped [literal] or one token.
const TOKENS = /\[([^\]]*)]|Y{1,4}|M{1,4}|D{1,2}|d{1,4}|H{1,2}|h{1,2}|a|A|m{1,2}|s{1,2}|Z{1,2}|SSS/g;

const TOKEN_PATTERNS: Record<string, [string, Field]> = {
  YYYY: ['(\\d{4})', 'year'],
  YY: ['(\\d{2})', 'year2'],
  M: ['(\\d{1,2})', 'month'],
  MM: ['(\\d{2})', 'month'],
  MMM: ['([A-Za-z]{3})', 'monthName'],
  MMMM: ['([A-Za-z]{3,9})', 'monthName'],
  D: ['(\\d{1,2})', 'day'],
  DD: ['(\\d{2})', 'day'],
  d: ['(\\d)', 'ignored'],
  dd: ['([A-Za-z]{2})', 'ignored'],
  ddd: ['([A-Za-z]{3})', 'ignored'],
  dddd: ['([A-Za-z]{6,9})', 'ignored'],
  H: ['(\\d{1,2})', 'hour'],
  HH: ['(\\d{2})', 'hour'],
  h: ['(\\d{1,2})', 'hour12'],
  hh: ['(\\d{2})', 'hour12'],
  m: ['(\\d{1,2})', 'minute'],
  mm: ['(\\d{2})', 'minute'],
  s: ['(\\d{1,2})', 'second'],
  ss: ['(\\d{2})', 'second'],
  SSS: ['(\\d{3})', 'ms'],
  Z: ['([+-]\\d{2}:\\d{2})', 'zone'],
  ZZ: ['([+-]\\d{4})', 'zone'],
  A: ['(AM|PM)', 'meridiem'],
  a: ['(am|pm)', 'meridiem'],
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Compiles a dayjs format into a matcher for `${formatted}: ` at the start of a line. */
export function compileDateFormat(format: string): CompiledFormat | undefined {
  let source = '^';
  const fields: Field[] = [];
  let last = 0;
  for (const match of format.matchAll(TOKENS)) {
    source += escapeRegExp(format.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[1] !== undefined) {
      source += escapeRegExp(match[1]);
      continue;
    }
    const token = TOKEN_PATTERNS[match[0]] ?? (match[0][0] === 'Y' ? TOKEN_PATTERNS.YYYY : undefined);
    if (!token) {
      source += escapeRegExp(match[0]);
      continue;
    }
    source += token[0];
    fields.push(token[1]);
  }
  source += escapeRegExp(format.slice(last));
  // Without a single time field the "prefix" would be any literal text: not worth stripping.
  if (fields.length === 0) return undefined;
  return { pattern: new RegExp(`${source}: `), fields, lastPrefix: '', lastTime: 0 };
}

const compiled = new Map<string, CompiledFormat | undefined>();
const MAX_CACHED_FORMATS = 64;

function formatFor(format: string): CompiledFormat | undefined {
  let entry = compiled.get(format);
  if (entry === undefined && !compiled.has(format)) {
    if (compiled.size >= MAX_CACHED_FORMATS) compiled.clear();
    entry = compileDateFormat(format);
    compiled.set(format, entry);
  }
  return entry;
}

function timeFrom(match: RegExpExecArray, fields: Field[], capturedAt: number): number {
  const now = new Date(capturedAt);
  let year = now.getFullYear();
  let month = now.getMonth();
  let day = now.getDate();
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let zone: string | undefined;
  let pm: boolean | undefined;
  for (let i = 0; i < fields.length; i++) {
    const value = match[i + 1];
    switch (fields[i]) {
      case 'year': year = Number(value); break;
      case 'year2': year = 2000 + Number(value); break;
      case 'month': month = Number(value) - 1; break;
      case 'monthName': month = MONTH_NAMES.indexOf(value.slice(0, 3).toLowerCase()); break;
      case 'day': day = Number(value); break;
      case 'hour': case 'hour12': hour = Number(value); break;
      case 'minute': minute = Number(value); break;
      case 'second': second = Number(value); break;
      case 'ms': ms = Number(value); break;
      case 'zone': zone = value; break;
      case 'meridiem': pm = value.toLowerCase() === 'pm'; break;
      case 'ignored': break;
    }
  }
  if (pm !== undefined && hour <= 12) hour = (hour % 12) + (pm ? 12 : 0);
  return wallClock(year, month, day, hour, minute, second, ms, zone);
}

export interface StrippedPrefix {
  /** The line after the prefix. */
  text: string;
  /** The prefix's time, ms since the epoch. */
  time: number;
}

function looksLikeDefaultPrefix(line: string): boolean {
  return line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84 && line.charCodeAt(19) === 58 && line.charCodeAt(20) === 32;
}

/**
 * Removes PM2's date prefix from a line. With no `format`, only PM2's `--time` default is recognised
 * (cheaply, by its fixed shape), which covers files written by an earlier run started with `--time`.
 * Returns undefined when the line has no such prefix.
 */
export function stripPm2Prefix(line: string, format: string | undefined, capturedAt: number): StrippedPrefix | undefined {
  if (format === undefined && !looksLikeDefaultPrefix(line)) return undefined;
  const compiledFormat = formatFor(format ?? PM2_DEFAULT_DATE_FORMAT);
  if (!compiledFormat) return undefined;
  const last = compiledFormat.lastPrefix;
  if (last.length > 0 && line.startsWith(last)) return { text: line.slice(last.length), time: compiledFormat.lastTime };
  const match = compiledFormat.pattern.exec(line);
  if (!match) return undefined;
  const time = timeFrom(match, compiledFormat.fields, capturedAt);
  if (Number.isNaN(time)) return undefined;
  compiledFormat.lastPrefix = match[0];
  compiledFormat.lastTime = time;
  return { text: line.slice(match[0].length), time };
}

/**
 * The time of a `--log-type json` wrapper's `timestamp`: ISO when no log_date_format is set, else
 * formatted with it. Undefined when it cannot be read.
 */
export function parseFormattedTime(value: string, format: string, capturedAt: number): number | undefined {
  const compiledFormat = formatFor(format);
  if (!compiledFormat) return undefined;
  const match = compiledFormat.pattern.exec(`${value}: `);
  if (!match) return undefined;
  const time = timeFrom(match, compiledFormat.fields, capturedAt);
  return Number.isNaN(time) ? undefined : time;
}
