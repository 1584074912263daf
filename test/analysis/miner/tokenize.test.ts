import { describe, expect, it } from 'vitest';
import { newTokens, tokenize } from '../../../src/analysis/miner/tokenize.js';

function masked(message: string, maxTokens = 64): string {
  const t = tokenize(message, maxTokens, newTokens());
  expect(t.key).toBe(t.masked().join(' '));
  return t.key;
}

describe('tokenize', () => {
  it.each([
    ['took 42 ms', 'took <*> <*>'],
    ['ratio -3.5e10 now', 'ratio <*> now'],
    ['hash 0x7f3a9c and deadbeef42', 'hash <*> and <*>'],
    ['id 8f14e45f-ceea-467f-a9b5-1f8c2c1c2a10 done', 'id <*> done'],
    ['from 192.168.1.20 to 10.0.0.1:8080', 'from <*> to <*>'],
    ['peer fe80::1ff:fe23:4567:890a left', 'peer <*> left'],
    ['db at db.internal:5432 and api.example.com', 'db at <*> and <*>'],
    ['GET https://example.com/a?b=1 ok', 'GET <*> ok'],
    ['open /var/log/app.log and ./rel/x and C:\\tmp\\x', 'open <*> and <*> and <*>'],
    ['elapsed 2.5s then 310ms then 1h', 'elapsed <*> then <*> then <*>'],
    ['at 2026-12-04T19:16:21.123Z or 19:16:21', 'at <*> or <*>'],
    ['mail alice@example.com now', 'mail <*> now'],
    ['size 6.1 KB, free 413.9 MB)', 'size <*> <*>, free <*> <*>)'],
    ['at Fri Jun 17 20:55:07 2005 exactly', 'at <*> <*> <*> <*> <*> exactly'],
  ])('masks %j', (input, expected) => {
    expect(masked(input)).toBe(expected);
  });

  it('masks quoted strings, even with spaces, but not apostrophes inside words', () => {
    expect(masked(`relation "audit log" does not exist`)).toBe('relation "<*>" does not exist');
    expect(masked(`reading 'id') and don't stop`)).toBe(`reading '<*>') and don't stop`);
    expect(masked('key="a b c" next')).toBe('key="<*>" next');
  });

  it('keeps the key of key=value pairs and the words around numbers', () => {
    expect(masked('rhost=218.188.2.4 uid=0 tty=NODEVssh')).toBe('rhost=<*> uid=<*> tty=NODEVssh');
    expect(masked('block blk_-1608999687919862906 and blk_38865049064139660')).toBe('block blk_<*> and blk_<*>');
    expect(masked('node R02-M1-N0-C:J12-U11')).toBe('node <*>-M1-N0-C:<*>-<*>');
  });

  it('keeps names that end in one digit', () => {
    expect(masked('PM2 | interface en0 utf8 ipv4')).toBe('PM2 | interface en0 utf8 ipv4');
  });

  it('reads only the first line and keeps raw tokens aligned with masked ones', () => {
    const t = tokenize('Error: boom 42\n    at x (/a.js:1:2)', 64, newTokens());
    expect(t.masked()).toEqual(['Error:', 'boom', '<*>']);
    expect(t.raw()).toEqual(['Error:', 'boom', '42']);
  });

  it('cuts long messages: the last token stands for the rest', () => {
    const t = tokenize('a b c d e f g', 4, newTokens());
    expect(t.masked()).toEqual(['a', 'b', 'c', '<*>']);
    expect(t.rawAt(3)).toBe('d e f g');
    expect(t.cut).toBe(true);
    expect(tokenize('a b c d', 4, newTokens()).cut).toBe(false);
  });

  it('masks very long tokens whole, words or not', () => {
    expect(masked(`blob ${'a'.repeat(300)} end`)).toBe('blob <*> end');
    expect(masked(`blob ${'a1'.repeat(300)} end`)).toBe('blob <*> end');
  });

  it('handles empty and blank messages', () => {
    expect(tokenize('', 8, newTokens()).masked()).toEqual([]);
    expect(tokenize('  \t ', 8, newTokens()).masked()).toEqual([]);
  });
});
