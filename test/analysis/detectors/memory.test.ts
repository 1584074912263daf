import { describe, expect, it } from 'vitest';
import { detectCpu } from '../../../src/analysis/detectors/cpu.js';
import { detectMemory } from '../../../src/analysis/detectors/memory.js';
import { linearFit, percentile } from '../../../src/analysis/detectors/stats.js';
import { MB, MIN, processInfo, SEC, Window } from './fixtures.js';

function leak(w: Window, process = 'worker'): void {
  for (let i = 0; i <= 60; i++) w.sample(i * MIN, process, 100 * MB + 2 * MB * i);
}

describe('stats', () => {
  it('fits a line and takes nearest-rank percentiles', () => {
    expect(linearFit([0, 1, 2, 3], [1, 3, 5, 7])).toEqual({ slope: 2, intercept: 1, r2: 1 });
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect([percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)]).toEqual([100, 190, 200]);
  });
});

describe('detectMemory', () => {
  it('reports a leak with its least-squares slope, as a warning without a limit', () => {
    const w = new Window();
    leak(w);
    const [f] = detectMemory(w.context());
    expect(f.id).toBe('memory-growth:worker');
    expect(f.title).toBe('Memory growing in worker: +2 MB/min (100 MB → 220 MB over 60 min)');
    expect(f.severity).toBe('warning');
    expect(f.evidence.count).toBe(61);
    expect(f.data).toMatchObject({ slopeBytesPerMin: 2 * MB, r2: 1, firstBytes: 100 * MB, lastBytes: 220 * MB, peakBytes: 220 * MB, spanMs: 60 * MIN, maxMemoryRestart: null });
  });

  it('is critical when the leak reaches max_memory_restart within half an hour', () => {
    const w = new Window();
    leak(w);
    const [f] = detectMemory(w.context({ processes: [processInfo('worker', { maxMemoryRestart: 250 * MB })] }));
    expect(f.severity).toBe('critical');
    expect(f.data?.etaToLimitMs).toBe(15 * MIN);
    expect(f.evidence.samples[1]).toBe('max_memory_restart 250 MB, reached in about 15 min');
  });

  it('ignores memory that only wanders, and fits the latest run after a restart', () => {
    const w = new Window();
    for (let i = 0; i <= 60; i++) w.sample(i * MIN, 'api', 150 * MB + (i % 2 === 0 ? 5 : -5) * MB);
    for (let i = 0; i <= 30; i++) w.sample(i * MIN, 'cron', 100 * MB + 3 * MB * i, { uptimeMs: i * MIN });
    for (let i = 31; i <= 60; i++) w.sample(i * MIN, 'cron', 80 * MB, { uptimeMs: (i - 31) * MIN, restarts: 1 });
    expect(detectMemory(w.context())).toEqual([]);
  });

  it('counts restarts for max_memory_restart from the daemon line', () => {
    const w = new Window();
    w.sample(0, 'worker', 200 * MB);
    const line = '[PM2][WORKER] Process 0 restarted because it exceeds --max-memory-restart value (current_memory=283115520 max_memory_limit=262144000 [octets])';
    const a = w.log({ at: 10 * MIN, process: 'PM2', stream: 'pm2', message: line });
    const b = w.log({ at: 25 * MIN, process: 'PM2', stream: 'pm2', message: line });
    const [f] = detectMemory(w.context());
    expect(f.title).toBe('worker restarted 2 times for exceeding max_memory_restart (250 MB)');
    expect(f.severity).toBe('warning');
    expect(f.evidence.seqs).toEqual([a, b]);
    expect(f.data).toEqual({ restarts: 2, maxMemoryRestart: 262144000, peakBytes: 283115520 });
  });

  it('infers memory restarts from samples that restart near the limit', () => {
    const w = new Window();
    for (let run = 0; run < 3; run++) {
      for (let i = 0; i < 5; i++) w.sample((run * 5 + i) * MIN, 'worker', (150 + 25 * i) * MB, { restarts: run, uptimeMs: i * MIN });
    }
    const findings = detectMemory(w.context({ processes: [processInfo('worker', { maxMemoryRestart: 250 * MB })] }));
    expect(findings.map((f) => [f.id, f.title, f.evidence.count])).toEqual([
      ['memory-restart:worker', 'worker restarted 2 times for exceeding max_memory_restart (250 MB)', 2],
    ]);
  });
});

describe('detectCpu', () => {
  it('reports saturation, critical only when it lasts', () => {
    const w = new Window();
    for (let i = 0; i <= 10; i++) w.sample(i * 30 * SEC, 'api', 80 * MB, { cpu: i === 4 ? 40 : 97 });
    for (let i = 0; i <= 20; i++) w.sample(i * 30 * SEC, 'report', 80 * MB, { cpu: 100 });
    for (let i = 0; i <= 20; i++) w.sample(i * 30 * SEC, 'web', 80 * MB, { cpu: i % 3 === 0 ? 95 : 30 });
    const findings = detectCpu(w.context());
    expect(findings.map((f) => [f.title, f.severity])).toEqual([
      ['CPU saturated in api: 91% of samples at or above 90% over 5 min', 'warning'],
      ['CPU saturated in report: 100% of samples at or above 90% over 10 min', 'critical'],
    ]);
    expect(findings[0].data).toEqual({ pmId: 0, saturatedShare: 0.909, avgCpu: 91.8, spanMs: 5 * MIN });
  });
});
