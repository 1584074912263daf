// Decides when an analysis should run and over which entries. Entries and process events are
// observed on the capture path (cheap, no timers); `poll()` turns what was seen into at most one
// firing per debounce/cooldown, so a storm of errors or restarts produces one analysis, not a thousand.
import type { Clock } from '../core/ports.js';
import type { LogEntry, ProcessEvent, TriggerFiring } from '../core/types.js';
import { compileRegex, regexText } from './query.js';

export interface TriggerOptions {
  /** Time trigger: analyse at least this often when new entries arrived. Default 5 min. */
  flushIntervalMs?: number;
  /** Size trigger: this many new entries since the last analysis. Default 1,000. */
  sizeThreshold?: number;
  /** Pattern trigger: regexes tested against each entry's message (see compileRegex for syntax). */
  patterns?: string[];
  /** Error burst: this many error entries within windowMs (entry timestamps). Default 10 in 10 s. */
  burst?: { errors: number; windowMs: number };
  /** Crash loop: this many unplanned exits/restarts of one process within windowMs. Default 3 in 60 s. */
  crashLoop?: { restarts: number; windowMs: number };
  /** A firing waits this long after the first cause, gathering what follows. Default 2 s. */
  debounceMs?: number;
  /** Minimum time between two firings. Default 30 s. */
  cooldownMs?: number;
  /** Error pattern ids remembered as seen (oldest forgotten first). Default 10,000. */
  knownPatternsCap?: number;
}

/** JSON-serialisable; persist it and pass it back to the constructor after a restart. */
export interface TriggerState {
  version: 1;
  lastAnalysisAt: number;
  /** Entries up to this seq have been analysed. */
  analyzedSeq: number;
  lastSeenSeq: number;
  /** Observed entries after analyzedSeq. */
  newEntries: number;
  lastFiringAt?: number;
  knownErrorPatterns: string[];
}

type Cause = TriggerFiring['cause'];
/** When several causes gather in one firing, the most urgent one names it. */
const PRIORITY: Cause[] = ['exception', 'crash-loop', 'error-burst', 'new-error-pattern', 'restart', 'pattern', 'size', 'time', 'manual'];
const STACK_TRACE = /\n\s+at \S|Traceback \(most recent call last\)/;

export function isTriggerState(value: unknown): value is TriggerState {
  const v = value as Partial<TriggerState> | null;
  return (
    typeof v === 'object' && v !== null && v.version === 1 &&
    typeof v.lastAnalysisAt === 'number' && typeof v.analyzedSeq === 'number' &&
    typeof v.lastSeenSeq === 'number' && typeof v.newEntries === 'number' &&
    (v.lastFiringAt === undefined || typeof v.lastFiringAt === 'number') &&
    Array.isArray(v.knownErrorPatterns) && v.knownErrorPatterns.every((id) => typeof id === 'string')
  );
}

function check(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export class TriggerEngine {
  private readonly flushIntervalMs: number;
  private readonly sizeThreshold: number;
  private readonly patterns: RegExp[];
  private readonly burst: { errors: number; windowMs: number };
  private readonly crashLoop: { restarts: number; windowMs: number };
  private readonly debounceMs: number;
  private readonly cooldownMs: number;
  private readonly knownCap: number;
  private lastAnalysisAt: number;
  private analyzedSeq: number;
  private lastSeenSeq: number;
  private newEntries: number;
  private lastFiringAt: number | undefined;
  private readonly known: Set<string>;
  private readonly candidates = new Map<Cause, string>();
  private firstCandidateAt: number | undefined;
  private lastFiringToSeq: number | undefined;
  private afterFiring = 0;
  private readonly recentErrors: Array<{ at: number; process: string }> = [];
  private readonly exits = new Map<string, number[]>();

  constructor(options: TriggerOptions, private readonly clock: Clock, state?: TriggerState) {
    this.flushIntervalMs = check('flushIntervalMs', options.flushIntervalMs, 300_000);
    this.sizeThreshold = check('sizeThreshold', options.sizeThreshold, 1000);
    this.patterns = (options.patterns ?? []).map((source) => compileRegex(source, 'pattern'));
    this.burst = {
      errors: check('burst.errors', options.burst?.errors, 10),
      windowMs: check('burst.windowMs', options.burst?.windowMs, 10_000),
    };
    this.crashLoop = {
      restarts: check('crashLoop.restarts', options.crashLoop?.restarts, 3),
      windowMs: check('crashLoop.windowMs', options.crashLoop?.windowMs, 60_000),
    };
    this.debounceMs = check('debounceMs', options.debounceMs, 2000, 0);
    this.cooldownMs = check('cooldownMs', options.cooldownMs, 30_000, 0);
    this.knownCap = check('knownPatternsCap', options.knownPatternsCap, 10_000);
    this.lastAnalysisAt = state?.lastAnalysisAt ?? clock.now();
    this.analyzedSeq = state?.analyzedSeq ?? 0;
    this.lastSeenSeq = state?.lastSeenSeq ?? 0;
    this.newEntries = state?.newEntries ?? 0;
    this.lastFiringAt = state?.lastFiringAt;
    this.known = new Set(state?.knownErrorPatterns.slice(-this.knownCap));
  }

  private propose(cause: Cause, detail: string): void {
    if (this.candidates.size === 0) this.firstCandidateAt = this.clock.now();
    if (!this.candidates.has(cause)) this.candidates.set(cause, detail);
  }

  observe(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.seq <= this.lastSeenSeq) continue;
      // A new engine's first window starts at the first entry it sees, not at the buffer's seq 1.
      if (this.lastSeenSeq === 0 && this.analyzedSeq === 0) this.analyzedSeq = entry.seq - 1;
      this.lastSeenSeq = entry.seq;
      this.newEntries++;
      if (this.lastFiringToSeq !== undefined) this.afterFiring++;
      if (this.patterns.length > 0) this.matchPatterns(entry);
      if (entry.level === 'error') this.observeError(entry);
    }
    if (this.newEntries >= this.sizeThreshold) this.propose('size', `${this.newEntries} new entries since the last analysis (threshold ${this.sizeThreshold})`);
  }

  private matchPatterns(entry: LogEntry): void {
    const text = regexText(entry.message);
    for (const re of this.patterns) {
      if (re.test(text)) {
        this.propose('pattern', `/${re.source}/ matched a line of ${entry.process} (seq ${entry.seq})`);
        return;
      }
    }
  }

  private observeError(entry: LogEntry): void {
    const stack = entry.fields?.stack;
    if (typeof stack === 'string' || STACK_TRACE.test(entry.message)) {
      this.propose('exception', `${entry.process}: ${entry.message.split('\n', 1)[0].slice(0, 200)} (seq ${entry.seq})`);
    }
    const recent = this.recentErrors;
    recent.push({ at: entry.timestamp, process: entry.process });
    if (recent.length > this.burst.errors) recent.shift();
    if (recent.length === this.burst.errors && recent[recent.length - 1].at - recent[0].at <= this.burst.windowMs) {
      const byProcess = new Map<string, number>();
      for (const { process } of recent) byProcess.set(process, (byProcess.get(process) ?? 0) + 1);
      const who = [...byProcess].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name}: ${n}`).join(', ');
      this.propose('error-burst', `${this.burst.errors} errors within ${this.burst.windowMs / 1000} s (${who})`);
      recent.length = 0;
    }
    if (entry.patternId !== undefined) {
      if (this.known.has(entry.patternId)) return;
      this.known.add(entry.patternId);
      if (this.known.size > this.knownCap) this.known.delete(this.known.values().next().value as string);
      this.propose('new-error-pattern', `first error of pattern ${entry.patternId} in ${entry.process}: ${entry.message.split('\n', 1)[0].slice(0, 200)}`);
    }
  }

  observeEvents(events: readonly ProcessEvent[]): void {
    for (const event of events) {
      if (event.kind === 'exception') {
        const what = [event.errorName, event.message].filter(Boolean).join(': ') || 'uncaught exception';
        this.propose('exception', `${event.process}: ${what.slice(0, 200)}`);
      } else if (event.kind === 'restart overlimit') {
        this.propose('crash-loop', `${event.process}: PM2 gave up restarting it (restart overlimit)`);
      } else if ((event.kind === 'exit' || event.kind === 'restart') && !event.manually) {
        this.observeExit(event);
      }
    }
  }

  private observeExit(event: ProcessEvent): void {
    const times = this.exits.get(event.process) ?? [];
    times.push(event.at);
    if (times.length > this.crashLoop.restarts) times.shift();
    this.exits.set(event.process, times);
    const { restarts, windowMs } = this.crashLoop;
    if (times.length === restarts && times[times.length - 1] - times[0] <= windowMs) {
      this.propose('crash-loop', `${event.process} exited ${restarts} times within ${windowMs / 1000} s`);
      return;
    }
    const how = event.exitCode !== undefined && event.exitCode !== null ? ` with code ${event.exitCode}` : event.signal ? ` by ${event.signal}` : '';
    this.propose('restart', `${event.process} ${event.kind === 'exit' ? 'exited' : 'restarted'}${how}`);
  }

  poll(): TriggerFiring | undefined {
    const now = this.clock.now();
    if (this.lastSeenSeq > this.analyzedSeq && now - this.lastAnalysisAt >= this.flushIntervalMs) {
      this.propose('time', `${Math.round((now - this.lastAnalysisAt) / 1000)} s since the last analysis, ${this.newEntries} new entries`);
    }
    if (this.candidates.size === 0 || this.firstCandidateAt === undefined) return undefined;
    if (now < this.firstCandidateAt + this.debounceMs) return undefined;
    if (this.lastFiringAt !== undefined && now < this.lastFiringAt + this.cooldownMs) return undefined;
    const causes = PRIORITY.filter((cause) => this.candidates.has(cause));
    const [cause, ...others] = causes;
    const detail = this.candidates.get(cause) as string;
    const firing: TriggerFiring = {
      cause,
      detail: others.length > 0 ? `${detail}; also: ${others.join(', ')}` : detail,
      at: now,
      fromSeq: this.analyzedSeq + 1,
      toSeq: Math.max(this.lastSeenSeq, this.analyzedSeq),
    };
    this.candidates.clear();
    this.firstCandidateAt = undefined;
    this.lastFiringAt = now;
    this.lastFiringToSeq = firing.toSeq;
    this.afterFiring = 0;
    return firing;
  }

  /** Records that entries up to `toSeq` were analysed (after a firing, or a manual analysis). */
  markAnalyzed(toSeq: number): void {
    if (this.lastFiringToSeq !== undefined && toSeq >= this.lastFiringToSeq) this.newEntries = this.afterFiring;
    else if (toSeq >= this.lastSeenSeq) this.newEntries = 0;
    this.analyzedSeq = Math.max(this.analyzedSeq, toSeq);
    this.lastAnalysisAt = this.clock.now();
    this.candidates.delete('time');
    if (this.newEntries < this.sizeThreshold) this.candidates.delete('size');
    if (this.candidates.size === 0) this.firstCandidateAt = undefined;
  }

  state(): TriggerState {
    const state: TriggerState = {
      version: 1,
      lastAnalysisAt: this.lastAnalysisAt,
      analyzedSeq: this.analyzedSeq,
      lastSeenSeq: this.lastSeenSeq,
      newEntries: this.newEntries,
      knownErrorPatterns: [...this.known],
    };
    if (this.lastFiringAt !== undefined) state.lastFiringAt = this.lastFiringAt;
    return state;
  }
}
