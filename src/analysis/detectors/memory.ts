// Memory growth: a least-squares trend over each run (between restarts) of each instance, and
// restarts caused by max_memory_restart (the daemon's own line, or a restart right at the limit).
import type { Finding, MetricSample } from '../../core/types.js';
import { groupBy, memo, times, type DetectorContext } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';
import { linearFit, round, type LinearFit } from './stats.js';

const GROWTH = 'memory-growth';
const LIMIT = 'memory-restart';
const MINUTE = 60_000;
/** A restart whose last sample was this close to max_memory_restart is counted as one PM2 did for memory. */
const NEAR_LIMIT = 0.9;
const LIMIT_LINE = /Process (\d+) restarted because it exceeds --max-memory-restart value \(current_memory=(\d+) max_memory_limit=(\d+)/;

export function mb(bytes: number): string {
  return `${round(bytes / (1024 * 1024), 1)} MB`;
}

/** Splits one instance's samples where it restarted (counter rose or uptime went back). */
export function runsOf(samples: readonly MetricSample[]): MetricSample[][] {
  const runs: MetricSample[][] = [];
  let run: MetricSample[] = [];
  for (const s of samples) {
    const prev = run.at(-1);
    if (prev && (s.restarts > prev.restarts || s.uptimeMs < prev.uptimeMs)) {
      runs.push(run);
      run = [];
    }
    run.push(s);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

export interface MemoryTrend {
  pmId: number;
  fit: LinearFit;
  slopeBytesPerMin: number;
  from: number;
  to: number;
  fittedStart: number;
  fittedEnd: number;
  samples: MetricSample[];
}

/** The trend of the latest run long enough to judge, per instance of `process`; fitted once per context (metrics use it too). */
export function memoryTrends(ctx: DetectorContext, process: string): MemoryTrend[] {
  const all = memo(ctx, 'memory-trends', () => new Map([...ctx.samplesByProcess].map(([name, samples]) => [name, fitTrends(ctx, samples)])));
  return all.get(process) ?? [];
}

function fitTrends(ctx: DetectorContext, samples: readonly MetricSample[]): MemoryTrend[] {
  const t = ctx.thresholds;
  const trends: MemoryTrend[] = [];
  for (const [pmId, list] of groupBy(samples, (s) => s.pmId)) {
    const run = runsOf(list)
      .reverse()
      .find((r) => r.length >= t.memoryMinSamples && r[r.length - 1].at - r[0].at >= t.memoryMinSpanMs);
    if (!run) continue;
    const fit = linearFit(
      run.map((s) => s.at),
      run.map((s) => s.memory),
    );
    const from = run[0].at;
    const to = run[run.length - 1].at;
    trends.push({
      pmId,
      fit,
      slopeBytesPerMin: fit.slope * MINUTE,
      from,
      to,
      fittedStart: fit.intercept + fit.slope * from,
      fittedEnd: fit.intercept + fit.slope * to,
      samples: run,
    });
  }
  return trends;
}

/** max_memory_restart of a process, from the first of its instances that sets one. */
function memoryLimitOf(ctx: DetectorContext, process: string): number | undefined {
  return (ctx.processInfo.get(process) ?? []).find((p) => p.maxMemoryRestart !== undefined)?.maxMemoryRestart;
}

function growthFinding(ctx: DetectorContext, process: string, samples: readonly MetricSample[]): Finding | undefined {
  const t = ctx.thresholds;
  const leaking = memoryTrends(ctx, process)
    .filter(
      (tr) =>
        tr.slopeBytesPerMin >= t.memoryMinSlopeBytesPerMin &&
        tr.fit.r2 >= t.memoryMinR2 &&
        tr.fittedStart > 0 &&
        (tr.fittedEnd - tr.fittedStart) / tr.fittedStart >= t.memoryMinGrowthRatio,
    )
    .sort((a, b) => b.slopeBytesPerMin - a.slopeBytesPerMin);
  const worst = leaking[0];
  if (!worst) return undefined;
  const limit = memoryLimitOf(ctx, process);
  const last = worst.samples[worst.samples.length - 1].memory;
  const etaMs = limit !== undefined && limit > last ? ((limit - last) / worst.slopeBytesPerMin) * MINUTE : undefined;
  const evidence = EvidenceCollector.for(ctx);
  for (const s of worst.samples) evidence.add(s.at, undefined);
  const first = worst.samples[0].memory;
  const minutes = round((worst.to - worst.from) / MINUTE, 0);
  const spanText = `${mb(first)} → ${mb(last)} over ${minutes} min`;
  const evidenceBuilt = evidence.build();
  evidenceBuilt.samples = [
    `pm_id ${worst.pmId}: ${spanText}, slope ${mb(worst.slopeBytesPerMin)}/min, R² ${round(worst.fit.r2, 2)}`,
    ...(limit !== undefined ? [`max_memory_restart ${mb(limit)}${etaMs !== undefined ? `, reached in about ${round(etaMs / MINUTE, 0)} min` : ''}`] : []),
  ];
  return {
    id: findingId(GROWTH, process),
    detector: GROWTH,
    severity: etaMs !== undefined && etaMs <= t.memoryCriticalEtaMs ? 'critical' : 'warning',
    title: `Memory growing in ${process}: +${mb(worst.slopeBytesPerMin)}/min (${spanText})`,
    processes: [process],
    summary:
      `Resident memory of ${process} (pm_id ${worst.pmId}) rises steadily by ${mb(worst.slopeBytesPerMin)} per minute ` +
      `(least-squares fit, R² ${round(worst.fit.r2, 2)}, ${worst.samples.length} samples)${leaking.length > 1 ? `; ${leaking.length} instances grow` : ''}.`,
    evidence: evidenceBuilt,
    recommendation:
      'A steady rise that restarts do not explain points to a leak: take two heap snapshots some minutes apart (`node --inspect`, ' +
      'Chrome DevTools > Memory) and compare what is retained; usual suspects are unbounded caches or maps, listeners added per ' +
      'request, and timers never cleared. Set max_memory_restart as a safety net meanwhile.',
    data: {
      pmId: worst.pmId,
      slopeBytesPerMin: Math.round(worst.slopeBytesPerMin),
      r2: round(worst.fit.r2, 3),
      firstBytes: first,
      lastBytes: last,
      peakBytes: samples.reduce((peak, x) => Math.max(peak, x.memory), 0),
      spanMs: worst.to - worst.from,
      maxMemoryRestart: limit ?? null,
      etaToLimitMs: etaMs === undefined ? null : Math.round(etaMs),
    },
  };
}

function pmIdNames(ctx: DetectorContext): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, infos] of ctx.processInfo) for (const p of infos) names.set(p.pmId, name);
  for (const [name, samples] of ctx.samplesByProcess) for (const s of samples) names.set(s.pmId, name);
  return names;
}

function limitFindings(ctx: DetectorContext): Finding[] {
  const names = pmIdNames(ctx);
  const perProcess = new Map<string, { evidence: EvidenceCollector; limit?: number; peak: number }>();
  const note = (process: string, limit: number | undefined, memory: number) => {
    let p = perProcess.get(process);
    if (!p) {
      p = { evidence: EvidenceCollector.for(ctx), peak: 0 };
      perProcess.set(process, p);
    }
    if (limit !== undefined) p.limit = limit;
    p.peak = Math.max(p.peak, memory);
    return p.evidence;
  };
  for (const e of ctx.entries) {
    if (!e.message.includes('--max-memory-restart')) continue;
    const m = LIMIT_LINE.exec(e.message);
    if (!m) continue;
    note(names.get(Number(m[1])) ?? `pm_id ${m[1]}`, Number(m[3]), Number(m[2])).addEntry(e);
  }
  for (const [process, samples] of ctx.samplesByProcess) {
    if (perProcess.has(process)) continue;
    const limit = memoryLimitOf(ctx, process);
    if (limit === undefined) continue;
    for (const list of groupBy(samples, (s) => s.pmId).values()) {
      const runs = runsOf(list);
      for (let r = 0; r + 1 < runs.length; r++) {
        const lastSample = runs[r][runs[r].length - 1];
        if (runs[r + 1][0].at >= ctx.since && lastSample.memory >= NEAR_LIMIT * limit) {
          note(process, limit, lastSample.memory).add(lastSample.at, `pm_id ${lastSample.pmId} restarted at ${mb(lastSample.memory)} (limit ${mb(limit)})`);
        }
      }
    }
  }
  const findings: Finding[] = [];
  for (const [process, p] of perProcess) {
    const evidence = p.evidence.build();
    const howOften = times(evidence.count);
    findings.push({
      id: findingId(LIMIT, process),
      detector: LIMIT,
      severity: evidence.count >= ctx.thresholds.crashLoopMinExits ? 'critical' : 'warning',
      title: `${process} restarted ${howOften} for exceeding max_memory_restart${p.limit !== undefined ? ` (${mb(p.limit)})` : ''}`,
      processes: [process],
      summary: `PM2 restarted ${process} ${howOften} because its memory passed max_memory_restart (peak seen ${mb(p.peak)}).`,
      evidence,
      recommendation:
        'Each memory restart drops the requests in flight. If memory grows steadily, find the leak (heap snapshots); if the working set ' +
        'is legitimately larger, raise max_memory_restart (and --max-old-space-size with it).',
      data: { restarts: evidence.count, maxMemoryRestart: p.limit ?? null, peakBytes: p.peak },
    });
  }
  return findings;
}

export function detectMemory(ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  for (const [process, samples] of ctx.samplesByProcess) {
    const growth = growthFinding(ctx, process, samples);
    if (growth) findings.push(growth);
  }
  return [...findings, ...limitFindings(ctx)];
}
