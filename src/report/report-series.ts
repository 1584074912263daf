// The "errors and restarts over time" chart: a Mermaid xychart (GitHub renders it) and a sparkline
// text fallback for every other reader. The numbers come from the engine when it computed them from
// the buffer, otherwise from the patterns' per-minute counts (errors only: patterns know no restarts).
import type { AnalysisResult } from '../core/types.js';
import { fencedBlock } from './markdown-escape.js';
import { formatBucket, formatCount, type TimeFormatter } from './report-format.js';

/** Counts per time bucket, oldest first: bucket i covers [start + i*bucketMs, start + (i+1)*bucketMs). */
export interface ReportSeries {
  /** Bucket start of index 0, ms since the epoch. */
  start: number;
  bucketMs: number;
  errors: number[];
  restarts: number[];
}

/** What the chart draws; `restarts` is absent when nothing measured them. */
interface ChartSeries {
  start: number;
  bucketMs: number;
  errors: number[];
  restarts?: number[];
}

/** More bars than this do not fit a page width; buckets are merged until they do. */
export const MAX_CHART_BUCKETS = 30;

const MINUTE = 60_000;
/** Bucket widths a person reads without arithmetic. */
const NICE_BUCKET_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

export function validateSeries(series: ReportSeries): void {
  const ok =
    Number.isFinite(series.start) &&
    Number.isFinite(series.bucketMs) &&
    series.bucketMs > 0 &&
    Array.isArray(series.errors) &&
    Array.isArray(series.restarts) &&
    series.errors.length === series.restarts.length &&
    [...series.errors, ...series.restarts].every((n) => Number.isFinite(n) && n >= 0);
  if (!ok) {
    throw new RangeError('series needs a finite start, bucketMs > 0, and errors/restarts arrays of equal length with counts >= 0');
  }
}

/** Errors per minute over the analysis window, from the patterns' per-minute counts by level. */
export function seriesFromPatterns(result: AnalysisResult): ChartSeries | undefined {
  const perMinute = new Map<number, number>();
  for (const pattern of result.patterns) {
    const errorShare = pattern.count > 0 ? (pattern.levels.error ?? 0) / pattern.count : 0;
    if (errorShare === 0) continue;
    for (const [minute, count] of pattern.perMinute) {
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + count * errorShare);
    }
  }
  if (perMinute.size === 0) return undefined;
  const minutes = [...perMinute.keys()];
  const first = Math.floor(Math.min(result.window.since, ...minutes) / MINUTE) * MINUTE;
  const last = Math.floor(Math.max(result.window.until - 1, ...minutes) / MINUTE) * MINUTE;
  const errors: number[] = [];
  for (let t = first; t <= last; t += MINUTE) errors.push(Math.round(perMinute.get(t) ?? 0));
  return { start: first, bucketMs: MINUTE, errors };
}

/** Merges neighbouring buckets so that at most MAX_CHART_BUCKETS remain, keeping bucket widths round. */
export function coarsen(series: ChartSeries): ChartSeries {
  const n = series.errors.length;
  if (n <= MAX_CHART_BUCKETS) return series;
  let factor = Math.ceil(n / MAX_CHART_BUCKETS);
  if (series.bucketMs === MINUTE) {
    factor = NICE_BUCKET_MINUTES.find((m) => Math.ceil(n / m) <= MAX_CHART_BUCKETS) ?? factor;
  }
  const bucketMs = series.bucketMs * factor;
  // Align to the wider bucket so that labels fall on round times (18:00, 18:05...).
  const start = Math.floor(series.start / bucketMs) * bucketMs;
  const offset = Math.round((series.start - start) / series.bucketMs);
  const merge = (values: number[]) => {
    const out = new Array<number>(Math.ceil((values.length + offset) / factor)).fill(0);
    values.forEach((v, i) => {
      out[Math.floor((i + offset) / factor)] += v;
    });
    return out;
  };
  return { start, bucketMs, errors: merge(series.errors), restarts: series.restarts && merge(series.restarts) };
}

const SPARK = '▁▂▃▄▅▆▇█';

function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 || v === 0 ? ' ' : SPARK[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

/** The chart as markdown: a Mermaid block, then a text block of sparklines. */
export function renderChart(raw: ChartSeries, fmt: TimeFormatter): string {
  const series = coarsen(raw);
  const n = series.errors.length;
  const end = series.start + n * series.bucketMs;
  const withDate = fmt.date(series.start) !== fmt.date(end - 1);
  const labels = series.errors.map((_, i) => fmt.short(series.start + i * series.bucketMs, withDate));
  const width = formatBucket(series.bucketMs);
  const restarts = series.restarts;
  const xAxis = `    x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`;
  const chart = (title: string, lines: string[], values: number[]) =>
    fencedBlock(['xychart-beta', `    title "${title}"`, xAxis, `    y-axis "Count" 0 --> ${Math.max(1, ...values)}`, ...lines].join('\n'), 'mermaid');
  const errorPeak = Math.max(0, ...series.errors);
  const restartPeak = Math.max(0, ...(restarts ?? []));
  let charts: string;
  if (!restarts) {
    charts = chart(`Errors per ${width}, ${fmt.zone}`, [`    bar [${series.errors.join(', ')}]`], series.errors);
  } else if (restartPeak * 10 >= errorPeak) {
    charts = chart(
      `Errors (bars) and restarts (line) per ${width}, ${fmt.zone}`,
      [`    bar [${series.errors.join(', ')}]`, `    line [${restarts.join(', ')}]`],
      [...series.errors, ...restarts],
    );
  } else {
    // One y-axis would flatten a few restarts under hundreds of errors: give each its own chart.
    charts = [
      chart(`Errors per ${width}, ${fmt.zone}`, [`    bar [${series.errors.join(', ')}]`], series.errors),
      chart(`Restarts per ${width}, ${fmt.zone}`, [`    line [${restarts.join(', ')}]`], restarts),
    ].join('\n\n');
  }

  const rows: Array<[string, number[]]> = [['errors', series.errors]];
  if (restarts) rows.push(['restarts', restarts]);
  const text = [
    ...rows.map(([name, values]) => {
      const total = values.reduce((a, b) => a + b, 0);
      const peak = Math.max(0, ...values);
      return `${name.padEnd(9)}|${sparkline(values)}|  total ${formatCount(total)}, peak ${formatCount(peak)} per ${width}`;
    }),
    `${''.padEnd(9)} ${labels[0]} → ${fmt.short(end, withDate)} ${fmt.zone}`,
  ].join('\n');
  const caption = restarts ? '' : "\n\nErrors are summed from the patterns' per-minute counts; restarts were not measured for this window.";
  return `${charts}\n\n${fencedBlock(text)}${caption}`;
}

/** The series to draw: the engine's when given, else one derived from patterns, else none. */
export function chartSeries(result: AnalysisResult, series?: ReportSeries): ChartSeries | undefined {
  if (series) {
    validateSeries(series);
    return series.errors.length > 0 ? series : undefined;
  }
  return seriesFromPatterns(result);
}
