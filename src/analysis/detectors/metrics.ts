// Per-process figures of the window: entries, errors, warnings, restarts, memory, CPU and latency.
import type { ProcessMetrics } from '../../core/types.js';
import type { DetectorContext } from './context.js';
import { latencyOf } from './latency.js';
import { memoryTrends } from './memory.js';
import { exitsOf, processesWithExits, sampledRestarts } from './restarts.js';
import { round } from './stats.js';

export function processMetrics(ctx: DetectorContext): ProcessMetrics[] {
  const latency = latencyOf(ctx);
  return processesWithExits(ctx).map((process) => {
    const entries = ctx.byProcess.get(process) ?? [];
    const samples = ctx.samplesByProcess.get(process) ?? [];
    const infos = ctx.processInfo.get(process) ?? [];
    const pmIds = new Set<number>();
    const pids = new Set<number>();
    let errors = 0;
    let warnings = 0;
    for (const e of entries) {
      pmIds.add(e.pmId);
      if (e.pid !== undefined) pids.add(e.pid);
      if (e.level === 'error') errors++;
      else if (e.level === 'warn') warnings++;
    }
    for (const s of samples) pmIds.add(s.pmId);
    for (const ev of ctx.eventsByProcess.get(process) ?? []) pmIds.add(ev.pmId);
    for (const p of infos) {
      pmIds.add(p.pmId);
      if (p.pid !== undefined) pids.add(p.pid);
    }
    const m: ProcessMetrics = {
      process,
      pmIds: [...pmIds].sort((a, b) => a - b),
      pids: [...pids].sort((a, b) => a - b),
      entries: entries.length,
      errors,
      warnings,
      restarts: Math.max(exitsOf(ctx, process).length, sampledRestarts(ctx, process)),
    };
    if (samples.length > 0) {
      let memSum = 0;
      let memPeak = 0;
      let cpuSum = 0;
      let cpuPeak = 0;
      for (const s of samples) {
        memSum += s.memory;
        memPeak = Math.max(memPeak, s.memory);
        cpuSum += s.cpu;
        cpuPeak = Math.max(cpuPeak, s.cpu);
      }
      m.memory = { avg: Math.round(memSum / samples.length), peak: memPeak, last: samples[samples.length - 1].memory };
      const trends = memoryTrends(ctx, process);
      if (trends.length > 0) m.memory.slopeBytesPerMin = Math.round(Math.max(...trends.map((t) => t.slopeBytesPerMin)));
      m.cpu = { avg: round(cpuSum / samples.length, 1), peak: round(cpuPeak, 1) };
    }
    const l = latency.get(process);
    if (l) m.latency = { count: l.stats.count, avgMs: l.stats.avgMs, p50Ms: l.stats.p50Ms, p95Ms: l.stats.p95Ms, p99Ms: l.stats.p99Ms, maxMs: l.stats.maxMs };
    return m;
  });
}
