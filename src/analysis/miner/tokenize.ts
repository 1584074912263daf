// Turns one log message into the token sequence the miner clusters on. Variables are masked here, before
// any clustering, with one fixed set of rules meant for any application's logs: numbers, hex, UUIDs,
// IPs, host:port, URLs, paths, durations and sizes, dates and times, emails and quoted strings become
// `<*>`. A token that still holds digits (`blk_-1608`, `R02-M1`, `uid=0`) keeps its punctuation and
// the runs of letters without a number, so that the words around a number still tell events apart.
// The hot path is a plain character scan; regular expressions only run on tokens that hold a digit,
// a slash or an at sign.

export const WILDCARD = '<*>';

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

const URL_RE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const EMAIL_RE = /^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/i;
const PATH_RE = /^(~?\/|\.{1,2}\/|[a-z]:\\)\S+$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST_PORT_RE = /^[a-z0-9][a-z0-9.-]*:\d{1,5}$/i;
// Digits with separators: integers, decimals, signed numbers, IPv4 (with port), versions, dates,
// times, timestamps with a zone; an optional unit makes durations and sizes.
const NUMERIC_RE = /^[-+]?\d[\d.,:/_+-]*(e[-+]?\d+)?(t[\d:.]+(z|[+-][\d:]+)?)?(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|d|b|kb|mb|gb|tb|kib|mib|gib|k|g|%|x|px)?$/i;
const IPV6_RE = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}(%\w+)?$/i;

const HEX_MIN_LENGTH = 8;
// A dotted name that ends in a common top-level domain is a host; Java packages (`org.apache.x`) are not.
const HOST_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|edu|gov|info|biz|io|dev|app|local|internal|lan|cloud|de|uk|fr|cn|hk|tw|jp|kr|ru|pl|br|in|it|nl|es|eu|us|ca|au)$/i;

const DATE_WORDS = new Set(
  'Jan Feb Mar Apr May Jun Jul Aug Sep Sept Oct Nov Dec January February March April June July August September October November December Mon Tue Wed Thu Fri Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' '),
);
// Units glued to the number before them by a space: `6.1 KB`, `12 ms`.
const UNITS = new Set('B KB MB GB TB PB KiB MiB GiB TiB kB ns us µs ms s sec secs seconds min mins minutes h hr hrs hours'.split(' '));

/** `0x` and hex digits, or hex digits with both a digit and a letter (hashes, ids). */
function isHex(core: string): boolean {
  let k = core.charCodeAt(0) === 48 && (core.charCodeAt(1) | 32) === 120 ? 2 : 0;
  const prefixed = k === 2;
  if (k === core.length) return false;
  let digit = false;
  let letter = false;
  for (; k < core.length; k++) {
    const c = core.charCodeAt(k);
    if (c >= 48 && c <= 57) digit = true;
    else if ((c | 32) >= 97 && (c | 32) <= 102) letter = true;
    else return false;
  }
  return prefixed || (digit && letter);
}

// Each pattern runs only when the characters it needs are there: most tokens fail every test.
function isVariable(core: string): boolean {
  const n = core.length;
  if (n === 0) return false;
  const c0 = core.charCodeAt(0);
  if ((isDigit(c0) || c0 === 45 || c0 === 43) && NUMERIC_RE.test(core)) return true;
  if ((n >= HEX_MIN_LENGTH || (c0 === 48 && (core.charCodeAt(1) | 32) === 120)) && isHex(core)) return true;
  if (n === 36 && UUID_RE.test(core)) return true;
  if ((c0 === 47 || c0 === 126 || c0 === 46 || core.charCodeAt(1) === 58) && PATH_RE.test(core)) return true;
  const colon = core.indexOf(':');
  if (colon >= 0) {
    if (HOST_PORT_RE.test(core) || URL_RE.test(core)) return true;
    if (colon !== core.lastIndexOf(':') && IPV6_RE.test(core)) return true;
  }
  if (core.indexOf('@') > 0 && EMAIL_RE.test(core)) return true;
  return core.indexOf('.') > 0 && HOST_RE.test(core);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Brackets and sentence punctuation around a value are part of the template, not of the value.
function isLeadWrap(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 60 || c === 34 || c === 39; // ( [ { < " '
}

function isTrailWrap(c: number): boolean {
  // ) ] } > " ' , ; . :
  return c === 41 || c === 93 || c === 125 || c === 62 || c === 34 || c === 39 || c === 44 || c === 59 || c === 46 || c === 58;
}

/** Replaces each run of letters and digits that holds a digit (with a sign that stands alone) by `<*>`. */
function maskDigitRuns(token: string): string {
  let out = '';
  let last = 0;
  const n = token.length;
  let i = 0;
  while (i < n) {
    if (!isAlnum(token.charCodeAt(i))) {
      i++;
      continue;
    }
    let start = i;
    let digits = 0;
    let firstDigit = -1;
    while (i < n && isAlnum(token.charCodeAt(i))) {
      if (isDigit(token.charCodeAt(i))) {
        digits++;
        if (firstDigit < 0) firstDigit = i;
      }
      i++;
    }
    // A name with one trailing digit (`PM2`, `en0`, `utf8`, `ipv4`) is a name, not a number.
    if (digits === 0 || (digits === 1 && firstDigit === i - 1 && firstDigit > start)) continue;
    // `blk_-1608` and `blk_1608` are the same event: a minus glued to a number after punctuation is its sign.
    if (start > 0 && token.charCodeAt(start - 1) === 45 && (start === 1 || !isAlnum(token.charCodeAt(start - 2)))) start--;
    out += token.slice(last, start) + WILDCARD;
    last = i;
  }
  return last === 0 ? token : out + token.slice(last);
}

/** Digits and the separators of numbers, IPs, dates and times only, starting with a digit or sign. */
function isPlainNumber(token: string, a: number, b: number): boolean {
  const c0 = token.charCodeAt(a);
  if (!isDigit(c0) && !((c0 === 45 || c0 === 43) && b - a > 1 && isDigit(token.charCodeAt(a + 1)))) return false;
  for (let k = a + 1; k < b; k++) if ((CLASS[token.charCodeAt(k)] & NUMBERISH) === 0) return false;
  return true;
}

/** Longer tokens with a digit (base64, minified payloads) are data: masked whole without a closer look. */
const LONG_TOKEN = 256;

function maskToken(token: string): string {
  if (token.length > LONG_TOKEN) return WILDCARD;
  let a = 0;
  let b = token.length;
  while (a < b && isLeadWrap(token.charCodeAt(a))) a++;
  while (b > a && isTrailWrap(token.charCodeAt(b - 1))) b--;
  if (b > a && isPlainNumber(token, a, b)) return a === 0 && b === token.length ? WILDCARD : token.slice(0, a) + WILDCARD + token.slice(b);
  const core = a === 0 && b === token.length ? token : token.slice(a, b);
  if (isVariable(core)) return token.slice(0, a) + WILDCARD + token.slice(b);
  // key=value and key:value: judge the value on its own, so that `rhost=10.0.0.1` keeps its key.
  let sep = core.indexOf('=');
  if (sep < 0) {
    const colon = core.indexOf(':');
    if (colon > 0 && colon < core.length - 1 && !isDigit(core.charCodeAt(colon - 1))) sep = colon;
  }
  if (sep > 0 && sep < core.length - 1) {
    let v = sep + 1;
    while (v < core.length && isLeadWrap(core.charCodeAt(v))) v++;
    if (isVariable(core.slice(v))) return token.slice(0, a + v) + WILDCARD + token.slice(b);
  }
  return maskDigitRuns(token);
}

// Character classes for the scanning loop: one table load per character instead of a chain of tests.
const SPACE = 1;
const SPECIAL = 2; // digits and / @ \ send a token to maskToken
const QUOTE = 4;
const NUMBERISH = 8; // digits and . , : / _ + -
const CLASS = new Uint8Array(65536);
for (const c of [32, 9, 13, 11, 12]) CLASS[c] = SPACE;
for (let c = 48; c <= 57; c++) CLASS[c] = SPECIAL | NUMBERISH;
for (const c of [47, 64, 92]) CLASS[c] |= SPECIAL;
const DOT = 16; // a dotted name may be a host (`rhost=api.example.com`)
CLASS[46] |= DOT;
for (const c of [46, 44, 58, 47, 95, 43, 45]) CLASS[c] |= NUMBERISH;
CLASS[34] = QUOTE;
CLASS[39] = QUOTE;

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
    if ((seen & SPECIAL) === 0 && ((seen & DOT) === 0 || !innerDot(message, start, i))) {
      push(out, start, i, undefined);
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
