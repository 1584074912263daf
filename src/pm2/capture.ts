// The PM2 side of capture: one daemon (one PM2 home) into entries, events, samples and gaps.
//
// Where each thing comes from:
// - Lines of a process with a log file: that file, tailed with a checkpoint (file-source.ts). The file
//   is the durable record: it is caught up after a monitor restart or a daemon outage.
// - Lines of a stream whose log goes to /dev/null: the bus (its only source; lost while disconnected).
//   Bus packets of file-backed streams are skipped undecoded, so no line arrives twice.
// - Daemon messages (log:PM2), process events and exceptions: the bus.
// - The process list, pids and resource samples: getMonitorData, on an interval and after events.
// New processes are read from the start of their files; on the monitor's first run (no checkpoints)
// the files of processes that already exist are followed from their end (or `firstRunFrom`).
// Checkpoints are exact after a clean stop (no line lost or repeated); after a crash the last one
// persisted is at most about a second behind, and those lines are read again.
// Gaps reported: the daemon unreachable, the bus alone dropped, files truncated or copy-truncated
// (what PM2's own rotation loses). Not detectable: the mid-line fragment PM2 drops with `--time` in
// fork mode, which never reaches the file or the bus.
import type { DaemonState } from '../core/engine.js';
import type { CoverageGap, MetricSample, NewEntry, ProcessEvent, ProcessInfo } from '../core/types.js';
import { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { SourceContext } from '../ingest/parse-entry.js';
import { BusListener } from './bus-listener.js';
import { BusLines, busKey, type LineStream } from './bus-lines.js';
import { EntryDelivery } from './entry-delivery.js';
import { FileSource } from './file-source.js';
import type { FileCheckpoint, TailGap } from './log-tailer.js';
import { MetricsSampler } from './metrics-sampler.js';
import { OutageTracker } from './outage-tracker.js';
import { DaemonDownError, Pm2Connection, pingDaemon } from './pm2-connection.js';
import { ProcessRegistry, matchesFilter, toProcessInfo, type ProcessFilter, type RegistryChange } from './process-registry.js';

export interface CaptureOptions {
  pm2Home: string;
  /** Keyed by log file path, from the last run. */
  checkpoints?: Record<string, FileCheckpoint>;
  /**
   * On a first run (no checkpoints), where the files of processes that already exist are read from:
   * 'end' (default: a monitor watches what happens from now on) or 'start' (a one-shot catch-up).
   */
  firstRunFrom?: 'start' | 'end';
  filter?: ProcessFilter;
  redact?: (text: string) => string;
  /** Default 5000 ms. */
  sampleIntervalMs?: number;
  /** `checkpoints` are valid once these entries (and every earlier one) are stored. The object is frozen. */
  onEntries: (entries: NewEntry[], checkpoints: Record<string, FileCheckpoint>) => void;
  onEvent?: (event: ProcessEvent) => void;
  onSamples?: (samples: MetricSample[]) => void;
  onGap?: (gap: CoverageGap) => void;
  onDaemon?: (state: DaemonState) => void;
  /** Problems that are not gaps: a daemon call that timed out, an undecodable bus packet. */
  onError?: (error: Error) => void;
  /** Tailer poll interval, ms (default 250). */
  pollIntervalMs?: number;
}

const IDLE_FLUSH_MS = 100;
const FINISH_DELAY_MS = 300;

/** The process list of the daemon at `pm2Home` asked once, or undefined when no daemon runs. Never starts one. */
export async function listProcessesOnce(pm2Home: string, timeoutMs = 5000): Promise<ProcessInfo[] | undefined> {
  if (!(await pingDaemon(pm2Home, Math.min(timeoutMs, 1000)))) return undefined;
  const connection = new Pm2Connection({ pm2Home, callTimeoutMs: timeoutMs });
  try {
    await connection.start();
    return (await connection.list()).map(toProcessInfo).sort((a, b) => a.pmId - b.pmId);
  } catch (err) {
    if (err instanceof DaemonDownError) return undefined;
    throw err;
  } finally {
    await connection.close();
  }
}

function logPathOf(info: ProcessInfo, stream: LineStream): string | undefined {
  return stream === 'out' ? info.outLogPath : info.errLogPath;
}

export class Capture {
  private readonly connection: Pm2Connection;
  private readonly registry: ProcessRegistry;
  private readonly sampler: MetricsSampler | undefined;
  private readonly bus: BusListener;
  private readonly pipeline: IngestPipeline;
  private readonly files = new Map<string, FileSource>();
  private readonly busLines: BusLines;
  private readonly delivery: EntryDelivery;
  private readonly firstRun: boolean;
  /** Where to resume a file when it is followed again: the last run's checkpoints, then those of files let go. */
  private readonly resume: Record<string, FileCheckpoint>;
  /**
   * Log files of the processes in the first list: on a first run they are followed from their end.
   * Taken from the first change seen before start() is done (after that, a process listed is new).
   */
  private initial: Set<string> | undefined;
  private ready = false;
  private stopped = false;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private readonly outages = new OutageTracker();
  private readonly finishing = new Map<number, NodeJS.Timeout>();

  constructor(private readonly options: CaptureOptions) {
    this.firstRun = !options.checkpoints || Object.keys(options.checkpoints).length === 0;
    this.resume = { ...options.checkpoints };
    this.delivery = new EntryDelivery({
      onEntries: options.onEntries,
      checkpoints: () => this.fileCheckpoints(),
      onConsumerError: (err, count) => this.gap({ kind: 'dropped', at: Date.now(), count, detail: `the entry consumer threw: ${err.message}` }),
    });
    this.pipeline = new IngestPipeline({ onEntries: (entries) => this.delivery.collect(entries), redact: options.redact, idleFlushMs: IDLE_FLUSH_MS });
    this.busLines = new BusLines({
      pipeline: this.pipeline,
      section: (fn) => this.delivery.section(fn),
      isKnown: (pmId) => this.registry.get(pmId) !== undefined || this.registry.isExcluded(pmId),
      isUnwanted: (pmId, stream) => !this.busWanted(pmId, stream),
      onUnknown: () => {
        if (this.ready) this.registry.noteEvent();
      },
      onGap: (gap) => this.gap(gap),
    });
    this.connection = new Pm2Connection({ pm2Home: options.pm2Home, onState: (state) => this.onDaemonState(state) });
    this.registry = new ProcessRegistry({
      list: () => this.connection.list(),
      filter: options.filter,
      onChange: (change) => this.onRegistryChange(change),
      onError: (err) => this.reportError(err),
    });
    if (options.onSamples) {
      const onSamples = options.onSamples;
      this.sampler = new MetricsSampler({
        read: () => this.registry.refresh(),
        onSamples,
        intervalMs: options.sampleIntervalMs,
        onError: (err) => this.reportError(err),
      });
    }
    this.bus = new BusListener({
      connection: this.connection,
      wantsLines: (pmId, stream) => this.busWanted(pmId, stream),
      onChunk: (chunk) => this.busLines.write(chunk),
      onEvent: (event) => this.onProcessEvent(event),
      onStatus: (connected) => this.onBusStatus(connected),
      onError: (err) => this.reportError(err),
    });
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('Capture.start() was already called');
    this.started = true;
    this.bus.start();
    const state = await this.connection.start();
    if (state.alive) await this.refresh().catch((err: Error) => this.reportError(err));
    // Whatever the first list held (maybe nothing) existed before us; anything listed later is new.
    this.ready = true;
    // The sampler's reading is a registry refresh: with one, the registry needs no timer of its own.
    if (this.sampler) this.sampler.start();
    else this.registry.start();
    this.timer = setInterval(() => this.tick(), IDLE_FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.finishing.values()) clearTimeout(timer);
    this.sampler?.stop();
    this.registry.stop();
    this.bus.stop();
    await this.syncing;
    await Promise.all([...this.files.values()].map((source) => source.stop()));
    this.busLines.endAll(Date.now(), true);
    await this.connection.close();
  }

  processes(): ProcessInfo[] {
    return this.registry.processes();
  }

  daemon(): DaemonState {
    return this.connection.state();
  }

  /** Reads the list now and follows any new log file before resolving. Rejects with DaemonDownError while no daemon answers. */
  async refresh(): Promise<ProcessInfo[]> {
    const list = await this.registry.refresh();
    await this.syncing;
    return list;
  }

  /** Whether the bus copy of these lines is taken: not for a process left out, nor for a stream its file has. */
  private busWanted(pmId: number, stream: LineStream): boolean {
    if (this.registry.isExcluded(pmId)) return false;
    const info = this.registry.get(pmId);
    return !info || !logPathOf(info, stream);
  }

  private onRegistryChange(change: RegistryChange): void {
    if (!this.ready && !this.initial) {
      this.initial = new Set(change.added.flatMap((p) => [p.outLogPath, p.errLogPath]).filter((path): path is string => !!path));
    }
    this.syncing = this.syncing.then(() => this.sync()).catch((err: Error) => this.reportError(err));
  }

  /** Follows the log files of the listed processes, stops following those of processes gone. */
  private async sync(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map<string, { stream: LineStream; owner: ProcessInfo; shared: boolean }>();
    const bus = new Map<string, SourceContext>();
    for (const info of this.registry.processes()) {
      for (const stream of ['out', 'err'] as const) {
        const path = logPathOf(info, stream);
        if (!path) bus.set(busKey(info.pmId, stream), this.contextOf(info, stream, false));
        else if (wanted.has(path)) wanted.get(path)!.shared = true;
        else wanted.set(path, { stream, owner: info, shared: false });
      }
    }
    const gone = [...this.files.values()].filter((source) => !wanted.has(source.path));
    for (const source of gone) this.files.delete(source.path);
    const starting: Array<Promise<void>> = gone.map(async (source) => {
      await source.finish();
      await source.stop();
      // The same file may come back (a daemon restart lists nothing for a moment): resume it here.
      const checkpoint = source.checkpoint();
      if (checkpoint) this.resume[source.path] = checkpoint;
    });
    for (const [path, want] of wanted) {
      const context = this.contextOf(want.owner, want.stream, want.shared);
      const existing = this.files.get(path);
      if (existing) {
        existing.context = context;
        continue;
      }
      const source = this.createSource(path, context, this.firstRun && this.initial?.has(path) ? (this.options.firstRunFrom ?? 'end') : 'start');
      this.files.set(path, source);
      starting.push(source.start());
    }
    this.delivery.checkpointsMoved();
    await Promise.all(starting);
    this.busLines.setSources(bus);
  }

  private createSource(path: string, context: SourceContext, startAt: 'start' | 'end'): FileSource {
    const base = {
      path,
      context,
      startAt,
      pipeline: this.pipeline,
      pollIntervalMs: this.options.pollIntervalMs,
      idleFlushMs: IDLE_FLUSH_MS,
      section: (fn: () => void) => this.delivery.section(fn),
      onGap: (gap: TailGap) => this.onTailGap(gap, context.process),
      onError: (err: Error) => this.onTailError(err, context.process),
      onCheckpoint: () => this.delivery.checkpointsMoved(),
      now: Date.now,
    };
    const checkpoint = this.resume[path];
    try {
      return new FileSource({ ...base, checkpoint });
    } catch (err) {
      this.gap({ kind: 'source-error', at: Date.now(), process: context.process, detail: `ignored an unusable checkpoint for ${path}: ${(err as Error).message}; reading the file from its start` });
      return new FileSource({ ...base, startAt: 'start' });
    }
  }

  private contextOf(info: ProcessInfo, stream: LineStream, shared: boolean): SourceContext {
    const context: SourceContext = { process: info.name, pmId: info.pmId, namespace: info.namespace, stream };
    // Instances of a cluster app with merged logs share one file: its lines cannot be told apart.
    if (!shared && info.pid !== undefined) context.pid = info.pid;
    if (!shared && info.instance !== undefined) context.instance = info.instance;
    if (info.logDateFormat) context.logDateFormat = info.logDateFormat;
    if (this.registry.isJsonWrapped(info.pmId)) context.jsonWrapped = true;
    return context;
  }

  private onProcessEvent(event: ProcessEvent): void {
    if (this.ready) this.registry.noteEvent();
    if (event.kind === 'exit' || event.kind === 'stop' || event.kind === 'delete') this.scheduleFinish(event.pmId);
    else if (event.kind === 'online' || event.kind === 'start') this.finishNow(event.pmId);
    const info = this.registry.get(event.pmId);
    const wanted = info
      ? true
      : !this.registry.isExcluded(event.pmId) && !this.options.filter?.namespaces?.length && matchesFilter({ name: event.process, pmId: event.pmId } as ProcessInfo, this.options.filter);
    if (wanted) this.options.onEvent?.(event);
  }

  /**
   * A run ended: its unfinished line must end before the next run (or another app reusing the
   * pm_id) writes. Not at once: PM2 announces the exit before the last chunk of the child's pipe has
   * reached the file. The next run's 'online' comes before that run has written anything, so that
   * is the moment; a run that is not followed by another is closed after FINISH_DELAY_MS.
   */
  private scheduleFinish(pmId: number): void {
    if (this.finishing.has(pmId)) return;
    const timer = setTimeout(() => this.finishNow(pmId), FINISH_DELAY_MS);
    timer.unref();
    this.finishing.set(pmId, timer);
  }

  private finishNow(pmId: number): void {
    const timer = this.finishing.get(pmId);
    if (!timer) return;
    clearTimeout(timer);
    this.finishing.delete(pmId);
    this.busLines.end(pmId, Date.now());
    for (const source of this.files.values()) {
      if (source.context.pmId === pmId && source.context.pid !== undefined) void source.finish();
    }
  }

  private onDaemonState(state: DaemonState): void {
    const now = Date.now();
    const outage = this.outages.daemon(state.alive, now, state.lastSeen);
    // The processes died with the daemon: their unfinished bus lines are complete.
    if (!state.alive) this.busLines.endAll(now, false);
    if (outage) {
      const lost = this.busLines.size > 0 ? 'lines of processes without a log file written meanwhile are lost' : 'log files were caught up';
      this.gap({ kind: 'daemon-down', at: outage.since, durationMs: outage.durationMs, detail: `the PM2 daemon at ${this.options.pm2Home} was unreachable for ${Math.round(outage.durationMs / 1000)} s; ${lost}` });
      if (this.ready) {
        this.refresh().catch((err: Error) => this.reportError(err));
        for (const source of this.files.values()) void source.readNow();
      }
    }
    this.options.onDaemon?.(state);
  }

  private onBusStatus(connected: boolean): void {
    const outage = this.outages.bus(connected, Date.now());
    if (!outage || this.busLines.size === 0) return;
    this.gap({ kind: 'dropped', at: outage.since, durationMs: outage.durationMs, detail: 'the PM2 bus connection dropped; lines of processes without a log file written meanwhile are lost' });
  }

  private onTailGap(gap: TailGap, process: string): void {
    const lost = gap.lostBytes !== undefined ? ` (${gap.lostBytes} bytes)` : '';
    this.gap({ kind: gap.kind === 'replaced' ? 'source-error' : 'pm2-lost', at: Date.now(), process, detail: `${gap.detail}${lost}` });
  }

  private onTailError(err: Error, process: string): void {
    // A log file that does not exist yet is normal until the process writes its first line.
    if ((err as { code?: string }).code === 'ENOENT') return;
    this.gap({ kind: 'source-error', at: Date.now(), process, detail: err.message });
    this.reportError(err);
  }

  private tick(): void {
    const now = Date.now();
    this.delivery.section(() => {
      for (const source of this.files.values()) source.tick(now);
      this.pipeline.tick(now);
    });
  }

  private *fileCheckpoints(): Iterable<FileCheckpoint> {
    for (const source of this.files.values()) {
      const checkpoint = source.checkpoint();
      if (checkpoint) yield checkpoint;
    }
  }

  private gap(gap: CoverageGap): void {
    this.options.onGap?.(gap);
  }

  private reportError(err: Error): void {
    if (err instanceof DaemonDownError || this.stopped) return;
    this.options.onError?.(err);
  }
}
