import { describe, expect, it } from 'vitest';
import { epochToMs, parseIsoTime, textTimestamp, timeFromValue } from '../../src/ingest/timestamps.js';

const captured = Date.UTC(2026, 11, 4, 19, 30, 0);
const local = (...parts: [number, number, number, number, number, number, number?]) =>
  new Date(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6] ?? 0).getTime();

describe('textTimestamp', () => {
  it.each([
    ['2026-12-04T19:16:21.123Z INFO started', Date.UTC(2026, 11, 4, 19, 16, 21, 123)],
    ['2026-12-04T19:16:21+01:00 started', Date.UTC(2026, 11, 4, 18, 16, 21)],
    ['2026-12-04 19:16:21,456 +0530 [main] INFO', Date.UTC(2026, 11, 4, 13, 46, 21, 456)],
    ['[2026-12-04T19:16:21.5Z] error: x', Date.UTC(2026, 11, 4, 19, 16, 21, 500)],
    ['"2026-12-04T19:16:21.000123Z" x', Date.UTC(2026, 11, 4, 19, 16, 21)],
    [
      '::1 - - [04/Dec/2026:19:16:21 +0000] "GET /health HTTP/1.1" 200 2 "-" "curl/8.5.0"',
      Date.UTC(2026, 11, 4, 19, 16, 21),
    ],
  ])('reads %s', (line, expected) => {
    expect(textTimestamp(line, captured)).toBe(expected);
  });

  it('reads zone-less times as local time', () => {
    expect(textTimestamp('2026-12-04 19:16:21 GET /', captured)).toBe(local(2026, 11, 4, 19, 16, 21));
    expect(textTimestamp('2026/12/04 19:16:21 listening', captured)).toBe(local(2026, 11, 4, 19, 16, 21));
    expect(textTimestamp('Dec  4 19:16:21 web-1 app[42]: ok', captured)).toBe(local(2026, 11, 4, 19, 16, 21));
  });

  it('dates a pino-pretty time of day with the capture day', () => {
    const capturedLocal = local(2026, 11, 4, 19, 30, 0);
    expect(textTimestamp('[19:16:21.123] INFO (42): listening', capturedLocal)).toBe(local(2026, 11, 4, 19, 16, 21, 123));
    // Written before midnight, captured after it.
    expect(textTimestamp('[23:59:59.000] INFO (42): late', local(2026, 11, 5, 0, 0, 1))).toBe(local(2026, 11, 4, 23, 59, 59));
  });

  it('ignores dates in the middle of a message, impossible dates and the far future', () => {
    expect(textTimestamp('orders since 2020-01-01T00:00:00Z: 12', captured)).toBeUndefined();
    expect(textTimestamp('2026-13-45T99:00:00Z nope', captured)).toBeUndefined();
    expect(textTimestamp('2031-01-01T00:00:00Z scheduled', captured)).toBeUndefined();
    expect(textTimestamp('1999-12-31T23:59:59Z legacy', captured)).toBeUndefined();
    expect(textTimestamp('12345 items', captured)).toBeUndefined();
    expect(textTimestamp('', captured)).toBeUndefined();
  });
});

describe('timeFromValue (JSON fields)', () => {
  it('reads pino ms, epoch seconds with a fraction, µs, ns, ISO and numeric strings', () => {
    expect(timeFromValue(1796412981123, captured)).toBe(1796412981123);
    expect(timeFromValue(1796412981.5, captured)).toBe(1796412981500);
    expect(timeFromValue(1796412981123456, captured)).toBe(1796412981123);
    expect(timeFromValue(1796412981123456789, captured)).toBe(1796412981123);
    expect(timeFromValue('2026-12-04T19:16:21.123Z', captured)).toBe(Date.UTC(2026, 11, 4, 19, 16, 21, 123));
    expect(timeFromValue('1796412981123', captured)).toBe(1796412981123);
    expect(timeFromValue('Fri, 04 Dec 2026 19:16:21 GMT', captured)).toBe(Date.UTC(2026, 11, 4, 19, 16, 21));
  });

  it('refuses values that are not times', () => {
    expect(timeFromValue(42, captured)).toBeUndefined();
    expect(timeFromValue('soon', captured)).toBeUndefined();
    expect(timeFromValue(null, captured)).toBeUndefined();
    expect(timeFromValue(Number.NaN, captured)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('parseIsoTime and epochToMs', () => {
    expect(parseIsoTime('2026-12-04T19:16:21Z')).toBe(Date.UTC(2026, 11, 4, 19, 16, 21));
    expect(parseIsoTime('yesterday')).toBeUndefined();
    expect(epochToMs(1_700_000_000)).toBe(1_700_000_000_000);
  });
});
