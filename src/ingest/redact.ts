// Secret redaction for log text: applied at ingest (before the buffer is written) and again before
// anything leaves the process (prompts, tool results, reports).
//
// Every pattern is written so that the regex engine never backtracks more than a bounded amount per
// start position (no nested or overlapping unbounded quantifiers), and each rule runs only when a
// cheap literal hint is present: most log lines pay one pass of the secret gate and nothing else.

import { createSecretGate } from './secret-gate.js';

export interface RedactorOptions {
  /** Extra regular expressions (source strings); each match becomes [REDACTED:custom]. */
  extraPatterns?: readonly string[];
  redactEmails?: boolean;
  redactIps?: boolean;
}

export interface Redactor {
  redact(text: string): string;
  /** Names of the active rules, in the order they run. */
  readonly rules: readonly string[];
}

interface Hint {
  test(text: string): boolean;
}

interface Rule {
  name: string;
  /** A fast pre-check; the rule runs only when it passes. Scanners have none: they begin with that search themselves. */
  hint?: Hint;
  apply(text: string): string;
}

const mark = (rule: string) => `[REDACTED:${rule}]`;

/**
 * A rule that replaces each match of a global pattern; `replace` builds the replacement, and returning
 * the match unchanged keeps a look-alike.
 */
function regexRule(name: string, hint: Hint, pattern: RegExp, replace?: (match: string, ...groups: string[]) => string): Rule {
  return { name, hint, apply: (text) => (replace ? text.replace(pattern, replace) : text.replace(pattern, mark(name))) };
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const PLACEHOLDER_VALUES = new Set(['true', 'false', 'null', 'undefined', 'none', 'nil', 'empty', 'redacted', 'hidden', 'masked', 'changeme', 'required', 'missing', 'invalid', 'expired', 'set', 'unset', 'string']);

/** Whether the value of a `password=`/`token=` pair looks like a real secret rather than a word or a flag. */
function looksSecret(key: string, value: string): boolean {
  const bare = value.replace(/^['"]|['"]$/g, '');
  if (bare.startsWith('[REDACTED') || /^\*+$/.test(bare) || /^<.*>$/.test(bare) || /^\$\{.*\}$/.test(bare)) return false;
  if (PLACEHOLDER_VALUES.has(bare.toLowerCase())) return false;
  if (/^\d{1,6}$/.test(bare)) return false;
  // A bare password key takes any real value; `password_strength=weak` names a property, not a secret.
  const isPassword = /(?:pass(?:word|wd|phrase)?|pwd)["']?\s*[:=]\s*$/i.test(key);
  if (isPassword) return bare.length >= 4;
  return bare.length >= 12 && entropy(bare) >= 3;
}

const KEY_WORDS = String.raw`(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|session[_-]?id|credentials?)`;

/**
 * Vendor tokens, recognised by a literal prefix at a word start. They are matched by a scanner, not
 * one big regex, so that a failed candidate's run is skipped as a whole: a megabyte of `eyJ-eyJ-…`
 * costs one pass instead of a rescan from every prefix.
 */
interface TokenRule {
  name: string;
  /** Sticky, anchored at the candidate's start. */
  pattern: RegExp;
}

const TOKEN_RULES: TokenRule[] = [
  { name: 'aws-access-key', pattern: /(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/y },
  { name: 'github-token', pattern: /(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/y },
  { name: 'gitlab-token', pattern: /glpat-[A-Za-z0-9_-]{20,255}/y },
  { name: 'slack-token', pattern: /xox[abposr]-[A-Za-z0-9-]{10,255}/y },
  { name: 'stripe-key', pattern: /(?:[spr]k_(?:live|test)_[A-Za-z0-9]{16,255}|whsec_[A-Za-z0-9]{16,255})\b/y },
  { name: 'anthropic-key', pattern: /sk-ant-[A-Za-z0-9_-]{20,255}/y },
  { name: 'openai-key', pattern: /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,255}/y },
  { name: 'google-api-key', pattern: /(?:AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,2048})/y },
  { name: 'npm-token', pattern: /npm_[A-Za-z0-9]{36}\b/y },
  { name: 'jwt', pattern: /eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,4096}/y },
];
const TOKEN_START = /\b(?:A[KS]IA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|[spr]k_(?:live|test)_|whsec_|sk-|AIza|ya29\.|npm_|eyJ)/g;
const TOKEN_RUN = /[A-Za-z0-9_.-]*/y;

function redactTokens(text: string): string {
  let out = '';
  let copied = 0;
  TOKEN_START.lastIndex = 0;
  for (let hit = TOKEN_START.exec(text); hit; hit = TOKEN_START.exec(text)) {
    const at = hit.index;
    let matchedEnd = -1;
    let name = '';
    for (const rule of TOKEN_RULES) {
      rule.pattern.lastIndex = at;
      if (rule.pattern.test(text)) {
        matchedEnd = rule.pattern.lastIndex;
        name = rule.name;
        break;
      }
    }
    if (matchedEnd !== -1) {
      out += text.slice(copied, at) + mark(name);
      copied = matchedEnd;
      TOKEN_START.lastIndex = matchedEnd;
    } else {
      TOKEN_RUN.lastIndex = at;
      TOKEN_RUN.test(text);
      TOKEN_START.lastIndex = Math.max(TOKEN_RUN.lastIndex, at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `scheme://user:password@host`: the password goes, the rest stays readable. */
function redactUrlPasswords(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 3)) {
    let i = at + 3;
    const limit = Math.min(text.length, i + 1024);
    let colon = -1;
    while (i < limit) {
      const c = text[i];
      if (c === '@' || c === '/' || c === ' ' || c === '\n' || c === '\t' || c === '"' || c === "'") break;
      if (c === ':' && colon === -1) colon = i;
      i++;
    }
    if (text[i] !== '@' || colon === -1 || colon + 1 === i || i < copied) continue;
    out += text.slice(copied, colon + 1) + mark('url-password');
    copied = i;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const BUILT_IN: Rule[] = [
  { name: 'private-key', apply: redactPrivateKeys },
  { name: 'token', apply: redactTokens },
  { name: 'url-password', apply: redactUrlPasswords },
  regexRule('slack-webhook', /hooks\.slack\.com/, /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{10,255}/g),
  regexRule(
    'authorization',
    /bearer|basic|token /i,
    /\b(Bearer|Basic|Token)(\s{1,10})[A-Za-z0-9._~+/=-]{8,4096}/gi,
    (_m, scheme: string, space: string) => `${scheme}${space}${mark('authorization')}`,
  ),
  regexRule(
    'secret-value',
    /pass|pwd|secret|token|key|cred|session/i,
    new RegExp(String.raw`(${KEY_WORDS}[\w-]{0,20}["']?\s{0,5}[:=]\s{0,5})("[^"\s]{1,512}"|'[^'\s]{1,512}'|[^\s"',;&)}\]]{1,512})`, 'gi'),
    (match: string, key: string, value: string) => (looksSecret(key, value) ? `${key}${mark('secret-value')}` : match),
  ),
  regexRule('card-number', { test: hasCardLikeRun }, /\b\d(?:[ -]?\d){12,18}\b/g, (match: string) => {
    const digits = match.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits) && !/^(\d)\1+$/.test(digits) ? mark('card-number') : match;
  }),
];

const EMAIL_RULE = regexRule('email', /@/, /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g);
const IP_RULE = regexRule('ip', /\d\.\d/, /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g);

/** CARD_MIN_DIGITS or more digits in a row, allowing one space or dash between them: what a card number needs. */
function hasCardLikeRun(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits >= CARD_MIN_DIGITS) return true;
    } else if (!((c === 32 || c === 45) && digits > 0 && i + 1 < text.length && text.charCodeAt(i + 1) >= 48 && text.charCodeAt(i + 1) <= 57)) {
      digits = 0;
    }
  }
  return false;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';

/** Private key blocks, also when the block was cut: from BEGIN to its END, or to the end of the text. */
function redactPrivateKeys(text: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin === -1) break;
    const headerEnd = text.indexOf('-----', begin + BEGIN.length);
    const header = headerEnd === -1 ? '' : text.slice(begin, headerEnd);
    if (!header.endsWith('PRIVATE KEY')) {
      out += text.slice(from, begin + BEGIN.length);
      from = begin + BEGIN.length;
      continue;
    }
    out += text.slice(from, begin) + mark('private-key');
    const end = text.indexOf(END, headerEnd);
    if (end === -1) return out;
    const close = text.indexOf('-----', end + END.length);
    from = close === -1 ? text.length : close + 5;
  }
  // A block whose BEGIN line came in an earlier entry: its END line is still a giveaway.
  const rest = text.slice(from);
  const orphanEnd = rest.indexOf(END);
  if (orphanEnd !== -1 && /^-----END [A-Z ]{0,40}PRIVATE KEY-----/.test(rest.slice(orphanEnd))) {
    const close = rest.indexOf('-----', orphanEnd + END.length);
    return out + mark('private-key') + rest.slice(close + 5);
  }
  return out + rest;
}

/**
 * The hints of the built-in rules as literals, for the gate every line passes first. The gate ignores
 * case for all of them: it may let through more than a rule's own hint, never less.
 */
export const HINT_LITERALS: readonly string[] = [
  ...['private key', 'akia', 'asia', 'abia', 'acca', 'github_pat_', 'glpat-', '_live_', '_test_', 'whsec_', 'sk-', 'aiza', 'ya29.', 'npm_', 'eyj'],
  ...[...'pousr'].map((c) => `gh${c}_`),
  ...[...'abposr'].map((c) => `xox${c}-`),
  ...['://', 'hooks.slack.com', 'bearer', 'basic', 'token', 'pass', 'pwd', 'secret', 'key', 'cred', 'session'],
];
/** What hasCardLikeRun looks for. */
const CARD_MIN_DIGITS = 13;
const GATE = createSecretGate({ literals: HINT_LITERALS, cardDigits: CARD_MIN_DIGITS });

/** Lines that are only base64 of key length, seen after a BEGIN line in an earlier entry. */
const KEY_BODY_LINE = /^[A-Za-z0-9+/]{60,76}={0,2}$/;

function isKeyBodyLine(text: string): boolean {
  // The length decides most lines without a scan.
  return text.length >= 60 && text.length <= 78 && KEY_BODY_LINE.test(text);
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const rules = [...BUILT_IN];
  if (options.redactEmails) rules.push(EMAIL_RULE);
  if (options.redactIps) rules.push(IP_RULE);
  (options.extraPatterns ?? []).forEach((source, i) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, 'g');
    } catch (error) {
      throw new Error(`redaction pattern #${i + 1} ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`);
    }
    rules.push(regexRule('custom', /[^]/, pattern));
  });
  const optional = rules.slice(BUILT_IN.length);
  const anyHint = { test: (text: string) => GATE.mayHoldSecret(text) || optional.some((r) => r.hint?.test(text)) };

  return {
    rules: rules.map((r) => r.name),
    redact(text: string): string {
      // Before the gate: a key body line holds hint literals (`KEY`, `eyJ`, `pwd`…) by chance, and no rule would catch it.
      if (isKeyBodyLine(text)) return mark('private-key');
      if (!anyHint.test(text)) return text;
      let out = text;
      for (const rule of rules) {
        if (!rule.hint || rule.hint.test(out)) out = rule.apply(out);
      }
      return out;
    },
  };
}
