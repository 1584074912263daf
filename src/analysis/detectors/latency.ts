// Latency per process and per route template: average, p50, p95, p99 (nearest rank), slow routes and
// slow outliers, from the durations that access logs and JSON fields carry.
import type { Finding, LogEntry } from '../../core/types.js';
import { memo, plural, type DetectorContext } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';
import { extractLatency } from './latency-extract.js';
import { percentile, round } from './stats.js';

const SLOW = 'latency';
const OUTLIERS = 'latency-outliers';
/** An outlier is also this many times the route's median. */
const OUTLIER_FACTOR = 10;
/** Routes without a path (e.g. "took 1.2s" lines) are grouped under this key. */
export const NO_ROUTE = '(no route)';

export interface LatencyStats {
  count: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Sample {
  ms: number;
  entry: LogEntry;
}

export interface RouteLatency {
  route: string;
  samples: Sample[];
  stats: LatencyStats;
}

export interface ProcessLatency {
  stats: LatencyStats;
  routes: RouteLatency[];
}

export function latencyStats(durations: readonly number[]): LatencyStats {
  // A typed array sorts numerically without a comparator call per comparison.
  const sorted = Float64Array.from(durations).sort();
  let sum = 0;
  for (const d of sorted) sum += d;
  return {
    count: sorted.length,
    avgMs: sorted.length === 0 ? 0 : round(sum / sorted.length, 2),
    p50Ms: round(percentile(sorted, 0.5), 2),
    p95Ms: round(percentile(sorted, 0.95), 2),
    p99Ms: round(percentile(sorted, 0.99), 2),
    maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
  };
}

/** Latency of every process and its busiest routes, computed once per context (metrics use it too). */
export function latencyOf(ctx: DetectorContext): Map<string, ProcessLatency> {
  return memo(ctx, 'latency', () => computeLatency(ctx));
}

function computeLatency(ctx: DetectorContext): Map<string, ProcessLatency> {
  const result = new Map<string, ProcessLatency>();
  for (const [process, entries] of ctx.byProcess) {
    const routes = new Map<string, Sample[]>();
    const all: number[] = [];
    for (const entry of entries) {
      const hit = extractLatency(entry);
      if (!hit) continue;
      const key = hit.route ? (hit.method ? `${hit.method} ${hit.route}` : hit.route) : NO_ROUTE;
      const list = routes.get(key);
      if (list) list.push({ ms: hit.ms, entry });
      else routes.set(key, [{ ms: hit.ms, entry }]);
      all.push(hit.ms);
    }
    if (all.length === 0) continue;
    const busiest = [...routes]
      .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
      .slice(0, ctx.thresholds.latencyMaxRoutes)
      .map(([route, samples]) => ({ route, samples, stats: latencyStats(samples.map((s) => s.ms)) }));
    result.set(process, { stats: latencyStats(all), routes: busiest });
  }
  return result;
}

function describe(s: LatencyStats): string {
  return `p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms over ${s.count} requests`;
}

function data(route: string, s: LatencyStats, extra: Record<string, number>): Finding['data'] {
  return { route, count: s.count, avgMs: s.avgMs, p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms, maxMs: s.maxMs, ...extra };
}

export function detectLatency(ctx: DetectorContext): Finding[] {
  const t = ctx.thresholds;
  const findings: Finding[] = [];
  for (const [process, latency] of latencyOf(ctx)) {
    const outliers = EvidenceCollector.for(ctx);
    const outlierRoutes = new Set<string>();
    for (const r of latency.routes) {
      if (r.stats.count < t.latencyMinRequests) continue;
      const where = r.route === NO_ROUTE ? `in ${process}` : `${r.route} in ${process}`;
      if (r.stats.p95Ms >= t.latencySlowP95Ms) {
        const evidence = EvidenceCollector.for(ctx);
        for (const s of r.samples) if (s.ms >= t.latencySlowP95Ms) evidence.addEntry(s.entry);
        findings.push({
          id: findingId(SLOW, process, r.route),
          detector: SLOW,
          severity: r.stats.p95Ms >= t.latencyCriticalP95Ms ? 'critical' : 'warning',
          title: `Slow ${r.route === NO_ROUTE ? 'operations' : 'route'} ${where}: p95 ${r.stats.p95Ms} ms (p50 ${r.stats.p50Ms} ms, ${r.stats.count} requests)`,
          processes: [process],
          summary: `${describe(r.stats)}; ${evidence.count} at or above ${t.latencySlowP95Ms} ms.`,
          evidence: evidence.build(),
          recommendation:
            'Find where the time goes for this route: slow queries (missing index, N+1 queries, a pool exhausted), calls to other services ' +
            'without timeouts, or CPU work in the request path. Compare slow requests with the error and connection findings of the same minutes.',
          data: data(r.route, r.stats, { slowRequests: evidence.count }),
        });
        continue;
      }
      const cut = Math.max(t.latencyOutlierMs, OUTLIER_FACTOR * r.stats.p50Ms);
      for (const s of r.samples) {
        if (s.ms < cut) continue;
        outliers.addEntry(s.entry);
        outlierRoutes.add(r.route);
      }
    }
    if (outliers.count === 0) continue;
    const routes = [...outlierRoutes].sort();
    findings.push({
      id: findingId(OUTLIERS, process),
      detector: OUTLIERS,
      severity: 'info',
      title: `${plural(outliers.count, 'slow outlier request')} in ${process} (${routes.join(', ')})`,
      processes: [process],
      summary: `Requests far slower than their route's median (at least ${t.latencyOutlierMs} ms and ${OUTLIER_FACTOR}x p50); overall ${describe(latency.stats)}.`,
      evidence: outliers.build(),
      recommendation:
        'Occasional very slow requests with a fast median usually wait on something: a lock, a cold cache, a garbage-collection pause or a ' +
        'retry inside a dependency call. Log the slow requests with their parameters to reproduce them.',
      data: data(routes.join(', '), latency.stats, { outliers: outliers.count }),
    });
  }
  return findings;
}
