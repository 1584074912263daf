// Crash loops and restarts: unexpected exits (exit codes, signals, time between them) from process
// events, else from the daemon's own lines, else from the restart counter of the metric samples.
import type { Evidence, Finding, LogEntry } from '../../core/types.js';
import { groupBy, memo, plural, processNames, times, type DetectorContext } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';
import { median, round } from './stats.js';

const DETECTOR = 'restarts';
/** The error a process logs just before it dies is usually the reason: look this far back. */
const CAUSE_LOOKBACK_MS = 10_000;

export interface ExitRecord {
  at: number;
  process: string;
  code: number | null;
  signal: string | null;
  seq?: number;
  line: string;
}

const EXIT_LINE = /App \[([^\]]+?):(\d+)\] exited with code \[(-?\d+|null)\] via signal \[(\w+|null)\]/;
const OVERLIMIT_LINE = /too many unstable restarts/;

/** PM2 reports "code [1] via signal [SIGINT]" for a plain crash: a signal only means something without a code. */
export function exitCause(exit: Pick<ExitRecord, 'code' | 'signal'>): string {
  if (exit.code !== null && exit.code !== undefined) return `code ${exit.code}`;
  return exit.signal ? exit.signal : 'unknown cause';
}

function exitsFromLines(ctx: DetectorContext): Map<string, ExitRecord[]> {
  const exits: ExitRecord[] = [];
  for (const e of ctx.entries) {
    if (e.stream !== 'pm2' && !e.message.includes('exited with code [')) continue;
    const m = EXIT_LINE.exec(e.message);
    if (!m) continue;
    const code = m[3] === 'null' ? null : Number(m[3]);
    exits.push({ at: e.timestamp, process: m[1], code, signal: m[4] === 'null' ? null : m[4], seq: e.seq, line: e.message });
  }
  return groupBy(exits, (x) => x.process);
}

function linesOf(ctx: DetectorContext): Map<string, ExitRecord[]> {
  return memo(ctx, 'exit-lines', () => exitsFromLines(ctx));
}

/** Processes of the window, including those only the daemon's exit lines name. */
export function processesWithExits(ctx: DetectorContext): string[] {
  // The daemon's own lines (pm_id -1) speak of apps; the daemon is not an app that restarts.
  const isDaemon = (name: string) => ctx.byProcess.get(name)?.every((e) => e.pmId === -1) ?? false;
  return [...new Set([...processNames(ctx), ...linesOf(ctx).keys()])].filter((name) => !isDaemon(name)).sort();
}

/** Unexpected (not manual) exits of a process, oldest first. Events win over daemon lines, which would repeat them. */
export function exitsOf(ctx: DetectorContext, process: string): ExitRecord[] {
  const fromLines = linesOf(ctx);
  const events = (ctx.eventsByProcess.get(process) ?? []).filter((ev) => ev.kind === 'exit');
  if (events.length === 0) return fromLines.get(process) ?? [];
  return events
    .filter((ev) => !ev.manually)
    .map((ev) => {
      const exit: ExitRecord = { at: ev.at, process, code: ev.exitCode ?? null, signal: ev.signal ?? null, line: '' };
      exit.line = `${process} (pm_id ${ev.pmId}) exited with ${exitCause(exit)} at ${new Date(ev.at).toISOString()}`;
      return exit;
    });
}

interface CounterRise {
  at: number;
  pmId: number;
  from: number;
  to: number;
}

/** Where the samples' restart counter rose inside the window, per pm_id. */
function counterRises(ctx: DetectorContext, process: string): CounterRise[] {
  const rises: CounterRise[] = [];
  const last = new Map<number, number>();
  for (const s of ctx.samplesByProcess.get(process) ?? []) {
    const before = last.get(s.pmId);
    if (before !== undefined && s.restarts > before && s.at >= ctx.since) rises.push({ at: s.at, pmId: s.pmId, from: before, to: s.restarts });
    last.set(s.pmId, s.restarts);
  }
  return rises;
}

/** Restarts seen by the samples' counter inside the window, summed over pm_ids. */
export function sampledRestarts(ctx: DetectorContext, process: string): number {
  return counterRises(ctx, process).reduce((n, r) => n + r.to - r.from, 0);
}

function mostExitsWithin(times: readonly number[], spanMs: number): number {
  let best = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while (times[to] - times[from] > spanMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

function lastErrorBefore(entries: readonly LogEntry[], at: number): LogEntry | undefined {
  // Entries are oldest first: find the last one at or before `at`, then walk back a few seconds.
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].timestamp <= at) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.timestamp < at - CAUSE_LOOKBACK_MS) return undefined;
    if (e.level === 'error' && e.stream !== 'pm2') return e;
  }
  return undefined;
}

function gaveUp(ctx: DetectorContext, process: string): LogEntry | boolean {
  if ((ctx.eventsByProcess.get(process) ?? []).some((ev) => ev.kind === 'restart overlimit')) return true;
  if ((ctx.processInfo.get(process) ?? []).some((p) => p.status === 'errored')) return true;
  return (ctx.byProcess.get(process) ?? []).find((e) => e.stream === 'pm2' && OVERLIMIT_LINE.test(e.message)) ?? false;
}

/** Without exits to point at, the evidence is the samples where the restart counter rose. */
function restartCounterEvidence(ctx: DetectorContext, process: string, restarts: number): Evidence {
  const evidence = EvidenceCollector.for(ctx);
  for (const r of counterRises(ctx, process)) evidence.add(r.at, `pm_id ${r.pmId} restart counter ${r.from} -> ${r.to}`);
  return { ...evidence.build(), count: restarts };
}

function describeCodes(exits: readonly ExitRecord[]): string {
  const counts = new Map<string, number>();
  for (const x of exits) counts.set(exitCause(x), (counts.get(exitCause(x)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([cause, n]) => (n === 1 ? cause : `${cause} ×${n}`)).join(', ');
}

export function detectRestarts(ctx: DetectorContext): Finding[] {
  const t = ctx.thresholds;
  const findings: Finding[] = [];
  for (const process of processesWithExits(ctx)) {
    const exits = exitsOf(ctx, process);
    const stopped = gaveUp(ctx, process);
    const sampled = sampledRestarts(ctx, process);
    if (exits.length === 0 && !stopped && sampled === 0) continue;
    const entries = ctx.byProcess.get(process) ?? [];
    const evidence = EvidenceCollector.for(ctx);
    for (const x of exits) {
      evidence.add(x.at, x.line, x.seq);
      const cause = lastErrorBefore(entries, x.at);
      if (cause) evidence.attach(cause);
    }
    if (typeof stopped === 'object') evidence.attach(stopped);
    const exitAts = exits.map((x) => x.at);
    const intervals = exitAts.slice(1).map((at, i) => at - exitAts[i]);
    const burst = mostExitsWithin(exitAts, t.crashLoopWindowMs);
    const loop = burst >= t.crashLoopMinExits;
    const codes = describeCodes(exits);
    const every = intervals.length > 0 ? `, every ${round(median(intervals) / 1000, 1)} s (median)` : '';
    let severity: Finding['severity'] = 'warning';
    let title: string;
    let summary: string;
    if (stopped) {
      severity = 'critical';
      title = `${process} stopped by PM2 after too many unstable restarts`;
      summary = `PM2 gave up restarting ${process} (status errored)${exits.length > 0 ? ` after ${plural(exits.length, 'unexpected exit')} (${codes})` : ''}.`;
    } else if (loop) {
      severity = 'critical';
      title = `Crash loop in ${process}: ${exits.length} unexpected exits (${codes})${every}`;
      summary = `${process} exited ${burst} times within ${round(t.crashLoopWindowMs / 60_000, 1)} min and PM2 keeps restarting it.`;
    } else if (exits.length > 0) {
      title = `${process} exited unexpectedly ${times(exits.length)} (${codes})`;
      summary = `${plural(exits.length, 'unexpected exit')} of ${process} in the window (${codes}); PM2 restarted it.`;
    } else {
      title = `${process} restarted ${times(sampled)}`;
      summary = `The restart counter of ${process} rose by ${sampled} in the window; no exit events or daemon lines say why.`;
    }
    findings.push({
      id: findingId(DETECTOR, process),
      detector: DETECTOR,
      severity,
      title,
      processes: [process],
      summary,
      evidence: exits.length > 0 || stopped ? evidence.build() : restartCounterEvidence(ctx, process, sampled),
      recommendation:
        'Read the error lines logged just before each exit (attached as evidence): they are the crash reason. ' +
        'Fix the cause rather than relying on restarts; set `exp_backoff_restart_delay` so a crash loop does not hammer dependencies, ' +
        'and `min_uptime`/`max_restarts` so PM2 reports it.',
      data: {
        exits: exits.length,
        exitCodes: codes || null,
        maxExitsInLoopWindow: burst,
        minIntervalMs: intervals.length > 0 ? Math.min(...intervals) : null,
        medianIntervalMs: intervals.length > 0 ? median(intervals) : null,
        sampledRestarts: sampled,
        stoppedByPm2: Boolean(stopped),
      },
    });
  }
  return findings;
}
