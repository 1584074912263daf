import { describe, expect, it } from 'vitest';
import { RecordGrouper, type GroupedRecord } from '../../src/ingest/record-grouper.js';
import * as node from './node-output.js';

function lines(text: string): string[] {
  const all = text.split('\n');
  if (text.endsWith('\n')) all.pop();
  return all;
}

function group(text: string, grouper = new RecordGrouper()): string[] {
  const out: GroupedRecord[] = [];
  for (const line of lines(text)) grouper.push({ text: line, raw: line, capturedAt: 0 }, out);
  grouper.flush(out);
  return out.map((record) => record.text);
}

const whole = (text: string) => text.trim();

describe('RecordGrouper', () => {
  it('keeps each plain line a record of its own', () => {
    expect(group('server listening on 3000\nGET / 200\nGET /health 200\n')).toEqual([
      'server listening on 3000',
      'GET / 200',
      'GET /health 200',
    ]);
  });

  it('keeps an uncaught exception with its code frame, stack and Node version as one record', () => {
    expect(group(`before\n${node.UNCAUGHT_WITH_CODE_FRAME}after\n`)).toEqual(['before', whole(node.UNCAUGHT_WITH_CODE_FRAME), 'after']);
  });

  it('keeps a code frame whose source line starts in column 0', () => {
    expect(group(node.ASYNC_THROW_WITH_CODE_FRAME)).toEqual([whole(node.ASYNC_THROW_WITH_CODE_FRAME)]);
  });

  it('keeps an unhandled rejection printed from node:internal with its property block', () => {
    expect(group(node.UNHANDLED_REJECTION)).toEqual([whole(node.UNHANDLED_REJECTION)]);
  });

  it('keeps a thrown string with its hint, dropping the blank line before it', () => {
    expect(group(node.UNCAUGHT_STRING)).toEqual([whole(node.UNCAUGHT_STRING)]);
  });

  it('keeps [cause] chains, AggregateError lists and ECONNREFUSED property blocks whole', () => {
    expect(group(node.ERROR_WITH_CAUSE)).toEqual([whole(node.ERROR_WITH_CAUSE)]);
    expect(group(node.AGGREGATE_ERROR)).toEqual([whole(node.AGGREGATE_ERROR)]);
    expect(group(node.ECONNREFUSED_WITH_PROPERTIES + node.ECONNREFUSED_WITH_PROPERTIES + 'retrying in 1s\n')).toEqual([
      whole(node.ECONNREFUSED_WITH_PROPERTIES),
      whole(node.ECONNREFUSED_WITH_PROPERTIES),
      'retrying in 1s',
    ]);
  });

  it('keeps a warning with its --trace-warnings hint', () => {
    const [first, second] = lines(node.PROCESS_WARNINGS);
    expect(group(node.PROCESS_WARNINGS)).toEqual([
      `${first}\n(Use \`node --trace-warnings ...\` to show where the warning was created)`,
      lines(node.PROCESS_WARNINGS)[2],
    ]);
    expect(second.startsWith('(Use')).toBe(true);
  });

  it('joins `Caused by:` lines and a message that carries an error', () => {
    const text = 'VError: request failed: socket hang up\n    at f (/app/a.js:1:1)\nCaused by: Error: socket hang up\n    at g (/app/b.js:2:2)\n';
    expect(group(text)).toEqual([whole(text)]);
    expect(group('Failed to sync: Error: timeout\n    at sync (/app/s.js:9:3)\nnext\n')).toEqual([
      'Failed to sync: Error: timeout\n    at sync (/app/s.js:9:3)',
      'next',
    ]);
  });

  it('joins a util.inspect object dump, but not a stray closing brace', () => {
    expect(group("{\n  user: 'alice',\n  roles: [ 'admin' ]\n}\n")).toEqual(["{\n  user: 'alice',\n  roles: [ 'admin' ]\n}"]);
    expect(group('done\n}\n')).toEqual(['done', '}']);
  });

  it('does not take a path:line line for a code frame without the caret line', () => {
    expect(group('/var/log/app.log:12\nrotated\ndone\n')).toEqual(['/var/log/app.log:12', 'rotated', 'done']);
    expect(group('/var/log/app.log:12\nrotated\n')).toEqual(['/var/log/app.log:12', 'rotated']);
    expect(group('/var/log/app.log:12\n\nnext\n')).toEqual(['/var/log/app.log:12', 'next']);
  });

  it('keeps an error message that spans lines with the stack that follows it', () => {
    expect(group(node.MULTILINE_MESSAGE + 'next\n')).toEqual([whole(node.MULTILINE_MESSAGE), 'next']);
    expect(group(node.ASSERTION_STACK)).toEqual([whole(node.ASSERTION_STACK)]);
    expect(group(node.ASSERTION_WITH_CODE_FRAME)).toEqual([whole(node.ASSERTION_WITH_CODE_FRAME)]);
    expect(group(node.ESM_REQUIRE_WITH_CODE_FRAME)).toEqual([whole(node.ESM_REQUIRE_WITH_CODE_FRAME)]);
  });

  it('lets an error line without a stack stand alone, giving back the lines held after it', () => {
    expect(group('Error: config missing\nusing defaults\nlistening on 3000\n')).toEqual([
      'Error: config missing',
      'using defaults',
      'listening on 3000',
    ]);
    expect(group('Error: a\n2026-12-04 19:16:21 INFO next\n    at x\n')).toEqual(['Error: a', '2026-12-04 19:16:21 INFO next\n    at x']);
    expect(group('Error: a\nTypeError: b\n    at f (/app/b.js:1:1)\n')).toEqual(['Error: a', 'TypeError: b\n    at f (/app/b.js:1:1)']);
    const many = ['Error: a', ...Array.from({ length: 20 }, (_, i) => `line ${i}`), '    at late (/app/x.js:1:1)'];
    const records = group(many.join('\n'));
    expect(records[0]).toBe('Error: a');
    expect(records.at(-1)).toBe('line 19\n    at late (/app/x.js:1:1)');
    expect(records).toHaveLength(21);
  });

  it('never continues a JSON log line', () => {
    expect(group('{"level":30,"msg":"a"}\n  indented\n')).toEqual(['{"level":30,"msg":"a"}', '  indented']);
  });

  it('drops blank lines between records', () => {
    expect(group('a\n\n   \nb\n\n')).toEqual(['a', 'b']);
    expect(group('Error: x\n    at y\n\nmore\n')).toEqual(['Error: x\n    at y', 'more']);
    expect(group('Error: x\n    at y\n' + '\n'.repeat(50) + 'Node.js v20.20.2\n')).toEqual(['Error: x\n    at y', 'Node.js v20.20.2']);
  });

  it('splits a record that outgrows its bounds, keeping every line', () => {
    const stack = ['Error: deep', ...Array.from({ length: 11 }, (_, i) => `    at f${i} (/app/x.js:${i}:1)`)].join('\n');
    const records = group(stack, new RecordGrouper({ maxRecordLines: 5 }));
    expect(records.map((record) => record.split('\n').length)).toEqual([5, 5, 2]);
    expect(records.join('\n')).toBe(stack);
    const wide = group('head\n' + '  x'.repeat(10) + '\n', new RecordGrouper({ maxRecordChars: 20 }));
    expect(wide).toEqual(['head', '  x'.repeat(10)]);
  });

  it('holds the last record until more lines, a flush or the caller decides it is idle', () => {
    const grouper = new RecordGrouper();
    const out: GroupedRecord[] = [];
    grouper.push({ text: 'Error: x', raw: '2026-12-04T19:16:21: Error: x', prefixTime: 5, capturedAt: 10 }, out);
    grouper.push({ text: '    at y', raw: '2026-12-04T19:16:21:     at y', prefixTime: 6, capturedAt: 11 }, out);
    expect(out).toEqual([]);
    expect(grouper.pending).toBe(true);
    expect(grouper.lastAt).toBe(11);
    grouper.flush(out);
    expect(out).toEqual([
      {
        text: 'Error: x\n    at y',
        raw: '2026-12-04T19:16:21: Error: x\n2026-12-04T19:16:21:     at y',
        prefixTime: 5,
        capturedAt: 10,
        lines: 2,
      },
    ]);
    expect(grouper.pending).toBe(false);
  });

  it('never emits a blank record when a full code frame meets a blank line', () => {
    const records = group('/app/x.js:3\n  throw e;\n  ^\n\n\nError: e\n', new RecordGrouper({ maxRecordChars: 24 }));
    expect(records).toEqual(['/app/x.js:3\n  throw e;\n  ^', 'Error: e']);
  });

  it('rejects bad bounds', () => {
    expect(() => new RecordGrouper({ maxRecordLines: 0 })).toThrow('maxRecordLines must be an integer >= 1, got 0');
  });
});
