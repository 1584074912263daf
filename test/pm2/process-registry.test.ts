import { describe, expect, it } from 'vitest';
import { MetricsSampler, toSample } from '../../src/pm2/metrics-sampler.js';
import { ProcessRegistry, toProcessInfo, type RegistryChange } from '../../src/pm2/process-registry.js';
import type { RawProcess } from '../../src/pm2/pm2-connection.js';

const raw = (pmId: number, over: Record<string, unknown> = {}, pid = 100 + pmId): RawProcess => ({
  pid,
  name: over.name as string ?? 'api',
  pm_id: pmId,
  monit: { memory: 1000 * pmId, cpu: pmId },
  pm2_env: {
    status: 'online',
    namespace: 'default',
    restart_time: 2,
    unstable_restarts: 0,
    pm_uptime: 5000,
    exec_mode: 'fork_mode',
    pm_out_log_path: `/logs/api-out.log`,
    pm_err_log_path: `/logs/api-error.log`,
    ...over,
  },
});

describe('toProcessInfo', () => {
  it('reads a fork process', () => {
    expect(toProcessInfo(raw(0, { log_date_format: 'YYYY', max_memory_restart: 1048576 }))).toEqual({
      pmId: 0, name: 'api', namespace: 'default', pid: 100, execMode: 'fork', status: 'online', restarts: 2, unstableRestarts: 0,
      uptimeSince: 5000, outLogPath: '/logs/api-out.log', errLogPath: '/logs/api-error.log', logDateFormat: 'YYYY', maxMemoryRestart: 1048576, cpu: 0, memory: 0,
    });
  });

  it('reads a cluster instance, a stopped process and /dev/null logs', () => {
    const info = toProcessInfo(raw(3, { exec_mode: 'cluster_mode', NODE_APP_INSTANCE: 1, status: 'stopped', pm_out_log_path: '/dev/null', pm_err_log_path: 'NULL' }, 0));
    expect(info).toMatchObject({ pmId: 3, execMode: 'cluster', instance: 1, status: 'stopped' });
    expect(info.pid).toBeUndefined();
    expect(info.uptimeSince).toBeUndefined();
    expect(info.outLogPath).toBeUndefined();
    expect(info.errLogPath).toBeUndefined();
  });
});

describe('ProcessRegistry', () => {
  it('filters, tracks pids and reports added, changed and removed processes', async () => {
    let list: RawProcess[] = [raw(0), raw(1, { name: 'worker', namespace: 'jobs' }), raw(2, { log_type: 'json' })];
    const changes: RegistryChange[] = [];
    const registry = new ProcessRegistry({ list: async () => list, filter: { names: ['api'] }, onChange: (c) => changes.push(c) });
    expect((await registry.refresh()).map((p) => p.pmId)).toEqual([0, 2]);
    expect(registry.pid(2)).toBe(102);
    expect(registry.isJsonWrapped(2)).toBe(true);
    list = [raw(0, {}, 555)];
    await registry.refresh();
    expect(registry.pid(0)).toBe(555);
    expect(changes.map((c) => [c.added.map((p) => p.pmId), c.changed.map((p) => p.pmId), c.removed.map((p) => p.pmId)])).toEqual([
      [[0, 2], [], []],
      [[], [0], [2]],
    ]);
  });

  it('shares one follow-up read between callers that arrive during a read', async () => {
    let reads = 0;
    const registry = new ProcessRegistry({ list: async () => (reads++, await new Promise((r) => setTimeout(r, 20)), [raw(0)]) });
    await Promise.all([registry.refresh(), registry.refresh(), registry.refresh(), registry.refresh()]);
    expect(reads).toBe(2);
  });
});

describe('MetricsSampler', () => {
  it('turns the list into samples', async () => {
    const got: unknown[] = [];
    const sampler = new MetricsSampler({ read: async () => [toProcessInfo(raw(1))], onSamples: (s) => got.push(...s), now: () => 6000 });
    await sampler.sampleNow();
    expect(got).toEqual([{ at: 6000, pmId: 1, process: 'api', cpu: 1, memory: 1000, restarts: 2, uptimeMs: 1000, status: 'online' }]);
    expect(toSample({ ...toProcessInfo(raw(1)), status: 'stopped' }, 9000).uptimeMs).toBe(0);
    expect(() => new MetricsSampler({ read: async () => [], onSamples: () => {}, intervalMs: 0 })).toThrow(/intervalMs must be >= 100/);
  });
});
