// Loss and duplicates across what happens to a running capture: its own stop and restart, `pm2 flush`,
// `pm2 reloadLogs`, a copy-truncate rotation, and the daemon going away and coming back.
import { copyFileSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Capture } from '../../src/pm2/capture.js';
import { createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from '../helpers/pm2-home.js';
import { collect, duplicates, numbers, startWithEnv } from './capture-helpers.js';

const COUNTER = join(FIXTURE_APPS, 'counter.cjs');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Capture durability', () => {
  let pm2: Pm2Home;
  const captures: Capture[] = [];
  const started = async (capture: Capture) => {
    captures.push(capture);
    await capture.start();
    return capture;
  };

  beforeAll(async () => {
    pm2 = await createPm2Home();
    await pm2.pm2('ping');
  });
  afterEach(async () => {
    await Promise.all(captures.splice(0).map((c) => c.stop()));
    await pm2.pm2('delete', 'all').catch(() => '');
  });
  afterAll(async () => {
    await pm2?.dispose();
  });

  it('on its first run follows the files of processes already running from their end', async () => {
    await startWithEnv(pm2, 'elder', COUNTER, { PREFIX: 'e', COUNT: '0', BATCH: '1', EVERY_MS: '50' });
    const outPath = join(pm2.home, 'logs', 'elder-out.log');
    await waitFor(() => numbers([readFileSync(outPath, 'utf8')], 'e').length >= 5, 10_000, 'five lines before the capture');
    const got = collect();
    await started(new Capture(got.options(pm2.home)));
    await waitFor(() => numbers(got.messages('elder'), 'e').length >= 5, 10_000, 'five captured lines');
    const captured = numbers(got.messages('elder'), 'e');
    expect(captured[0]).toBeGreaterThan(5);
    expect(captured).toEqual(range(captured[0], captured[0] + captured.length - 1));

    const catchUp = collect();
    const oneShot = await started(new Capture(catchUp.options(pm2.home, { firstRunFrom: 'start' })));
    await oneShot.stop();
    const all = numbers(catchUp.messages('elder'), 'e');
    expect(all.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(all).toEqual(range(1, all.length));
  });

  it('resumes from its checkpoints after a stop: lines written meanwhile are caught up, none twice', async () => {
    const first = collect();
    const capture = await started(new Capture(first.options(pm2.home)));
    await startWithEnv(pm2, 'steady', COUNTER, { PREFIX: 's', COUNT: '3000', BATCH: '10', EVERY_MS: '10' });
    await waitFor(() => numbers(first.messages('steady'), 's').length >= 500, 15_000, '500 lines');
    await capture.stop();
    const checkpoints = first.checkpoints;
    expect(Object.keys(checkpoints)).toContain(join(pm2.home, 'logs', 'steady-out.log'));
    await new Promise((r) => setTimeout(r, 500));

    const second = collect();
    await started(new Capture(second.options(pm2.home, { checkpoints })));
    await waitFor(() => numbers(second.messages('steady'), 's').includes(3000), 20_000, 'line 3000');
    const before = numbers(first.messages('steady'), 's');
    const after = numbers(second.messages('steady'), 's');
    expect(after[0]).toBeGreaterThan(before.length);
    expect(duplicates([...before, ...after])).toEqual([]);
    expect([...before, ...after]).toEqual(range(1, 3000));
    expect([...first.gaps, ...second.gaps]).toEqual([]);
  });

  it('loses nothing on pm2 flush, pm2 reloadLogs and a copy-truncate rotation but what it reports', async () => {
    const got = collect();
    await started(new Capture(got.options(pm2.home)));
    await startWithEnv(pm2, 'rot', COUNTER, { PREFIX: 'r', COUNT: '0', BATCH: '5', EVERY_MS: '20' });
    const outPath = join(pm2.home, 'logs', 'rot-out.log');
    const seen = () => numbers(got.messages('rot'), 'r');
    const grow = async (by: number) => {
      const target = seen().length + by;
      await waitFor(() => seen().length >= target, 15_000, `${by} more lines`);
    };
    await grow(100);
    await pm2.pm2('flush', 'rot');
    await grow(100);
    await pm2.pm2('reloadLogs');
    await grow(100);
    const rotated = join(pm2.home, 'logs', 'rot-out__2026-12-04_00-00-00.log');
    copyFileSync(outPath, rotated);
    truncateSync(outPath, 0);
    await grow(100);
    await pm2.pm2('stop', 'rot');
    const onDisk = numbers([readFileSync(rotated, 'utf8'), readFileSync(outPath, 'utf8')], 'r');
    await waitFor(() => seen().includes(Math.max(...onDisk)), 10_000, 'the last line on disk');

    const captured = seen();
    expect(duplicates(captured)).toEqual([]);
    expect(captured).toEqual([...captured].sort((a, b) => a - b));
    expect(onDisk.filter((n) => !captured.includes(n))).toEqual([]);
    const missing = range(1, Math.max(...captured)).filter((n) => !captured.includes(n));
    const reported = got.gaps.filter((g) => g.kind === 'pm2-lost' && g.process === 'rot');
    if (missing.length > 0) expect(reported.length).toBeGreaterThan(0);
    expect(reported.some((g) => g.detail.includes('rot-out__2026-12-04_00-00-00.log') || g.detail.includes('truncated'))).toBe(true);
  });

  it('reports a daemon outage with its length and catches up from the files when it returns', async () => {
    const got = collect();
    await started(new Capture(got.options(pm2.home)));
    await startWithEnv(pm2, 'phoenix', COUNTER, { PREFIX: 'a', COUNT: '200', BATCH: '10', EVERY_MS: '10' });
    await startWithEnv(pm2, 'ghost', COUNTER, { PREFIX: 'g', COUNT: '20', BATCH: '10', EVERY_MS: '10' }, { out_file: '/dev/null', error_file: '/dev/null' });
    await waitFor(() => numbers(got.messages('phoenix'), 'a').length === 200 && numbers(got.messages('ghost'), 'g').length === 20, 15_000, 'first runs');
    await pm2.pm2('kill');
    await waitFor(() => got.states.some((s) => !s.alive), 10_000, 'daemon seen down');
    await startWithEnv(pm2, 'phoenix', COUNTER, { PREFIX: 'b', COUNT: '200', BATCH: '10', EVERY_MS: '10' });
    await waitFor(() => numbers(got.messages('phoenix'), 'b').length >= 200, 15_000, 'second run');
    await new Promise((r) => setTimeout(r, 300));

    expect(numbers(got.messages('phoenix'), 'a')).toEqual(range(1, 200));
    expect(numbers(got.messages('phoenix'), 'b')).toEqual(range(1, 200));
    expect(numbers(got.messages('ghost'), 'g')).toEqual(range(1, 20));
    expect(got.states.map((s) => s.alive)).toEqual([true, false, true]);
    const outage = got.gaps.filter((g) => g.kind === 'daemon-down');
    expect(outage).toHaveLength(1);
    expect(outage[0].durationMs).toBeGreaterThan(0);
    expect(got.gaps.filter((g) => g.kind !== 'daemon-down').map((g) => `${g.kind}: ${g.detail}`)).toEqual([]);
  });
});
