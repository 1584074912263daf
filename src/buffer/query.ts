// Filtering the memory window: one linear pass (narrowed by seq bounds) that counts every match and
// keeps one page. Cursors are positions (the last seq returned), so a page never repeats an entry
// even while new entries arrive or old ones are evicted.
import { LEVELS, type Level, type LogEntry, type LogQuery, type QueryResult } from '../core/types.js';
import { InvalidQueryError } from './errors.js';
import type { Ring } from './ring.js';

export const DEFAULT_LIMIT = 100;
/** A user regex sees at most this many characters of a message: it bounds backtracking on long lines. */
export const REGEX_TEXT_CAP = 4096;
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

/** Equality for the usual single value, a Set beyond. */
function oneOf<T>(values: readonly T[], field: (entry: LogEntry) => T): Filter {
  if (values.length === 1) {
    const only = values[0];
    return (entry) => field(entry) === only;
  }
  const set = new Set(values);
  return (entry) => set.has(field(entry));
}

/** Only the conditions the query sets are checked, cheapest first, text last. */
function compileFilter(query: LogQuery): Filter {
  const checks: Filter[] = [];
  if (query.processes) checks.push(oneOf(query.processes, (e) => e.process));
  if (query.levels) checks.push(oneOf(query.levels, (e) => e.level));
  if (query.streams) checks.push(oneOf(query.streams, (e) => e.stream));
  if (query.pmIds) checks.push(oneOf(query.pmIds, (e) => e.pmId));
  const { since, until, patternId } = query;
  if (since !== undefined) checks.push((e) => e.timestamp >= since);
  if (until !== undefined) checks.push((e) => e.timestamp < until);
  if (patternId !== undefined) checks.push((e) => e.patternId === patternId);
  if (query.search !== undefined && query.search !== '') {
    if (query.regex) {
      const re = compileRegex(query.search);
      checks.push((e) => re.test(e.message.length > REGEX_TEXT_CAP ? e.message.slice(0, REGEX_TEXT_CAP) : e.message));
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
  const visit = (entry: LogEntry): void => {
    if (!match(entry)) return;
    matched++;
    if (after !== undefined && (order === 'asc' ? entry.seq <= after : entry.seq >= after)) return;
    if (entries.length < limit) entries.push(entry);
    else more = true;
  };
  if (order === 'asc') for (let i = lo; i < hi; i++) visit(ring.at(i));
  else for (let i = hi - 1; i >= lo; i--) visit(ring.at(i));
  const result: QueryResult = { entries, matched, total: ring.length };
  const last = entries[entries.length - 1];
  if (more && last) result.nextCursor = encodeCursor(last.seq, order);
  return result;
}

export function runHistogram(ring: Ring, query: LogQuery): Histogram {
  const match = compileFilter(query);
  const [lo, hi] = bounds(ring, query);
  const byLevel = Object.fromEntries(LEVELS.map((level) => [level, 0])) as Record<Level, number>;
  const byProcess: Record<string, number> = Object.create(null) as Record<string, number>;
  let matched = 0;
  for (let i = lo; i < hi; i++) {
    const entry = ring.at(i);
    if (!match(entry)) continue;
    matched++;
    byLevel[entry.level]++;
    byProcess[entry.process] = (byProcess[entry.process] ?? 0) + 1;
  }
  return { matched, byLevel, byProcess };
}
