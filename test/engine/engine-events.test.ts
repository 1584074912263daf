import { describe, expect, it } from 'vitest';
import type { LogEntry, ProcessEvent } from '../../src/core/types.js';
import { entryEvents, processEngineEvent } from '../../src/engine/engine-events.js';

const entry = (seq: number, level: LogEntry['level'], message: string, patternId?: string): LogEntry => ({
  seq,
  timestamp: 1_000 + seq,
  process: 'api',
  pmId: 0,
  stream: 'err',
  level,
  message,
  raw: message,
  patternId,
});

const event = (kind: ProcessEvent['kind'], extra: Partial<ProcessEvent> = {}): ProcessEvent => ({ at: 5, kind, pmId: 0, process: 'api', ...extra });

describe('engine events', () => {
  it('announces stored errors by seq and new patterns, each as its first line', () => {
    const error = entry(7, 'error', `Error: boom\n    at x (/a.js:1:1)`, 'p1');
    const warn = entry(8, 'warn', `slow ${'x'.repeat(400)}`, 'p2');
    const events = entryEvents([entry(6, 'info', 'fine'), error, warn], [warn]);
    expect(events.map((e) => [e.kind, e.seq, e.patternId])).toEqual([
      ['error', 7, 'p1'],
      ['new_pattern', 8, 'p2'],
    ]);
    expect(events[0].summary).toBe('Error: boom');
    expect(events[1].summary.startsWith('new warn pattern: slow xxx')).toBe(true);
    expect(events[1].summary.endsWith('…')).toBe(true);
  });

  it('calls an exception or an unasked exit with a code other than 0 a crash, and nothing else', () => {
    expect(processEngineEvent(event('exception', { errorName: 'TypeError', message: 'x is undefined' }))).toMatchObject({ kind: 'crash', summary: 'api: uncaught TypeError: x is undefined' });
    expect(processEngineEvent(event('exit', { exitCode: 1 }))).toMatchObject({ kind: 'crash', summary: 'api exited with code 1' });
    expect(processEngineEvent(event('exit', { exitCode: null, signal: 'SIGKILL' }))).toMatchObject({ kind: 'crash', summary: 'api exited with code ? (SIGKILL)' });
    expect(processEngineEvent(event('exit', { exitCode: 0 }))).toBeUndefined();
    expect(processEngineEvent(event('exit', { exitCode: 1, manually: true }))).toBeUndefined();
  });

  it('calls a restart or an online PM2 did by itself a restart, and leaves starts and stops out', () => {
    expect(processEngineEvent(event('restart'))?.kind).toBe('restart');
    expect(processEngineEvent(event('online'))?.kind).toBe('restart');
    expect(processEngineEvent(event('online', { manually: true }))).toBeUndefined();
    expect(processEngineEvent(event('start'))).toBeUndefined();
    expect(processEngineEvent(event('stop'))).toBeUndefined();
  });
});
