// The masks: which tokens are variables. One fixed set of rules for any application's logs: numbers,
// hex, UUIDs, IPs, host:port, URLs, paths, durations and sizes, dates and times, emails and hosts. A
// token that still holds digits keeps its punctuation and the runs of letters without a number.

export const WILDCARD = '<*>';

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

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Brackets and sentence punctuation around a value are part of the template, not of the value.
export function isLeadWrap(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 60 || c === 34 || c === 39; // ( [ { < " '
}

export function isTrailWrap(c: number): boolean {
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
export function isPlainNumber(token: string, a: number, b: number): boolean {
  const c0 = token.charCodeAt(a);
  if (!isDigit(c0) && !((c0 === 45 || c0 === 43) && b - a > 1 && isDigit(token.charCodeAt(a + 1)))) return false;
  for (let k = a + 1; k < b; k++) if ((CLASS[token.charCodeAt(k)] & NUMBERISH) === 0) return false;
  return true;
}

/** Longer tokens (base64, minified payloads) are data: masked whole without a closer look. */
export const LONG_TOKEN = 256;

export function maskToken(token: string): string {
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
export const SPACE = 1;
export const SPECIAL = 2; // digits and / @ \ send a token to maskToken
export const QUOTE = 4;
export const NUMBERISH = 8; // digits and . , : / _ + -
export const CLASS = new Uint8Array(65536);
for (const c of [32, 9, 13, 11, 12]) CLASS[c] = SPACE;
for (let c = 48; c <= 57; c++) CLASS[c] = SPECIAL | NUMBERISH;
for (const c of [47, 64, 92]) CLASS[c] |= SPECIAL;
export const DOT = 16; // a dotted name may be a host (`rhost=api.example.com`)
CLASS[46] |= DOT;
for (const c of [46, 44, 58, 47, 95, 43, 45]) CLASS[c] |= NUMBERISH;
CLASS[34] = QUOTE;
CLASS[39] = QUOTE;

