// CPU saturation: a Node process at one full core has a blocked event loop, so every request waits.
import type { Finding, MetricSample } from '../../core/types.js';
import { groupBy, type DetectorContext } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';
import { mean, round } from './stats.js';

const DETECTOR = 'cpu-saturation';
/** Saturated the whole time for this long makes it critical. */
const CRITICAL_SPAN_MS = 10 * 60_000;

export function detectCpu(ctx: DetectorContext): Finding[] {
  const t = ctx.thresholds;
  const findings: Finding[] = [];
  for (const [process, samples] of ctx.samplesByProcess) {
    // Saturation is about now: the window, or the last CRITICAL_SPAN_MS when the window is shorter.
    const from = Math.min(ctx.since, ctx.until - CRITICAL_SPAN_MS);
    const byPmId = groupBy(samples.filter((s) => s.at >= from), (s) => s.pmId);
    let worst: { pmId: number; share: number; span: number; list: MetricSample[] } | undefined;
    for (const [pmId, list] of byPmId) {
      const span = list[list.length - 1].at - list[0].at;
      if (span < t.cpuMinSpanMs) continue;
      const share = list.filter((s) => s.cpu >= t.cpuSaturatedPercent).length / list.length;
      if (share >= t.cpuSaturatedShare && (!worst || share > worst.share)) worst = { pmId, share, span, list };
    }
    if (!worst) continue;
    const saturated = worst.list.filter((s) => s.cpu >= t.cpuSaturatedPercent);
    const evidence = EvidenceCollector.for(ctx);
    for (const s of saturated) evidence.add(s.at, undefined);
    const avg = mean(worst.list.map((s) => s.cpu));
    const minutes = round(worst.span / 60_000, 0);
    const built = evidence.build();
    built.samples = [`pm_id ${worst.pmId}: ${saturated.length} of ${worst.list.length} samples at or above ${t.cpuSaturatedPercent}% over ${minutes} min, average ${round(avg, 1)}%`];
    findings.push({
      id: findingId(DETECTOR, process),
      detector: DETECTOR,
      severity: worst.share === 1 && worst.span >= CRITICAL_SPAN_MS ? 'critical' : 'warning',
      title: `CPU saturated in ${process}: ${round(worst.share * 100, 0)}% of samples at or above ${t.cpuSaturatedPercent}% over ${minutes} min`,
      processes: [process],
      summary: `pm_id ${worst.pmId} of ${process} used about one full core (average ${round(avg, 1)}%): its event loop is busy and requests queue behind it.`,
      evidence: built,
      recommendation:
        'Profile the process (`node --cpu-prof`, or `pm2 profile:cpu`) to find the hot path: synchronous JSON or crypto on large inputs, ' +
        'regular expressions with backtracking, busy loops. Move heavy work to worker threads, or run more instances in cluster mode.',
      data: { pmId: worst.pmId, saturatedShare: round(worst.share, 3), avgCpu: round(avg, 1), spanMs: worst.span },
    });
  }
  return findings;
}
