// Turns one log message into the token sequence the miner clusters on, with variables masked before
// any clustering (masks.ts), plus what needs the neighbouring tokens: quoted strings, month and day
// names next to numbers, units after numbers. The hot path is a plain character scan; tokens without
// a digit, a slash, an at sign or an inner dot are never looked at twice.

import { CLASS, DOT, isLeadWrap, isPlainNumber, isTrailWrap, LONG_TOKEN, maskToken, QUOTE, SPACE, SPECIAL, WILDCARD } from './masks.js';

export { WILDCARD } from './masks.js';

/**
 * Output of {@link tokenize}, reused between calls to spare the garbage collector. Plain words are
 * never copied out of the message: the key is built from spans of it, and the token arrays are only
 * materialized on demand (a new template, a trie lookup).
 */
export class Tokens {
  message = '';
  count = 0;
  /** True when the message had more tokens than the limit: the last token stands for the rest. */
  cut = false;
  /** Masked tokens joined by single spaces: what identifies a message's shape. */
  key = '';
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** Per token: its masked form, or undefined when it is kept as written. */
  readonly maskedAt: Array<string | undefined> = [];

  /** The token as written in the message. */
  rawAt(i: number): string {
    return this.message.slice(this.starts[i], this.ends[i]);
  }

  maskedTokenAt(i: number): string {
    return this.maskedAt[i] ?? this.rawAt(i);
  }

  /** A fresh array of the masked tokens. */
  masked(): string[] {
    const out = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.maskedTokenAt(i);
    return out;
  }

  raw(): string[] {
    const out = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.rawAt(i);
    return out;
  }
}

export function newTokens(): Tokens {
  return new Tokens();
}

const DATE_WORDS = new Set(
  'Jan Feb Mar Apr May Jun Jul Aug Sep Sept Oct Nov Dec January February March April June July August September October November December Mon Tue Wed Thu Fri Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' '),
);
// Units glued to the number before them by a space: `6.1 KB`, `12 ms`.
const UNITS = new Set('B KB MB GB TB PB KiB MiB GiB TiB kB ns us µs ms s sec secs seconds min mins minutes h hr hrs hours'.split(' '));

function isSpace(c: number): boolean {
  return CLASS[c] === SPACE;
}

// A quote opens a quoted string at the start of a token or right after `=`, `:` or `(`; it closes at
// the same quote followed by a space, punctuation or the end. Apostrophes inside words never qualify.
function quoteEnd(text: string, open: number, end: number): number {
  const q = text.charCodeAt(open);
  const limit = Math.min(end, open + 512);
  for (let k = open + 1; k < limit; k++) {
    if (text.charCodeAt(k) !== q) continue;
    const next = k + 1 < end ? text.charCodeAt(k + 1) : 32;
    if (isSpace(next) || isTrailWrap(next)) return k;
  }
  return -1;
}

function quoteStart(text: string, start: number, end: number): number {
  for (let k = start; k < end && k < start + 64; k++) {
    const c = text.charCodeAt(k);
    if (isSpace(c)) return -1;
    if (c === 34 || c === 39) {
      if (k === start) return k;
      const p = text.charCodeAt(k - 1);
      return p === 61 || p === 58 || p === 40 ? k : -1; // = : (
    }
  }
  return -1;
}

function innerDot(text: string, start: number, end: number): boolean {
  const dot = text.indexOf('.', start);
  return dot > start && dot < end - 1;
}

function push(out: Tokens, start: number, end: number, masked: string | undefined): void {
  const n = out.count;
  if (n === out.starts.length) {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    out.starts = grow(out.starts);
    out.ends = grow(out.ends);
  }
  out.starts[n] = start;
  out.ends[n] = end;
  out.maskedAt[n] = masked;
  out.count = n + 1;
}

/**
 * Tokenizes the first line of `message` into `out`, masking variables. At most `maxTokens` tokens are
 * kept; when the message is longer the last kept token is `<*>` and stands for the rest.
 */
export function tokenize(message: string, maxTokens: number, out: Tokens): Tokens {
  out.message = message;
  out.count = 0;
  out.maskedAt.length = 0;
  out.cut = false;
  let end = message.indexOf('\n');
  if (end < 0) end = message.length;
  let i = 0;
  while (i < end) {
    while (i < end && isSpace(message.charCodeAt(i))) i++;
    if (i >= end) break;
    if (out.count === maxTokens - 1) {
      let tail = end;
      while (tail > i && isSpace(message.charCodeAt(tail - 1))) tail--;
      let next = i;
      while (next < tail && !isSpace(message.charCodeAt(next))) next++;
      if (next < tail) {
        push(out, i, tail, WILDCARD);
        out.cut = true;
        break;
      }
    }
    const start = i;
    let seen = 0;
    while (i < end) {
      const k = CLASS[message.charCodeAt(i)];
      if (k === SPACE) break;
      seen |= k;
      i++;
    }
    if ((seen & QUOTE) !== 0) {
      const open = quoteStart(message, start, i);
      const close = open < 0 ? -1 : quoteEnd(message, open, end);
      if (close > open + 1) {
        let j = close + 1;
        while (j < end && !isSpace(message.charCodeAt(j))) j++;
        push(out, start, j, message.slice(start, open + 1) + WILDCARD + message.slice(close, j));
        i = j;
        continue;
      }
    }
    // Without digits, slashes or @, only a dotted name inside the token (a host) can be a variable.
    if (i - start > LONG_TOKEN) {
      push(out, start, i, WILDCARD);
      continue;
    }
    if ((seen & SPECIAL) === 0 && ((seen & DOT) === 0 || !innerDot(message, start, i))) {
      push(out, start, i, undefined);
      continue;
    }
    // Numbers, the most common variables, are recognised in place, without copying the token first.
    let a = start;
    while (a < i && isLeadWrap(message.charCodeAt(a))) a++;
    const b = trailEnd(message, a, i);
    if (b > a && isPlainNumber(message, a, b)) {
      push(out, start, i, a === start && b === i ? WILDCARD : message.slice(start, a) + WILDCARD + message.slice(b, i));
      continue;
    }
    const token = message.slice(start, i);
    const masked = maskToken(token);
    push(out, start, i, masked === token ? undefined : masked);
  }
  maskDatesAndUnits(out);
  out.key = joinKey(out);
  return out;
}

/** The masked tokens joined by single spaces, copying runs of plain words out of the message at once. */
function joinKey(out: Tokens): string {
  const { message, starts, ends, maskedAt, count } = out;
  let key = '';
  let spanStart = -1;
  let spanEnd = -1;
  for (let i = 0; i < count; i++) {
    const masked = maskedAt[i];
    if (masked === undefined) {
      if (spanStart >= 0 && starts[i] === spanEnd + 1 && message.charCodeAt(spanEnd) === 32) {
        spanEnd = ends[i];
        continue;
      }
      if (spanStart >= 0) key += (key.length > 0 ? ' ' : '') + message.slice(spanStart, spanEnd);
      spanStart = starts[i];
      spanEnd = ends[i];
      continue;
    }
    if (spanStart >= 0) {
      key += (key.length > 0 ? ' ' : '') + message.slice(spanStart, spanEnd);
      spanStart = -1;
    }
    key += (key.length > 0 ? ' ' : '') + masked;
  }
  if (spanStart >= 0) key += (key.length > 0 ? ' ' : '') + message.slice(spanStart, spanEnd);
  return key;
}

function trailEnd(text: string, start: number, end: number): number {
  while (end > start && isTrailWrap(text.charCodeAt(end - 1))) end--;
  return end;
}

function endsWithWildcard(token: string | undefined): boolean {
  if (token === undefined) return false;
  let b = token.length;
  for (;;) {
    if (token.startsWith(WILDCARD, b - WILDCARD.length)) return true;
    if (b === 0 || !isTrailWrap(token.charCodeAt(b - 1))) return false;
    b--;
  }
}

/** Month and weekday names next to numbers are parts of a date; a unit after a number is part of it. */
function maskDatesAndUnits(out: Tokens): void {
  const { message, starts, ends, maskedAt, count } = out;
  let prevWild = false;
  for (let i = 0; i < count; i++) {
    const masked = maskedAt[i];
    if (masked !== undefined) {
      prevWild = endsWithWildcard(masked);
      continue;
    }
    const start = starts[i];
    const end = ends[i];
    const c = message.charCodeAt(start);
    const upper = c >= 65 && c <= 90;
    if (end - start <= 10 && (prevWild || upper)) {
      const coreEnd = trailEnd(message, start, end);
      const core = message.slice(start, coreEnd);
      let date = false;
      if (prevWild && UNITS.has(core)) date = true;
      else if (upper && DATE_WORDS.has(core)) {
        if (prevWild || i + 1 >= count) date = prevWild;
        else {
          const next = maskedAt[i + 1];
          date =
            next !== undefined
              ? next.startsWith(WILDCARD)
              : DATE_WORDS.has(message.slice(starts[i + 1], trailEnd(message, starts[i + 1], ends[i + 1])));
        }
      }
      if (date) {
        maskedAt[i] = WILDCARD + message.slice(coreEnd, end);
        prevWild = true;
        continue;
      }
    }
    prevWild = false;
  }
}
