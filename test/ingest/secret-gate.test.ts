import { describe, expect, it } from 'vitest';
import { HINT_LITERALS } from '../../src/ingest/redact.js';
import { createSecretGate } from '../../src/ingest/secret-gate.js';
import { seededRandom as random } from '../helpers/seeded-random.js';

// The hints of the redaction rules as their own regexes say them: the gate must let through at least
// everything these match.
const RULE_HINTS = [
  /PRIVATE KEY|A[KS]IA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|_(?:live|test)_|whsec_|sk-|AIza|ya29\.|npm_|eyJ|:\/\/|hooks\.slack\.com/,
  /bearer|basic|token |pass|pwd|secret|token|key|cred|session/i,
];

function cardLikeRun(text: string): boolean {
  return /\d(?:[ -]?\d){12}/.test(text);
}

describe('secret gate', () => {
  const gate = createSecretGate({ literals: HINT_LITERALS, cardDigits: 13 });

  it('finds a literal in any ASCII case, at any place, also overlapping a false start', () => {
    expect(gate.mayHoldSecret('user PassWord=x')).toBe(true);
    expect(gate.mayHoldSecret('sessio session')).toBe(true);
    expect(gate.mayHoldSecret('ssk-')).toBe(true);
    expect(gate.mayHoldSecret('xxhooks.slack.co')).toBe(false);
    expect(gate.mayHoldSecret('EYJ')).toBe(true);
    expect(gate.mayHoldSecret('GET /health 200 12ms')).toBe(false);
    expect(gate.mayHoldSecret('')).toBe(false);
  });

  it('does not fold non-ASCII letters into hints, as /i does not', () => {
    expect(gate.mayHoldSecret('pa\u017Fs')).toBe(false);
    expect(gate.mayHoldSecret('ke\u00FF')).toBe(false);
    expect(gate.mayHoldSecret('\u00E9key')).toBe(true);
  });

  it('finds card-like digit runs with single separators, and nothing shorter', () => {
    expect(gate.mayHoldSecret('card 4111 1111 1111 1111 ok')).toBe(true);
    expect(gate.mayHoldSecret('card 4111-1111-1111-1')).toBe(true);
    expect(gate.mayHoldSecret('id 123456789012')).toBe(false);
    expect(gate.mayHoldSecret('1234567  890123')).toBe(false);
    expect(gate.mayHoldSecret('1234567 -890123')).toBe(false);
    expect(gate.mayHoldSecret('1234567 890123')).toBe(true);
  });

  it('lets through at least what the rules hint at, over log-like lines with hints spliced in', () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const words = ['GET', '/api/users', 'status=200', 'took', '12ms', 'user', 'id', 'at', 'Error:', 'connect', 'ECONNREFUSED', '127.0.0.1:5432', 'retry', '{"level":30}', 'ok'];
    const lines = Array.from({ length: 4000 }, () => Array.from({ length: 3 + Math.floor(next() * 10) }, () => pick(words)).join(pick([' ', ' ', ', ', '\t'])));
    // Written out here, not taken from the code under test: a literal dropped there must fail this.
    const hints = ['PRIVATE KEY', 'AKIA', 'ASIA', 'ABIA', 'ACCA', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', '_live_', '_test_', 'whsec_', 'sk-', 'AIza', 'ya29.', 'npm_', 'eyJ', '://', 'hooks.slack.com', 'Bearer', 'basic', 'TOKEN', 'pass', 'pwd', 'secret', 'key', 'cred', 'session'];
    const pieces = [...hints.map((h) => (next() < 0.5 ? h.toUpperCase() : h)), '4111 1111 1111 111', '0', '-', ' ', 'é', 'ſ'];
    const mutated = lines.map((line) => {
      let text = line;
      for (let k = Math.floor(next() * 4); k > 0; k--) {
        const at = Math.floor(next() * (text.length + 1));
        const piece = pieces[Math.floor(next() * pieces.length)];
        const cut = Math.floor(next() * piece.length);
        text = text.slice(0, at) + piece.slice(cut) + text.slice(at);
      }
      return text;
    });
    let flagged = 0;
    let clean = 0;
    for (const text of [...lines, ...mutated]) {
      const expected = RULE_HINTS.some((re) => re.test(text)) || cardLikeRun(text);
      const got = gate.mayHoldSecret(text);
      if (expected) expect(got, text).toBe(true);
      if (got) flagged++;
      else clean++;
    }
    // Both answers occur: the check above is not vacuous.
    expect(flagged).toBeGreaterThan(500);
    expect(clean).toBeGreaterThan(500);
  });

  it('refuses literals it cannot hold', () => {
    expect(() => createSecretGate({ literals: [''], cardDigits: 13 })).toThrow(/empty/);
    expect(() => createSecretGate({ literals: ['clé'], cardDigits: 13 })).toThrow(/ASCII/);
  });
});
