import { describe, expect, it } from 'vitest';
import { unwrapPm2Json } from '../../src/ingest/pm2-json-wrapper.js';
import { compileDateFormat, parseFormattedTime, stripPm2Prefix } from '../../src/ingest/pm2-prefix.js';

const captured = Date.UTC(2026, 11, 4, 19, 30, 0);
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0) => new Date(y, mo, d, h, mi, s, ms).getTime();

describe('stripPm2Prefix', () => {
  it('strips the --time prefix (local time, no ms, no zone)', () => {
    expect(stripPm2Prefix('2026-12-04T19:16:21: Server listening on 3000', 'YYYY-MM-DDTHH:mm:ss', captured)).toEqual({
      text: 'Server listening on 3000',
      time: local(2026, 11, 4, 19, 16, 21),
    });
  });

  it('recognises the --time default without being told the format', () => {
    expect(stripPm2Prefix('2026-12-04T19:16:21:     at f (/app/x.js:1:1)', undefined, captured)).toEqual({
      text: '    at f (/app/x.js:1:1)',
      time: local(2026, 11, 4, 19, 16, 21),
    });
    expect(stripPm2Prefix('2026-12-04T19:16:21.123Z app started', undefined, captured)).toBeUndefined();
    expect(stripPm2Prefix('plain line', undefined, captured)).toBeUndefined();
  });

  it('strips custom log_date_format prefixes, with zones, ms, 12-hour clocks and month names', () => {
    expect(stripPm2Prefix('2026-12-04 19:16:21 +01:00: ok', 'YYYY-MM-DD HH:mm:ss Z', captured)).toEqual({
      text: 'ok',
      time: Date.UTC(2026, 11, 4, 18, 16, 21),
    });
    expect(stripPm2Prefix('2026-12-04 19:16:21.042 -0500: ok', 'YYYY-MM-DD HH:mm:ss.SSS ZZ', captured)?.time).toBe(
      Date.UTC(2026, 11, 5, 0, 16, 21, 42),
    );
    expect(stripPm2Prefix('04/12/26 07:16:21 PM: ok', 'DD/MM/YY hh:mm:ss A', captured)?.time).toBe(local(2026, 11, 4, 19, 16, 21));
    expect(stripPm2Prefix('Fri Dec 4 2026 19:16: ok', 'ddd MMM D YYYY HH:mm', captured)?.time).toBe(local(2026, 11, 4, 19, 16, 0));
    expect(stripPm2Prefix('at 19:16:21: ok', '[at] HH:mm:ss', local(2026, 11, 4, 20, 0, 0))?.time).toBe(local(2026, 11, 4, 19, 16, 21));
  });

  it('leaves lines without the prefix alone (cluster mode prefixes only the first line of a write)', () => {
    expect(stripPm2Prefix('    at f (/app/x.js:1:1)', 'YYYY-MM-DDTHH:mm:ss', captured)).toBeUndefined();
    expect(stripPm2Prefix('2026-12-04T19:16:21 no colon', 'YYYY-MM-DDTHH:mm:ss', captured)).toBeUndefined();
  });

  it('ignores a format with no date or time token', () => {
    expect(compileDateFormat('[literal]')).toBeUndefined();
    expect(stripPm2Prefix('literal: x', '[literal]', captured)).toBeUndefined();
  });

  it('reads a formatted wrapper timestamp', () => {
    expect(parseFormattedTime('2026-12-04 19:16:21', 'YYYY-MM-DD HH:mm:ss', captured)).toBe(local(2026, 11, 4, 19, 16, 21));
    expect(parseFormattedTime('garbage', 'YYYY-MM-DD HH:mm:ss', captured)).toBeUndefined();
  });
});

describe('unwrapPm2Json', () => {
  it('unwraps --log-type json output with an ISO timestamp', () => {
    const line = JSON.stringify({
      message: 'Server listening\npartial li',
      timestamp: '2026-12-04T19:16:21.123Z',
      type: 'out',
      process_id: 0,
      app_name: 'api',
    });
    expect(unwrapPm2Json(line, undefined, captured)).toEqual({
      message: 'Server listening\npartial li',
      time: Date.UTC(2026, 11, 4, 19, 16, 21, 123),
    });
  });

  it('reads the timestamp with log_date_format when set', () => {
    const line = '{"message":"hi\\n","timestamp":"2026-12-04 19:16:21","type":"err","process_id":3,"app_name":"w"}';
    expect(unwrapPm2Json(line, 'YYYY-MM-DD HH:mm:ss', captured)).toEqual({ message: 'hi\n', time: local(2026, 11, 4, 19, 16, 21) });
  });

  it('refuses what is not a wrapper', () => {
    expect(unwrapPm2Json('{"level":30,"msg":"pino"}', undefined, captured)).toBeUndefined();
    expect(unwrapPm2Json('{"message":"cut short', undefined, captured)).toBeUndefined();
    expect(unwrapPm2Json('{"message":42}', undefined, captured)).toBeUndefined();
    expect(unwrapPm2Json('{"message":"x","timestamp":"bad"}', undefined, captured)).toEqual({ message: 'x' });
  });
});
