import { describe, expect, it } from 'vitest';
import { parseEntry, type SourceContext } from '../../src/ingest/parse-entry.js';
import * as node from './node-output.js';

const captured = Date.UTC(2026, 11, 4, 19, 30, 0);
const out: SourceContext = { process: 'api', pmId: 3, pid: 4242, instance: 1, namespace: 'shop', stream: 'out' };
const err: SourceContext = { ...out, stream: 'err' };

describe('parseEntry', () => {
  it('turns a plain console.log line into an info entry at capture time', () => {
    expect(parseEntry('Server listening on http://localhost:3000', out, captured)).toStrictEqual({
      timestamp: captured,
      process: 'api',
      pmId: 3,
      pid: 4242,
      instance: 1,
      namespace: 'shop',
      stream: 'out',
      level: 'info',
      message: 'Server listening on http://localhost:3000',
      raw: 'Server listening on http://localhost:3000',
    });
  });

  it('leaves out the optional source fields it was not given', () => {
    const entry = parseEntry('x', { process: 'w', pmId: 0, stream: 'err' }, captured);
    expect(Object.keys(entry).sort()).toEqual(['level', 'message', 'pmId', 'process', 'raw', 'stream', 'timestamp']);
    expect(entry.level).toBe('warn');
  });

  it('uses the prefix time when given, else a time in the text', () => {
    expect(parseEntry('2026-12-04T19:16:21.123Z started', out, captured).timestamp).toBe(Date.UTC(2026, 11, 4, 19, 16, 21, 123));
    expect(parseEntry('2026-12-04T19:16:21.123Z started', out, captured, 42_000).timestamp).toBe(42_000);
  });

  it('strips ANSI colours from the message, keeps them in raw, and reads the level under them', () => {
    const raw = '\u001b[90m[19:16:21.123]\u001b[39m \u001b[31mERROR\u001b[39m (4242): payment declined';
    const entry = parseEntry(raw, out, captured);
    expect(entry.message).toBe('[19:16:21.123] ERROR (4242): payment declined');
    expect(entry.raw).toBe(raw);
    expect(entry.level).toBe('error');
  });

  it('makes NUL and other control bytes visible and survives binary garbage', () => {
    expect(parseEntry('id\u0000\u0001\u007f', out, captured).message).toBe('id␀␁␡');
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff)).toString('utf8');
    const entry = parseEntry(garbage, err, captured);
    expect(entry.raw).toBe(garbage);
    expect(entry.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('parses a pino error line: level, time, message with stack, fields', () => {
    const line = JSON.stringify({
      level: 50,
      time: 1796412981123,
      pid: 4242,
      hostname: 'web-1',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at handler (/app/routes.js:12:11)' },
      msg: 'unhandled route error',
    });
    expect(parseEntry(line, out, captured)).toMatchObject({
      timestamp: 1796412981123,
      level: 'error',
      message: 'unhandled route error\nError: boom\n    at handler (/app/routes.js:12:11)',
      raw: line,
      fields: { pid: 4242, hostname: 'web-1', err: { type: 'Error', message: 'boom' } },
    });
  });

  it('prefers the JSON time over the prefix, and the JSON level over the stream', () => {
    const entry = parseEntry('{"level":"info","message":"ready","timestamp":"2026-12-04T19:16:21.500Z"}', err, captured, 1_000);
    expect(entry.timestamp).toBe(Date.UTC(2026, 11, 4, 19, 16, 21, 500));
    expect(entry.level).toBe('info');
  });

  it('classifies a JSON line without a level from its text or stack', () => {
    expect(parseEntry('{"message":"ERROR disk full"}', out, captured).level).toBe('error');
    expect(parseEntry('{"message":"x","stack":"Error: x\\n    at y"}', out, captured).level).toBe('error');
    expect(parseEntry('{"message":"hello"}', err, captured).level).toBe('warn');
  });

  it('strips colours a JSON message carries', () => {
    expect(parseEntry('{"level":30,"msg":"\\u001b[32mok\\u001b[39m"}', out, captured).message).toBe('ok');
  });

  it('classifies Node error records as errors, even from stdout', () => {
    for (const record of [node.UNCAUGHT_WITH_CODE_FRAME, node.ERROR_WITH_CAUSE, node.AGGREGATE_ERROR, node.ECONNREFUSED_WITH_PROPERTIES, node.UNHANDLED_REJECTION]) {
      const entry = parseEntry(record.trim(), out, captured);
      expect(entry.level).toBe('error');
      expect(entry.message).toBe(record.trim());
    }
  });

  it('keeps a truncated JSON line as text, with its level', () => {
    const entry = parseEntry('{"level":40,"msg":"big payload: aaaa …[truncated 99 bytes]', out, captured);
    expect(entry.level).toBe('warn');
    expect(entry.fields).toBeUndefined();
  });

  it('does not throw on odd input', () => {
    for (const record of ['', '{', '{"', '{"a":', '}', '\ufffd\ufffd', '{"level":30}', '{"msg":null}', '[', '\u001b[', 'x'.repeat(100_000)]) {
      expect(() => parseEntry(record, out, captured)).not.toThrow();
    }
  });
});
