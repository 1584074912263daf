import { describe, expect, it } from 'vitest';
import type { NewEntry } from '../../src/core/types.js';
import { IngestPipeline, type IngestPipelineOptions } from '../../src/ingest/ingest-pipeline.js';
import type { SourceContext } from '../../src/ingest/parse-entry.js';
import * as node from './node-output.js';

const t0 = Date.UTC(2026, 11, 4, 19, 30, 0);
const local = (h: number, mi: number, s: number) => new Date(2026, 11, 4, h, mi, s).getTime();
const api: SourceContext = { process: 'api', pmId: 0, pid: 100, stream: 'out' };
const apiErr: SourceContext = { ...api, stream: 'err' };

function setup(options: Partial<IngestPipelineOptions> = {}) {
  const batches: NewEntry[][] = [];
  const pipeline = new IngestPipeline({ onEntries: (entries) => batches.push(entries), ...options });
  const entries = () => batches.flat();
  return { pipeline, batches, entries };
}

describe('IngestPipeline', () => {
  it('emits a line once the next one shows it is complete, synchronously', () => {
    const { pipeline, batches, entries } = setup();
    pipeline.write('0:out', api, 'one\ntwo\nthr', t0);
    expect(batches).toEqual([[expect.objectContaining({ message: 'one', level: 'info', pid: 100, timestamp: t0 })]]);
    pipeline.write('0:out', api, 'ee\n', t0 + 5);
    expect(entries().map((entry) => entry.message)).toEqual(['one', 'two']);
  });

  it('flushes the last record after idleFlushMs of the caller-driven clock', () => {
    const { pipeline, entries } = setup({ idleFlushMs: 100 });
    pipeline.write('0:err', apiErr, 'Error: timeout\n', t0);
    pipeline.tick(t0 + 50);
    // A stack that arrives in a second read within the idle window stays with its header.
    pipeline.write('0:err', apiErr, '    at poll (/app/p.js:1:1)\n', t0 + 60);
    pipeline.tick(t0 + 150);
    expect(entries()).toEqual([]);
    pipeline.tick(t0 + 160);
    expect(entries()).toEqual([
      expect.objectContaining({ message: 'Error: timeout\n    at poll (/app/p.js:1:1)', level: 'error', stream: 'err', timestamp: t0 }),
    ]);
  });

  it('keeps sources apart and delivers each in its own order', () => {
    const { pipeline, entries } = setup();
    const worker: SourceContext = { process: 'worker', pmId: 1, stream: 'out' };
    pipeline.write('0:err', apiErr, node.ECONNREFUSED_WITH_PROPERTIES.slice(0, 60), t0);
    pipeline.write('1:out', worker, 'job 1 done\njob 2 done\n', t0);
    pipeline.write('0:err', apiErr, node.ECONNREFUSED_WITH_PROPERTIES.slice(60), t0 + 1);
    pipeline.endSource('0:err', t0 + 2);
    pipeline.endSource('1:out', t0 + 2);
    expect(entries().map((entry) => [entry.process, entry.message])).toEqual([
      ['worker', 'job 1 done'],
      ['api', node.ECONNREFUSED_WITH_PROPERTIES.trim()],
      ['worker', 'job 2 done'],
    ]);
  });

  it('flushes a partial last line and the held record at endSource, then starts fresh for a reused key', () => {
    const { pipeline, entries } = setup();
    pipeline.write('0:err', apiErr, Buffer.from(node.UNCAUGHT_WITH_CODE_FRAME.trimEnd()), t0);
    pipeline.endSource('0:err', t0 + 1);
    expect(entries()).toEqual([expect.objectContaining({ message: node.UNCAUGHT_WITH_CODE_FRAME.trimEnd(), level: 'error' })]);
    pipeline.write('0:err', { ...apiErr, pid: 101 }, 'back up\n', t0 + 2);
    pipeline.endSource('0:err', t0 + 3);
    expect(entries()[1]).toMatchObject({ message: 'back up', pid: 101 });
    pipeline.endSource('never-seen', t0);
  });

  it('gives up waiting for an unfinished line after a second of silence', () => {
    const { pipeline, entries } = setup();
    pipeline.write('0:out', api, 'Password: ', t0);
    pipeline.tick(t0 + 999);
    expect(entries()).toEqual([]);
    pipeline.tick(t0 + 1000);
    pipeline.tick(t0 + 1100);
    expect(entries().map((entry) => entry.message)).toEqual(['Password: ']);
  });

  it('strips --time prefixes before grouping (fork mode prefixes every line) and keeps them in raw', () => {
    const { pipeline, entries } = setup();
    const source = { ...apiErr, logDateFormat: 'YYYY-MM-DDTHH:mm:ss' };
    const text = '2026-12-04T19:16:21: Error: boom\n2026-12-04T19:16:21:     at a (/app/a.js:1:1)\n2026-12-04T19:16:22: next\n';
    pipeline.write('0:err', source, text, t0);
    pipeline.endSource('0:err', t0);
    expect(entries()).toEqual([
      expect.objectContaining({
        message: 'Error: boom\n    at a (/app/a.js:1:1)',
        raw: '2026-12-04T19:16:21: Error: boom\n2026-12-04T19:16:21:     at a (/app/a.js:1:1)',
        timestamp: local(19, 16, 21),
        level: 'error',
      }),
      expect.objectContaining({ message: 'next', timestamp: local(19, 16, 22), level: 'warn' }),
    ]);
  });

  it('handles a custom log_date_format prefix that only starts each write (cluster mode)', () => {
    const { pipeline, entries } = setup();
    const source = { ...apiErr, logDateFormat: 'YYYY-MM-DD HH:mm:ss Z' };
    pipeline.write('0:err', source, `2026-12-04 19:16:21 +00:00: ${node.ECONNREFUSED_WITH_PROPERTIES}`, t0);
    pipeline.endSource('0:err', t0);
    expect(entries()).toEqual([
      expect.objectContaining({ message: node.ECONNREFUSED_WITH_PROPERTIES.trim(), timestamp: Date.UTC(2026, 11, 4, 19, 16, 21) }),
    ]);
  });

  it("reads the daemon's own lines: --time prefix recognised unasked, PM2 errors as errors", () => {
    const { pipeline, entries } = setup();
    const daemon: SourceContext = { process: 'PM2', pmId: -1, stream: 'pm2' };
    pipeline.write('pm2', daemon, '2026-12-04T19:16:21: PM2 log: App [api:0] online\n2026-12-04T19:16:22: PM2 error: Error: spawn node ENOENT\n', t0);
    pipeline.endSource('pm2', t0);
    expect(entries().map((entry) => [entry.message, entry.level, entry.timestamp])).toEqual([
      ['PM2 log: App [api:0] online', 'info', local(19, 16, 21)],
      ['PM2 error: Error: spawn node ENOENT', 'error', local(19, 16, 22)],
    ]);
  });

  it('gives an error line without a stack back after the idle flush', () => {
    const { pipeline, entries } = setup();
    pipeline.write('0:err', apiErr, 'Error: config missing\nusing defaults\n', t0);
    expect(entries()).toEqual([]);
    pipeline.tick(t0 + 100);
    expect(entries().map((entry) => [entry.message, entry.level])).toEqual([
      ['Error: config missing', 'error'],
      ['using defaults', 'warn'],
    ]);
  });

  it('unwraps --log-type json chunks, joining lines split between wrappers', () => {
    const { pipeline, entries } = setup();
    const source = { ...api, jsonWrapped: true };
    const wrap = (message: string, second: number) =>
      JSON.stringify({ message, timestamp: `2026-12-04T19:16:${second}.000Z`, type: 'out', process_id: 0, app_name: 'api' }) + '\n';
    const file = wrap('first line\nsecond ha', 21) + wrap('lf\n{"level":50,"msg":"pino inside"}\n', 22) + 'not a wrapper\n';
    pipeline.write('0:out', source, file.slice(0, 50), t0);
    pipeline.write('0:out', source, file.slice(50), t0);
    pipeline.endSource('0:out', t0);
    expect(entries().map((entry) => [entry.message, entry.timestamp, entry.level])).toEqual([
      ['first line', Date.UTC(2026, 11, 4, 19, 16, 21), 'info'],
      ['second half', Date.UTC(2026, 11, 4, 19, 16, 22), 'info'],
      ['pino inside', Date.UTC(2026, 11, 4, 19, 16, 22), 'error'],
      ['not a wrapper', t0, 'info'],
    ]);
    expect(entries()[2].raw).toBe('{"level":50,"msg":"pino inside"}');
  });

  it('redacts message, raw and string fields before delivery', () => {
    const redact = (text: string) => text.replace(/sk-[a-z0-9]+/g, '[REDACTED]');
    const { pipeline, entries } = setup({ redact });
    pipeline.write('0:out', api, '\u001b[1mkey sk-abc123\u001b[22m\n{"msg":"token sk-def","auth":{"key":"sk-ghi","n":1},"list":["sk-jkl"]}\n', t0);
    pipeline.endSource('0:out', t0);
    const [ansi, json] = entries();
    expect(ansi.message).toBe('key [REDACTED]');
    expect(ansi.raw).toBe('\u001b[1mkey [REDACTED]\u001b[22m');
    expect(json.message).toBe('token [REDACTED]');
    expect(json.raw).not.toContain('sk-');
    expect(json.fields).toEqual({ auth: { key: '[REDACTED]', n: 1 }, list: ['[REDACTED]'] });
  });

  it('never passes on text its redactor failed on', () => {
    const { pipeline, entries } = setup({ redact: () => { throw new Error('bad pattern'); } });
    pipeline.write('0:out', api, '{"msg":"secret","k":"v"}\n', t0);
    pipeline.endSource('0:out', t0);
    expect(entries()[0]).toMatchObject({ message: '[redaction failed]', raw: '[redaction failed]' });
    expect(entries()[0].fields).toBeUndefined();
  });

  it('cuts a 70,000-char line to the 64 KiB default, counts it, and still delivers the next line', () => {
    const { pipeline, entries } = setup();
    const bytes = Buffer.from('z'.repeat(70_000) + '\nafter\n');
    pipeline.write('0:out', api, bytes.subarray(0, 65_536), t0);
    pipeline.write('0:out', api, bytes.subarray(65_536), t0);
    pipeline.endSource('0:out', t0);
    expect(entries().map((entry) => entry.message.slice(-28))).toEqual(['zzzz …[truncated 4464 bytes]', 'after']);
    expect(pipeline.stats()).toEqual({ lines: 2, entries: 2, truncatedLines: 1, droppedBytes: 4464 });
  });

  it('decodes a UTF-8 character split across bus packets and CRLF endings', () => {
    const { pipeline, entries } = setup();
    const bytes = Buffer.from('prix: 12 €\r\nok\r\n');
    pipeline.write('0:out', api, bytes.subarray(0, 11), t0);
    pipeline.write('0:out', api, bytes.subarray(11, 14), t0);
    pipeline.write('0:out', api, bytes.subarray(14), t0);
    pipeline.endSource('0:out', t0);
    expect(entries().map((entry) => entry.message)).toEqual(['prix: 12 €', 'ok']);
  });

  it('survives random binary garbage on many sources without throwing', () => {
    const { pipeline, entries } = setup({ maxLineBytes: 256 });
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 300; i++) {
      const chunk = Buffer.alloc(random() % 700);
      for (let j = 0; j < chunk.length; j++) chunk[j] = random() & 0xff;
      const key = String(random() % 4);
      const source: SourceContext = { process: `p${key}`, pmId: Number(key), stream: i % 2 ? 'out' : 'err', jsonWrapped: key === '3', logDateFormat: key === '2' ? 'YYYY-MM-DD HH:mm:ss Z' : undefined };
      pipeline.write(key, source, chunk, t0 + i);
      if (i % 17 === 0) pipeline.tick(t0 + i + 5000);
    }
    for (const key of ['0', '1', '2', '3']) pipeline.endSource(key, t0 + 10_000);
    expect(entries().length).toBeGreaterThan(0);
    for (const entry of entries()) expect(entry.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(pipeline.stats().entries).toBe(entries().length);
  });

  it('rejects bad options with exact messages', () => {
    expect(() => new IngestPipeline({ onEntries: () => {}, maxLineBytes: 4 })).toThrow('maxLineBytes must be an integer >= 16, got 4');
    expect(() => new IngestPipeline({ onEntries: () => {}, idleFlushMs: -1 })).toThrow('idleFlushMs must be a number >= 0, got -1');
    expect(() => new IngestPipeline({} as IngestPipelineOptions)).toThrow('onEntries must be a function');
  });
});
