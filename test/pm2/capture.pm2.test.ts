import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture, listProcessesOnce } from '../../src/pm2/capture.js';
import { createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from '../helpers/pm2-home.js';
import { collect, type Collected } from './capture-helpers.js';

const app = (name: string) => join(FIXTURE_APPS, name);

describe('Capture of every kind of output', () => {
  let pm2: Pm2Home;
  let capture: Capture | undefined;
  let got: Collected;

  beforeAll(async () => {
    pm2 = await createPm2Home();
    await pm2.pm2('ping');
    got = collect();
    capture = new Capture(got.options(pm2.home, { sampleIntervalMs: 500, filter: { namespaces: ['default'] } }));
    await capture.start();
    await pm2.pm2('start', app('mixed.cjs'), '--name', 'mixed');
    await pm2.pm2('start', app('hello.cjs'), '--name', 'quiet', '--output', '/dev/null', '--error', '/dev/null');
    await pm2.pm2('start', app('cluster.cjs'), '--name', 'clu', '-i', '2');
    await pm2.pm2('start', app('crasher.cjs'), '--name', 'crasher');
    await pm2.pm2('start', app('hello.cjs'), '--name', 'elsewhere', '--namespace', 'other');
    await pm2.pm2('start', app('hello.cjs'), '--name', 'wrapped', '--log-type', 'json');
    await pm2.pm2('start', app('hello.cjs'), '--name', 'timed', '--time');
    await waitFor(() => got.messages('mixed').includes('mixed-done') && got.messages('mixed').includes('plain err line'), 15_000, 'mixed output');
    await waitFor(() => got.messages('crasher', 'out').filter((m) => m.startsWith('crasher run')).length >= 2, 15_000, 'two crasher runs');
    await waitFor(() => got.messages('clu').length >= 4 && got.messages('quiet').length >= 2, 15_000, 'cluster and /dev/null output');
    await waitFor(() => got.messages('wrapped').length >= 2 && got.messages('timed').length >= 2, 15_000, 'wrapped and timed output');
    await pm2.pm2('stop', 'crasher');
    await waitFor(() => got.samples.some((s) => s.process === 'clu' && s.memory > 0), 10_000, 'a sample');
  });
  afterAll(async () => {
    await capture?.stop();
    await pm2?.dispose();
  });

  it('rebuilds lines, cuts the long one, groups the stack trace, unwraps JSON and strips colours', () => {
    expect(got.messages('mixed', 'out')).toEqual([
      'partial-a partial-b',
      `${'L'.repeat(65_536)} …[truncated 4464 bytes]`,
      'after-long',
      'pino info line',
      'pino error line',
      'coloured line',
      'mixed-done',
    ]);
    expect(got.messages('mixed', 'err')).toEqual(['Error: kaboom\n    at handler (/srv/app.js:10:5)\n    at main (/srv/app.js:20:3)', 'plain err line']);
    const byMessage = new Map(got.entries.filter((e) => e.process === 'mixed').map((e) => [e.message, e]));
    expect(byMessage.get('pino error line')).toMatchObject({ level: 'error', timestamp: 1796414400001, stream: 'out', pmId: 0 });
    expect(byMessage.get('coloured line')?.raw).toBe('\x1b[31mcoloured\x1b[0m line');
    expect(byMessage.get('Error: kaboom\n    at handler (/srv/app.js:10:5)\n    at main (/srv/app.js:20:3)')?.level).toBe('error');
    const pid = capture!.processes().find((p) => p.name === 'mixed')?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(new Set(got.entries.filter((e) => e.process === 'mixed').map((e) => e.pid))).toEqual(new Set([pid]));
  });

  it('takes the lines of a /dev/null app from the bus, once', () => {
    expect(got.messages('quiet', 'out')).toEqual(['hello from out 1']);
    expect(got.messages('quiet', 'err')).toEqual(['hello from err 1']);
  });

  it('unwraps --log-type json and strips the --time prefix, taking its time', () => {
    expect(got.messages('wrapped', 'out')).toEqual(['hello from out 1']);
    expect(got.messages('wrapped', 'err')).toEqual(['hello from err 1']);
    const timed = got.entries.filter((e) => e.process === 'timed');
    expect(timed.map((e) => e.message).sort()).toEqual(['hello from err 1', 'hello from out 1']);
    expect(timed.every((e) => e.timestamp % 1000 === 0 && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: hello/.test(e.raw))).toBe(true);
  });

  it('tells cluster instances apart', () => {
    const clu = got.entries.filter((e) => e.process === 'clu' && e.stream === 'out');
    expect(clu.map((e) => [e.instance, e.message]).sort()).toEqual([
      [0, 'cluster hello from instance 0'],
      [1, 'cluster hello from instance 1'],
    ]);
    expect(new Set(clu.map((e) => e.pmId)).size).toBe(2);
  });

  it('reports the crash, the exception and the restart, and closes the half line at exit', () => {
    const crasher = got.events.filter((e) => e.process === 'crasher');
    expect(crasher.some((e) => e.kind === 'exit' && e.exitCode === 1)).toBe(true);
    expect(crasher.find((e) => e.kind === 'exception')).toMatchObject({ message: 'crash boom', errorName: 'Error' });
    expect(crasher.filter((e) => e.kind === 'online').length).toBeGreaterThanOrEqual(2);
    const out = got.messages('crasher', 'out');
    expect(out.filter((m) => m === 'crasher last words').length).toBeGreaterThanOrEqual(1);
    expect(out.every((m) => m === 'crasher last words' || /^crasher run pid=\d+$/.test(m))).toBe(true);
    expect(got.messages('crasher', 'err').some((m) => m.includes('Error: crash boom') && m.includes('    at '))).toBe(true);
  });

  it('keeps out what the filter leaves out, and samples what it lets in', () => {
    expect(got.entries.some((e) => e.process === 'elsewhere')).toBe(false);
    expect(got.events.some((e) => e.process === 'elsewhere')).toBe(false);
    expect(capture!.processes().map((p) => p.name)).not.toContain('elsewhere');
    const sample = got.samples.find((s) => s.process === 'clu' && s.memory > 0)!;
    expect(sample).toMatchObject({ status: 'online', restarts: 0 });
    expect(sample.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(got.entries.some((e) => e.process === 'PM2' && e.pmId === -1 && e.stream === 'pm2' && e.message.includes('App [mixed:0] online'))).toBe(true);
    expect(got.errors).toEqual([]);
  });

  it('lists processes once without a running capture, and says when no daemon runs', async () => {
    expect((await listProcessesOnce(pm2.home))?.map((p) => p.name)).toContain('elsewhere');
    expect(await listProcessesOnce(join(pm2.home, 'nowhere'))).toBeUndefined();
  });
});
