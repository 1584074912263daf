// Error rate per process and overall, and bursts of errors against the recent baseline.
import type { Finding, LogEntry } from '../../core/types.js';
import { plural, type DetectorContext } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';
import { mean, median, round } from './stats.js';

const RATE_DETECTOR = 'error-rate';
const BURST_DETECTOR = 'error-burst';
/** Buckets kept per process: a window of days is counted in wider buckets rather than in millions. */
const MAX_BUCKETS = 10_000;

function percent(rate: number): string {
  return `${round(rate * 100, 1)}%`;
}

function rateFinding(ctx: DetectorContext, key: string, processes: string[], errors: LogEntry[], total: number): Finding | undefined {
  const t = ctx.thresholds;
  const rate = total === 0 ? 0 : errors.length / total;
  if (errors.length < t.errorRateMinErrors || rate < t.errorRateWarning) return undefined;
  const severity = rate >= t.errorRateCritical && errors.length >= t.errorRateCriticalMinErrors ? 'critical' : 'warning';
  const evidence = EvidenceCollector.for(ctx);
  for (const e of errors) evidence.addEntry(e);
  const where = key === '*' ? `across ${plural(processes.length, 'process', 'processes')}` : `in ${key}`;
  return {
    id: findingId(RATE_DETECTOR, key),
    detector: RATE_DETECTOR,
    severity,
    title: `High error rate ${where}: ${percent(rate)} of ${plural(total, 'entry', 'entries')}`,
    processes,
    summary: `${plural(errors.length, 'error-level entry', 'error-level entries')} out of ${total} ${where} (${percent(rate)}).`,
    evidence: evidence.build(),
    recommendation:
      'Look at the most frequent error patterns and findings below first: a high error rate usually has one or two causes. ' +
      'Fix or handle those errors, and log expected conditions (validation failures, 404s) below error level.',
    data: { errors: errors.length, entries: total, errorRate: round(rate, 4) },
  };
}

function burstFinding(ctx: DetectorContext, process: string, errors: readonly LogEntry[]): Finding | undefined {
  const t = ctx.thresholds;
  if (errors.length < t.burstMinErrors) return undefined;
  const span = ctx.until - ctx.since;
  const bucketMs = Math.max(t.burstBucketMs, Math.ceil(span / MAX_BUCKETS));
  const start = Math.floor(ctx.since / bucketMs) * bucketMs;
  const counts = new Array<number>(Math.floor((ctx.until - start) / bucketMs) + 1).fill(0);
  for (const e of errors) counts[Math.min(counts.length - 1, Math.max(0, Math.floor((e.timestamp - start) / bucketMs)))]++;
  const windowMedian = median(counts);
  const burst = new Array<boolean>(counts.length).fill(false);
  let peak = -1;
  let peakBaseline = 0;
  for (let i = 0; i < counts.length; i++) {
    const preceding = counts.slice(Math.max(0, i - t.burstBaselineBuckets), i);
    // The first bucket has no history: compare it with the window as a whole. Short windows (a trigger
    // fired a minute after the last analysis) still compare later buckets with the ones before them.
    const baseline = preceding.length > 0 ? mean(preceding) : windowMedian;
    if (counts[i] >= t.burstMinErrors && counts[i] >= t.burstFactor * Math.max(baseline, 1)) {
      burst[i] = true;
      if (peak < 0 || counts[i] > counts[peak]) {
        peak = i;
        peakBaseline = baseline;
      }
    }
  }
  if (peak < 0) return undefined;
  let episodes = 0;
  for (let i = 0; i < burst.length; i++) if (burst[i] && (i === 0 || !burst[i - 1])) episodes++;
  const evidence = EvidenceCollector.for(ctx);
  for (const e of errors) {
    const i = Math.min(counts.length - 1, Math.max(0, Math.floor((e.timestamp - start) / bucketMs)));
    if (burst[i]) evidence.addEntry(e);
  }
  const minutes = round(bucketMs / 60_000, 2);
  const per = minutes === 1 ? 'min' : `${minutes} min`;
  return {
    id: findingId(BURST_DETECTOR, process),
    detector: BURST_DETECTOR,
    severity: counts[peak] >= t.burstCriticalErrors ? 'critical' : 'warning',
    title: `Error burst in ${process}: ${counts[peak]} errors in ${minutes} min (baseline ${round(peakBaseline, 1)}/${per})`,
    processes: [process],
    summary:
      `Errors in ${process} jumped to ${counts[peak]} per ${per} at ${new Date(start + peak * bucketMs).toISOString()}, ` +
      `against a recent baseline of ${round(peakBaseline, 1)}; ${plural(episodes, 'burst')} in the window, ${evidence.count} errors in them.`,
    evidence: evidence.build(),
    recommendation:
      'Check what changed at the start of the burst (a deploy, a dependency outage, a traffic spike): the error patterns and ' +
      'connection findings of the same minutes usually name the cause.',
    data: {
      peakErrors: counts[peak],
      baselinePerBucket: round(peakBaseline, 2),
      bucketMs,
      bursts: episodes,
      peakAt: start + peak * bucketMs,
    },
  };
}

export function detectErrorRate(ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  const allErrors: LogEntry[] = [];
  const erring: string[] = [];
  for (const [process, entries] of ctx.byProcess) {
    const errors = entries.filter((e) => e.level === 'error');
    if (errors.length === 0) continue;
    erring.push(process);
    for (const e of errors) allErrors.push(e);
    const rate = rateFinding(ctx, process, [process], errors, entries.length);
    if (rate) findings.push(rate);
    const burst = burstFinding(ctx, process, errors);
    if (burst) findings.push(burst);
  }
  // Overall only says something new when errors are spread thin: no process crossed a threshold alone.
  if (erring.length > 1 && !findings.some((f) => f.detector === RATE_DETECTOR)) {
    allErrors.sort((a, b) => a.seq - b.seq);
    const overall = rateFinding(ctx, '*', erring.sort(), allErrors, ctx.entries.length);
    if (overall) findings.push(overall);
  }
  return findings;
}
