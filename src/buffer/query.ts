// Filtering the memory window: one linear pass (narrowed by seq bounds) that counts every match and
// keeps one page. Cursors are positions (the last seq returned), so a page never repeats an entry
// even while new entries arrive or old ones are evicted.
import { LEVELS, type Level, type LogEntry, type LogQuery, type QueryResult } from '../core/types.js';
import { InvalidQueryError } from './errors.js';
import type { Ring } from './ring.js';

export const DEFAULT_LIMIT = 100;
/** A user regex sees at most this many characters of a message: it bounds backtracking on long lines. */
const REGEX_TEXT_CAP = 4096;

/** The part of a message a user regex is run on. */
export function regexText(message: string): string {
  return message.length > REGEX_TEXT_CAP ? message.slice(0, REGEX_TEXT_CAP) : message;
}
const MAX_PATTERN_CHARS = 1000;

export interface Histogram {
  matched: number;
  byLevel: Record<Level, number>;
  byProcess: Record<string, number>;
}

/**
 * Compiles `search` for `regex: true`: plain text is a case-insensitive regex; `/body/flags` sets
 * the flags. Shared with the trigger engine so both report bad patterns the same way.
 */
export function compileRegex(source: string, field: 'search' | 'pattern' = 'search'): RegExp {
  if (source.length > MAX_PATTERN_CHARS) {
    throw new InvalidQueryError(field, `regular expression is ${source.length} characters long; the limit is ${MAX_PATTERN_CHARS}`);
  }
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(source);
  const body = literal ? literal[1] : source;
  const flags = literal ? literal[2].replace(/[gy]/g, '') : 'i';
  let re: RegExp;
  try {
    re = new RegExp(body, flags);
  } catch (error) {
    throw new InvalidQueryError(field, `invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
  if (nestsUnboundedQuantifiers(body)) {
    throw new InvalidQueryError(
      field,
      `regular expression ${JSON.stringify(source)} repeats a group that itself repeats (like (a+)+), which can take ` +
        'exponential time on a long line; rewrite it without the nested repetition',
    );
  }
  return re;
}

/** `*`, `+` or `{n,}` at `i`: a repetition without an upper bound. Returns its length, 0 if none. */
function unboundedAt(body: string, i: number): number {
  const c = body[i];
  if (c === '*' || c === '+') return 1;
  const brace = c === '{' ? /^\{\d+,\}/.exec(body.slice(i)) : null;
  return brace ? brace[0].length : 0;
}

/** The classic catastrophic-backtracking shape: an unbounded repetition of a group containing one. */
function nestsUnboundedQuantifiers(body: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      inClass = c !== ']';
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      groups.push(false);
    } else if (c === ')') {
      const repeats = groups.pop() ?? false;
      if (repeats && unboundedAt(body, i + 1) > 0) return true;
      if (repeats && groups.length > 0) groups[groups.length - 1] = true;
    } else if (groups.length > 0 && unboundedAt(body, i) > 0) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Filter = (entry: LogEntry) => boolean;

/**
 * Only the conditions the query sets are checked, text last. An empty list is the same as none.
 * Equality for the usual single value, a Set beyond; one closure per field keeps call sites monomorphic.
 */
function compileFilter(query: LogQuery): Filter {
  const checks: Filter[] = [];
  const { processes, levels, streams, pmIds } = query;
  if (processes?.length) {
    const [only] = processes;
    const set = new Set(processes);
    checks.push(processes.length === 1 ? (e) => e.process === only : (e) => set.has(e.process));
  }
  if (levels?.length) {
    const [only] = levels;
    const set = new Set(levels);
    checks.push(levels.length === 1 ? (e) => e.level === only : (e) => set.has(e.level));
  }
  if (streams?.length) {
    const [only] = streams;
    const set = new Set(streams);
    checks.push(streams.length === 1 ? (e) => e.stream === only : (e) => set.has(e.stream));
  }
  if (pmIds?.length) {
    const [only] = pmIds;
    const set = new Set(pmIds);
    checks.push(pmIds.length === 1 ? (e) => e.pmId === only : (e) => set.has(e.pmId));
  }
  const { since, until, patternId } = query;
  if (since !== undefined) checks.push((e) => e.timestamp >= since);
  if (until !== undefined) checks.push((e) => e.timestamp < until);
  if (patternId !== undefined) checks.push((e) => e.patternId === patternId);
  if (query.search !== undefined && query.search !== '') {
    if (query.regex) {
      const re = compileRegex(query.search);
      checks.push((e) => re.test(regexText(e.message)));
    } else {
      // A literal with the 'i' flag is a linear scan and much faster than lowercasing every message.
      const re = new RegExp(escapeRegex(query.search), 'i');
      checks.push((e) => re.test(e.message));
    }
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0];
  if (checks.length === 2) {
    const [a, b] = checks;
    return (e) => a(e) && b(e);
  }
  return (e) => checks.every((check) => check(e));
}

function bounds(ring: Ring, query: LogQuery): [number, number] {
  const lo = query.fromSeq !== undefined ? ring.lowerBound(query.fromSeq) : 0;
  const hi = query.toSeq !== undefined ? ring.lowerBound(query.toSeq) : ring.length;
  return [lo, Math.max(lo, hi)];
}

function encodeCursor(seq: number, order: 'asc' | 'desc'): string {
  return Buffer.from(`${order === 'asc' ? 'a' : 'd'}:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string, order: 'asc' | 'desc'): number {
  const match = /^([ad]):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidQueryError('cursor', 'invalid cursor: pass the nextCursor of a previous result unchanged');
  if ((match[1] === 'a') !== (order === 'asc')) {
    throw new InvalidQueryError('cursor', `cursor was made for order '${match[1] === 'a' ? 'asc' : 'desc'}', not '${order}'`);
  }
  return Number(match[2]);
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  // No upper bound here: a page never exceeds the ring, and the faces bound what they return.
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new InvalidQueryError('limit', `limit must be a non-negative integer, got ${limit}`);
  }
  return limit;
}

export function runQuery(ring: Ring, query: LogQuery): QueryResult {
  const order = query.order ?? 'asc';
  const limit = checkLimit(query.limit);
  const after = query.cursor !== undefined ? decodeCursor(query.cursor, order) : undefined;
  const match = compileFilter(query);
  const [lo, hi] = bounds(ring, query);
  const entries: LogEntry[] = [];
  let matched = 0;
  let more = false;
  if (order === 'asc') {
    for (let i = lo; i < hi; i++) {
      const entry = ring.at(i);
      if (!match(entry)) continue;
      matched++;
      if (after !== undefined && entry.seq <= after) continue;
      if (entries.length < limit) entries.push(entry);
      else more = true;
    }
  } else {
    for (let i = hi - 1; i >= lo; i--) {
      const entry = ring.at(i);
      if (!match(entry)) continue;
      matched++;
      if (after !== undefined && entry.seq >= after) continue;
      if (entries.length < limit) entries.push(entry);
      else more = true;
    }
  }
  const result: QueryResult = { entries, matched, total: ring.length };
  const last = entries[entries.length - 1];
  if (more && last) result.nextCursor = encodeCursor(last.seq, order);
  return result;
}

export function runHistogram(ring: Ring, query: LogQuery): Histogram {
  const match = compileFilter(query);
  const [lo, hi] = bounds(ring, query);
  const levels = new Map<Level, number>(LEVELS.map((level) => [level, 0]));
  const processes = new Map<string, number>();
  let matched = 0;
  for (let i = lo; i < hi; i++) {
    const entry = ring.at(i);
    if (!match(entry)) continue;
    matched++;
    levels.set(entry.level, (levels.get(entry.level) ?? 0) + 1);
    processes.set(entry.process, (processes.get(entry.process) ?? 0) + 1);
  }
  const byProcess: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [name, count] of processes) byProcess[name] = count;
  return { matched, byLevel: Object.fromEntries(levels) as Record<Level, number>, byProcess };
}
