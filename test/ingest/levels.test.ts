import { describe, expect, it } from 'vitest';
import { defaultLevel, levelFromMarker, levelFromValue, levelOfText } from '../../src/ingest/levels.js';
import * as node from './node-output.js';

describe('levelFromValue', () => {
  it('maps pino/bunyan numbers', () => {
    expect([10, 20, 30, 40, 50, 60].map(levelFromValue)).toEqual(['debug', 'debug', 'info', 'warn', 'error', 'error']);
  });

  it('maps syslog severities 0..7', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(levelFromValue)).toEqual(['error', 'error', 'error', 'error', 'warn', 'info', 'info', 'debug']);
    expect(levelFromValue(8)).toBeUndefined();
  });

  it('maps winston npm/syslog and bunyan names, any case, coloured or numeric strings', () => {
    expect(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'].map(levelFromValue)).toEqual([
      'error', 'warn', 'info', 'info', 'debug', 'debug', 'debug',
    ]);
    expect(['emerg', 'alert', 'crit', 'warning', 'notice', 'FATAL', 'Trace'].map(levelFromValue)).toEqual([
      'error', 'error', 'error', 'warn', 'info', 'error', 'debug',
    ]);
    expect(levelFromValue('\u001b[31merror\u001b[39m')).toBe('error');
    expect(levelFromValue('50')).toBe('error');
    expect(levelFromValue('loud')).toBeUndefined();
    expect(levelFromValue({ level: 'error' })).toBeUndefined();
  });
});

describe('levelFromMarker', () => {
  it.each([
    ['ERROR Database connection lost', 'error'],
    ['2026-12-04 19:16:21 WARN  [pool] 9 of 10 connections busy', 'warn'],
    ['[error] upstream timed out', 'error'],
    ['[Warn] slow query', 'warn'],
    ['time=2026-12-04T19:16:21Z level=warn msg="disk 91% full"', 'warn'],
    ['level: debug cache miss', 'debug'],
    ['error: boom {"service":"api"}', 'error'],
    ['info: Server listening on 3000', 'info'],
    ['npm ERR! code ELIFECYCLE', 'error'],
    ['[19:16:21.123] FATAL (42): out of memory', 'error'],
    ['{"level":50,"msg":"cut json line …[truncated 9 bytes]', 'error'],
    ['TypeError: Cannot read properties of undefined (reading \'id\')', 'error'],
    ['Error: WARN threshold exceeded', 'error'],
    ['Trace: cache state\n    at f (/app/a.js:1:1)', 'debug'],
    ['PM2 error: Error: spawn node ENOENT', 'error'],
    ['PM2 log: App [api:0] online', undefined],
    ['Battery level: critical', 'error'],
  ] as const)('%s -> %s', (line, level) => {
    expect(levelFromMarker(line)).toBe(level);
  });

  it('finds nothing in prose', () => {
    expect(levelFromMarker('0 errors, 2 warnings; information retrieved')).toBeUndefined();
    expect(levelFromMarker('GET /api/INFO 200')).toBeUndefined();
    expect(levelFromMarker('ErrorHandler registered')).toBeUndefined();
    expect(levelFromMarker('Reached level: 50 of 60')).toBeUndefined();
    expect(levelFromMarker('level=high')).toBeUndefined();
  });
});

describe('levelOfText', () => {
  const firstLine = (text: string) => text.split('\n')[0];
  const level = (text: string, stream: 'out' | 'err' | 'pm2' = 'err') => levelOfText(text, firstLine(text), stream);

  it('calls Node error output errors', () => {
    expect(level(node.UNCAUGHT_WITH_CODE_FRAME.trimEnd())).toBe('error');
    expect(level(node.ERROR_WITH_CAUSE.trimEnd())).toBe('error');
    expect(level(node.AGGREGATE_ERROR.trimEnd())).toBe('error');
    expect(level(node.ECONNREFUSED_WITH_PROPERTIES.trimEnd(), 'out')).toBe('error');
    expect(level(node.UNHANDLED_REJECTION.trimEnd())).toBe('error');
    expect(level('[UnhandledPromiseRejection: This error originated either by throwing inside of an async function] {')).toBe('error');
    expect(level('/app/str.js:2\n  throw \'boom\';\n  ^\nboom')).toBe('error');
    expect(level('request failed: Error: socket hang up', 'out')).toBe('error');
  });

  it('calls Node process warnings warnings, even on stdout', () => {
    expect(level('(node:4242) MaxListenersExceededWarning: Possible EventEmitter memory leak detected', 'out')).toBe('warn');
    expect(level('(node:4242) [DEP0005] DeprecationWarning: Buffer() is deprecated', 'out')).toBe('warn');
  });

  it('falls back to the stream default: out info, err warn, pm2 info', () => {
    expect(level('listening on :3000', 'out')).toBe('info');
    expect(level('listening on :3000', 'err')).toBe('warn');
    expect(level('App [api:0] starting in -fork mode-', 'pm2')).toBe('info');
    expect(defaultLevel('err')).toBe('warn');
  });

  it('lets an explicit marker win over the stream', () => {
    expect(level('INFO compiled successfully', 'err')).toBe('info');
    expect(level('DEBUG cache warm', 'err')).toBe('debug');
  });
});
