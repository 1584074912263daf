// Errors and restarts per minute over an analysis window, for the report's chart. The report
// merges minutes into wider buckets when the window is long.
import type { ReportSeries } from '../report/render-report.js';
import type { LogEntry, ProcessEvent } from '../core/types.js';

const MINUTE = 60_000;

/** A restart as the chart counts it: an exit PM2 did not cause on request, or an explicit restart. */
export function isRestart(event: ProcessEvent): boolean {
  return event.kind === 'restart' || (event.kind === 'exit' && !event.manually);
}

export function activitySeries(entries: readonly LogEntry[], events: readonly ProcessEvent[], since: number, until: number): ReportSeries | undefined {
  if (!(until > since)) return undefined;
  const start = Math.floor(since / MINUTE) * MINUTE;
  const buckets = Math.max(1, Math.ceil((until - start) / MINUTE));
  // A window of months at one-minute resolution would be a huge array for a 30-bar chart.
  const bucketMs = buckets > 10_000 ? Math.ceil((until - start) / 10_000 / MINUTE) * MINUTE : MINUTE;
  const count = Math.max(1, Math.ceil((until - start) / bucketMs));
  const errors = new Array<number>(count).fill(0);
  const restarts = new Array<number>(count).fill(0);
  const slot = (at: number) => Math.min(count - 1, Math.max(0, Math.floor((at - start) / bucketMs)));
  for (const entry of entries) if (entry.level === 'error') errors[slot(entry.timestamp)]++;
  for (const event of events) if (event.at >= since && event.at <= until && isRestart(event)) restarts[slot(event.at)]++;
  return { start, bucketMs, errors, restarts };
}
