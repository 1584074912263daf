import { describe, expect, it } from 'vitest';
import { createRedactor, entropy, passesLuhn } from '../../src/ingest/redact.js';
import { LOOK_ALIKES, SECRET_CASES } from '../fixtures/secrets/corpus.js';

const redactor = createRedactor();

describe('redaction', () => {
  it('has a corpus of at least 30 secrets', () => {
    expect(SECRET_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(SECRET_CASES.map((c) => [c.line.slice(0, 60), c] as const))('removes the secret from %s', (_name, { secret, line }) => {
    const out = redactor.redact(line);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[REDACTED:[a-z-]+\]/);
  });

  it('keeps look-alikes unchanged', () => {
    for (const line of LOOK_ALIKES) expect(redactor.redact(line)).toBe(line);
  });

  it('names the rule and keeps the readable context around a secret', () => {
    expect(redactor.redact('connect postgres://app:Pg-S3cr3t-2024@db:5432/x')).toBe('connect postgres://app:[REDACTED:url-password]@db:5432/x');
    expect(redactor.redact('Authorization: Bearer abcdefghijklmnop1234')).toBe('Authorization: Bearer [REDACTED:authorization]');
    expect(redactor.redact('key AKIAIOSFODNN7EXAMPLE used')).toBe('key [REDACTED:aws-access-key] used');
  });

  it('redacts a private key whose block was split over several entries', () => {
    expect(redactor.redact('-----BEGIN EC PRIVATE KEY-----')).toBe('[REDACTED:private-key]');
    expect(redactor.redact('MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oKdrpTwlqdVVoAoGCCqGSM49AwEHoUQDQgAE')).toBe('[REDACTED:private-key]');
    expect(redactor.redact('-----END EC PRIVATE KEY----- loaded')).toBe('[REDACTED:private-key] loaded');
  });

  it('redacts an orphan key body line even when it holds a hint literal of another rule', () => {
    // Base64 body lines contain `KEY`, `eyJ`, `pwd`… by chance; the hint must not let them through.
    const withKey = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCKEYx7q2Wm9Zt3';
    const withJwtPrefix = 'q2Wm9Zt3MIIEvQIBADANBgkqhkiG9w0eyJBAQEFAASCBKcwggSjAgEAAoIBAQCxZ';
    expect(withKey).toHaveLength(64);
    expect(withJwtPrefix).toHaveLength(64);
    expect(redactor.redact(withKey)).toBe('[REDACTED:private-key]');
    expect(redactor.redact(withJwtPrefix)).toBe('[REDACTED:private-key]');
  });

  it('applies extra patterns and the optional email and ip rules', () => {
    const strict = createRedactor({ extraPatterns: ['cust-\\d{6}'], redactEmails: true, redactIps: true });
    expect(strict.redact('customer cust-123456 jane.doe@example.com from 10.1.2.3')).toBe('customer [REDACTED:custom] [REDACTED:email] from [REDACTED:ip]');
    expect(redactor.redact('jane.doe@example.com from 10.1.2.3')).toBe('jane.doe@example.com from 10.1.2.3');
  });

  it('rejects an invalid extra pattern with a message naming it', () => {
    expect(() => createRedactor({ extraPatterns: ['(unclosed'] })).toThrow(/redaction pattern #1 "\(unclosed" is not a valid regular expression/);
  });

  it('is idempotent', () => {
    for (const { line } of SECRET_CASES) {
      const once = redactor.redact(line);
      expect(redactor.redact(once)).toBe(once);
    }
  });

  // Linear time is checked by comparing each adversarial megabyte with a plain megabyte of the same
  // length: a quadratic rule would take thousands of times longer, far beyond this generous ratio.
  it.each([
    ['eyJ-', 'eyJ-'],
    ['sk-', 'sk-a'],
    ['://', 'a://b:'],
    ['password=', 'password='],
    ['Bearer ', 'Bearer '],
    ['digits', '4111 '],
    ['AKIA', 'AKIA'],
    ['BEGIN', '-----BEGIN '],
    ['spaces', ' '],
  ])('stays linear on a 1 MB adversarial line (%s)', (_name, unit) => {
    const hostile = unit.repeat(Math.ceil(1_000_000 / unit.length));
    const plain = 'x'.repeat(hostile.length);
    const strict = createRedactor({ redactEmails: true, redactIps: true });
    const time = (text: string) => {
      const t0 = process.hrtime.bigint();
      strict.redact(text);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    time(plain);
    const base = Math.max(time(plain), 1);
    const hostileMs = time(hostile);
    expect(hostileMs / base).toBeLessThan(400);
  });

  it('computes entropy and Luhn as documented', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
  });
});
