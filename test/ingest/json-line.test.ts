import { describe, expect, it } from 'vitest';
import { parseJsonLine } from '../../src/ingest/json-line.js';

const captured = Date.UTC(2026, 11, 4, 19, 30, 0);

describe('parseJsonLine', () => {
  it('unpacks a pino line', () => {
    const line = '{"level":30,"time":1796412981123,"pid":4242,"hostname":"web-1","reqId":"req-7","msg":"request completed","responseTime":12}';
    expect(parseJsonLine(line, captured)).toEqual({
      message: 'request completed',
      hasMessage: true,
      hasStack: false,
      level: 'info',
      time: 1796412981123,
      fields: { pid: 4242, hostname: 'web-1', reqId: 'req-7', responseTime: 12 },
    });
  });

  it('appends a pino err.stack to the message and keeps the rest of err', () => {
    const line = JSON.stringify({
      level: 50,
      time: 1796412981123,
      pid: 4242,
      hostname: 'web-1',
      err: {
        type: 'Error',
        message: 'connect ECONNREFUSED 127.0.0.1:5432',
        stack: 'Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)',
        errno: -111,
        code: 'ECONNREFUSED',
      },
      msg: 'database unreachable',
    });
    const parsed = parseJsonLine(line, captured);
    expect(parsed?.level).toBe('error');
    expect(parsed?.hasStack).toBe(true);
    expect(parsed?.message).toBe(
      'database unreachable\nError: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)',
    );
    expect(parsed?.fields).toEqual({
      pid: 4242,
      hostname: 'web-1',
      err: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', errno: -111, code: 'ECONNREFUSED' },
    });
  });

  it('unpacks winston format.json with format.errors({ stack: true }) and a timestamp', () => {
    const line = '{"level":"error","message":"boom","stack":"Error: boom\\n    at main (/app/index.js:5:9)","service":"billing","timestamp":"2026-12-04T19:16:21.123Z"}';
    expect(parseJsonLine(line, captured)).toEqual({
      message: 'boom\nError: boom\n    at main (/app/index.js:5:9)',
      hasMessage: true,
      hasStack: true,
      level: 'error',
      time: Date.UTC(2026, 11, 4, 19, 16, 21, 123),
      fields: { service: 'billing' },
    });
  });

  it('reads a colourised winston level', () => {
    expect(parseJsonLine('{"level":"\\u001b[33mwarn\\u001b[39m","message":"slow"}', captured)?.level).toBe('warn');
  });

  it('unpacks a bunyan line (ISO time, numeric level, err object, v kept)', () => {
    const line = '{"name":"myapp","hostname":"web-1","pid":4242,"level":40,"msg":"retrying","time":"2026-12-04T19:16:21.123Z","v":0}';
    expect(parseJsonLine(line, captured)).toEqual({
      message: 'retrying',
      hasMessage: true,
      hasStack: false,
      level: 'warn',
      time: Date.UTC(2026, 11, 4, 19, 16, 21, 123),
      fields: { name: 'myapp', hostname: 'web-1', pid: 4242, v: 0 },
    });
  });

  it('uses the stack alone when there is no message, and the line itself when there is neither', () => {
    expect(parseJsonLine('{"level":50,"err":{"stack":"Error: x\\n    at y"}}', captured)?.message).toBe('Error: x\n    at y');
    const bare = '{"event":"cache_flush","keys":12}';
    expect(parseJsonLine(bare, captured)).toEqual({ message: bare, hasMessage: false, hasStack: false, fields: { event: 'cache_flush', keys: 12 } });
  });

  it('keeps fields it cannot read as level or time', () => {
    expect(parseJsonLine('{"msg":"x","level":"loud","time":"soon"}', captured)).toEqual({
      message: 'x',
      hasMessage: true,
      hasStack: false,
      fields: { level: 'loud', time: 'soon' },
    });
  });

  it('refuses what is not one JSON object', () => {
    expect(parseJsonLine("{ level: 30, msg: 'util.inspect output' }", captured)).toBeUndefined();
    expect(parseJsonLine('{"level":30,"msg":"cut …[truncated 120 bytes]', captured)).toBeUndefined();
    expect(parseJsonLine('["a"]', captured)).toBeUndefined();
    expect(parseJsonLine('{"a":1} trailing', captured)).toBeUndefined();
    expect(parseJsonLine('{"a": 1, }', captured)).toBeUndefined();
    expect(parseJsonLine('plain', captured)).toBeUndefined();
  });
});
