import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidQueryError, LogBuffer } from '../../src/buffer/log-buffer.js';
import type { LogEntry, LogQuery } from '../../src/core/types.js';
import { makeEntries, makeEntry, tempDir, type TempDir } from './fixtures/entries.js';

let dir: TempDir;
let buffer: LogBuffer;
let all: LogEntry[];

beforeAll(async () => {
  dir = await tempDir();
  buffer = await LogBuffer.open({ dir: dir.path, fsyncIntervalMs: 60_000 });
  buffer.append(makeEntries(0, 1000));
  buffer.append([
    makeEntry(1000, { level: 'error', message: 'TypeError: x is undefined\n    at handler (/app/a.js:1:2)', patternId: 'p-type' }),
    makeEntry(1001, { level: 'error', message: 'Connection REFUSED to db:5432', patternId: 'p-conn' }),
    makeEntry(1002, { level: 'warn', message: 'a.b.c (literal dots)', stream: 'pm2' }),
  ]);
  all = buffer.range(1);
});

afterAll(async () => {
  await buffer.close();
  await dir.dispose();
});

function expected(filter: (e: LogEntry) => boolean): number[] {
  return all.filter(filter).map((e) => e.seq);
}

/** Follows cursors to the end; checks every page's matched count. */
function drain(query: LogQuery): number[] {
  const seen: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = buffer.query({ ...query, cursor });
    expect(page.total).toBe(all.length);
    seen.push(...page.entries.map((e) => e.seq));
    cursor = page.nextCursor;
    if (cursor) expect(page.entries).toHaveLength(query.limit ?? 100);
    expect(++pages).toBeLessThan(10_000);
  } while (cursor);
  return seen;
}

describe('query', () => {
  it('filters by process, level and stream, and counts every match', () => {
    const result = buffer.query({ processes: ['api'], levels: ['error', 'warn'], limit: 5 });
    const want = expected((e) => e.process === 'api' && (e.level === 'error' || e.level === 'warn'));
    expect(result.matched).toBe(want.length);
    expect(result.entries.map((e) => e.seq)).toEqual(want.slice(0, 5));
    expect(result.nextCursor).toBeDefined();
    expect(buffer.query({ streams: ['pm2'] }).entries.map((e) => e.message)).toEqual(['a.b.c (literal dots)']);
    expect(buffer.query({ pmIds: [2], limit: 0 }).matched).toBe(expected((e) => e.pmId === 2).length);
  });

  it('filters by time range and seq range', () => {
    const since = all[100].timestamp;
    const until = all[200].timestamp;
    expect(buffer.query({ since, until, limit: 1000 }).entries.map((e) => e.seq)).toEqual(expected((e) => e.timestamp >= since && e.timestamp < until));
    expect(buffer.query({ fromSeq: 10, toSeq: 20, limit: 1000 }).entries.map((e) => e.seq)).toEqual(expected((e) => e.seq >= 10 && e.seq < 20));
    expect(buffer.query({ fromSeq: 5000 }).matched).toBe(0);
  });

  it('searches text case-insensitively, literally unless regex is set', () => {
    expect(buffer.query({ search: 'connection refused' }).entries.map((e) => e.seq)).toEqual([1002]);
    expect(buffer.query({ search: 'a.b.c' }).matched).toBe(1);
    expect(buffer.query({ search: 'request 1.', limit: 0 }).matched).toBe(0);
    expect(buffer.query({ search: 'request 1.', regex: true, limit: 0 }).matched).toBe(expected((e) => /request 1./i.test(e.message)).length);
    expect(buffer.query({ search: '/refused/', regex: true }).matched).toBe(0);
    expect(buffer.query({ search: '/REFUSED/', regex: true }).matched).toBe(1);
    expect(buffer.query({ patternId: 'p-type' }).entries.map((e) => e.seq)).toEqual([1001]);
  });

  it('pages with cursors in both orders until exhausted, without duplicates', () => {
    const want = expected((e) => e.level === 'info');
    const asc = drain({ levels: ['info'], limit: 37 });
    expect(asc).toEqual(want);
    const desc = drain({ levels: ['info'], limit: 37, order: 'desc' });
    expect(desc).toEqual([...want].reverse());
    expect(drain({ limit: 100 })).toHaveLength(all.length);
  });

  it('keeps a cursor valid while new entries arrive', () => {
    const first = buffer.query({ processes: ['cron'], limit: 10, order: 'desc' });
    const page = buffer.query({ processes: ['cron'], limit: 10, order: 'desc', cursor: first.nextCursor });
    expect(Math.max(...page.entries.map((e) => e.seq))).toBeLessThan(Math.min(...first.entries.map((e) => e.seq)));
  });

  it('gives counts and histograms without entries', () => {
    const histogram = buffer.histogram({ processes: ['api', 'worker'] });
    expect(histogram.matched).toBe(expected((e) => e.process !== 'cron').length);
    expect(histogram.byProcess).toEqual({
      api: expected((e) => e.process === 'api').length,
      worker: expected((e) => e.process === 'worker').length,
    });
    expect(histogram.byLevel).toEqual({
      error: expected((e) => e.process !== 'cron' && e.level === 'error').length,
      warn: expected((e) => e.process !== 'cron' && e.level === 'warn').length,
      info: expected((e) => e.process !== 'cron' && e.level === 'info').length,
      debug: expected((e) => e.process !== 'cron' && e.level === 'debug').length,
    });
  });

  it('reports a bad regex, cursor or limit as a typed error with a clear message', () => {
    const bad = (query: LogQuery) => {
      try {
        buffer.query(query);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidQueryError);
        return error as InvalidQueryError;
      }
      throw new Error('expected an error');
    };
    expect(bad({ search: '(unclosed', regex: true })).toMatchObject({ field: 'search', message: expect.stringContaining('invalid regular expression "(unclosed"') });
    expect(bad({ cursor: 'nonsense' })).toMatchObject({ field: 'cursor' });
    const { nextCursor } = buffer.query({ limit: 1 });
    expect(bad({ cursor: nextCursor, order: 'desc' }).message).toContain("cursor was made for order 'asc'");
    expect(bad({ limit: -1 })).toMatchObject({ field: 'limit' });
    expect(() => buffer.histogram({ search: '[', regex: true })).toThrow(InvalidQueryError);
  });

  it('refuses nested unbounded repetition and bounds the text a regex sees on a long line', () => {
    for (const pattern of ['^(a+)+$', '(\\w+\\s?)*x', '((ab)*c){2,}', '(?:x|(y+))+']) {
      expect(() => buffer.query({ search: pattern, regex: true }), pattern).toThrow(/repeats a group that itself repeats/);
    }
    for (const pattern of ['(\\d{1,3}\\.){3}\\d+', '(foo|bar)+', '[(a+)]+', '\\(a+\\)+']) {
      expect(() => buffer.query({ search: pattern, regex: true }), pattern).not.toThrow();
    }
    const line = `${'a'.repeat(50_000)}!`;
    buffer.append([makeEntry(2000, { message: line, raw: line })]);
    expect(buffer.query({ search: 'a!', regex: true, fromSeq: 1004 }).matched).toBe(0);
    expect(buffer.query({ search: 'a!', fromSeq: 1004 }).matched).toBe(1);
  });
});

describe('query edge cases', () => {
  it('treats an empty list as no filter', () => {
    expect(buffer.query({ processes: [], levels: [], limit: 0 }).matched).toBe(buffer.stats().entries);
  });
});
