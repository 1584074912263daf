import { describe, expect, it } from 'vitest';
import { endsWithOpener, isBlank, isCaretLine, isErrorHead, isFrameHeader, startsNewEntry } from '../../src/ingest/line-shapes.js';

describe('line shapes', () => {
  it('isFrameHeader: the first line of a Node code frame', () => {
    for (const line of ['/app/x.js:3', 'node:internal/process/promises:389', 'file:///app/esm.mjs:1', 'C:\\app\\x.js:12', '/home/my app/x.js:7']) {
      expect(isFrameHeader(line)).toBe(true);
    }
    for (const line of ['/app/x.js', 'listening on :3000', 'node is ready:1 ok', '', 'GET /a:1 200']) {
      expect(isFrameHeader(line)).toBe(false);
    }
  });

  it('isCaretLine and isBlank', () => {
    expect(['^', '  ^', '\t    ^^^ '].map(isCaretLine)).toEqual([true, true, true]);
    expect(['', '  ', '^ here', 'x^'].map(isCaretLine)).toEqual([false, false, false, false]);
    expect(['', ' \t ', ' x'].map(isBlank)).toEqual([true, true, false]);
  });

  it('isErrorHead: an error name and a colon at the start', () => {
    for (const line of ['Error: boom', 'TypeError: x is not a function', 'AssertionError [ERR_ASSERTION]: Expected', 'Uncaught Error: x', 'SomeException: y']) {
      expect(isErrorHead(line)).toBe(true);
    }
    for (const line of ['Error', 'error: lower-case winston', 'Errors: 3', '[AggregateError: All promises were rejected] {', 'ErrorHandler: ready']) {
      expect(isErrorHead(line)).toBe(false);
    }
  });

  it('startsNewEntry: a time, a tag, JSON or another error', () => {
    expect(['2026-12-04 19:16:21 x', '19:16:21 x', '[api] y', '{"level":30}', 'RangeError: z'].map(startsNewEntry)).toEqual([true, true, true, true, true]);
    expect(['1 !== 2', 'This file is being treated as an ES module', '+ actual - expected', ''].map(startsNewEntry)).toEqual([false, false, false, false]);
  });

  it('endsWithOpener', () => {
    expect(['at f (/a.js:1:1) {', 'x = [', 'call(', 'done'].map(endsWithOpener)).toEqual([true, true, true, false]);
  });
});
