// The engine: wires capture -> miner -> buffer -> triggers -> analysis -> report, and owns their
// lifecycle. Both faces (MCP tools, CLI) call only the MonitorEngine methods below.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisActor } from './analysis/analysis-actor.js';
import type { TemplateMiner } from './analysis/miner/template-miner.js';
import { BufferLockedError, LogBuffer } from './buffer/log-buffer.js';
import { readStateFile, writeStateFile } from './buffer/state-file.js';
import { isTriggerState, TriggerEngine } from './buffer/triggers.js';
import type { Config } from './config.js';
import type {
  DaemonState,
  EngineEvent,
  EngineEventKind,
  EngineStatus,
  MonitorEngine,
  MonitorSpec,
  MonitorView,
  WriteReportOptions,
} from './core/engine.js';
import { EngineError, ReadOnlyError, UnknownMonitorError, UnknownProcessError } from './core/errors.js';
import { systemClock, type Clock } from './core/ports.js';
import type {
  AnalysisResult,
  LogEntry,
  LogQuery,
  NewEntry,
  PatternSummary,
  ProcessEvent,
  ProcessInfo,
  QueryResult,
  ReportRecord,
} from './core/types.js';
import { CheckpointStore } from './engine/checkpoint-store.js';
import { entryEvents, processEngineEvent } from './engine/engine-events.js';
import { EventHub } from './engine/event-hub.js';
import { LlmStage } from './engine/llm-stage.js';
import { MinerStore } from './engine/miner-store.js';
import { ReportWriter } from './engine/report-writer.js';
import { Telemetry } from './engine/telemetry.js';
import { Watch } from './engine/watch.js';
import { analyzeStoredWindow, type WindowOptions } from './engine/window-analysis.js';
import { createRedactor, type Redactor } from './ingest/redact.js';
import { Capture, listProcessesOnce } from './pm2/capture.js';
import type { FileCheckpoint } from './pm2/log-tailer.js';
import type { ReportSeries } from './report/render-report.js';

export type LogFn = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

export interface MonitorOptions {
  clock?: Clock;
  /** Diagnostics; never stdout. */
  log?: LogFn;
  /** Attach read-only even when nobody else holds the data directory. */
  readOnly?: boolean;
}

const SAVE_STATE_EVERY_MS = 5_000;
const TRIGGER_POLL_MS = 500;
const READ_ONLY_RELOAD_MS = 1_000;

export class Monitor implements MonitorEngine {
  private readonly hub = new EventHub();
  private readonly watches = new Map<string, Watch>();
  private readonly telemetry: Telemetry;
  private readonly checkpoints: CheckpointStore;
  private readonly reports: ReportWriter;
  private capture?: Capture;
  private daemonState: DaemonState;
  private timers: NodeJS.Timeout[] = [];
  /** Analyses run one at a time, off the capture path: a slow model never slows capture. */
  private readonly actor = new AnalysisActor((work: () => Promise<unknown>) => work());
  readonly redactor: Redactor;
  private readonly llm: LlmStage;
  private lastReloadedSeq = 0;
  /** Whether the miner learned since its last save: saving serialises every template, and each save makes readers re-parse them. */
  private minerDirty = false;
  private closed = false;
  private readonly triggeredInFlight = new Set<string>();
  private unsubscribeDurable?: () => void;

  private constructor(
    readonly config: Config,
    private readonly buffer: LogBuffer,
    private miner: TemplateMiner,
    private readonly minerStore: MinerStore,
    readonly readOnly: boolean,
    private readonly holderPid: number | undefined,
    private readonly clock: Clock,
    private readonly log: LogFn,
  ) {
    const dataDir = config.dataDir!;
    this.checkpoints = new CheckpointStore(join(dataDir, 'checkpoints.json'), (e) => log('error', `saving checkpoints failed: ${e.message}`));
    this.reports = new ReportWriter(config.report, dataDir);
    this.daemonState = { pm2Home: config.pm2Home, alive: false };
    this.redactor = createRedactor({ extraPatterns: config.redaction.extraPatterns, redactEmails: config.redaction.emails, redactIps: config.redaction.ips });
    this.llm = new LlmStage(config.llm, this.redactor.redact, clock);
    this.telemetry = new Telemetry(dataDir, clock);
    this.actor.start();
    this.lastReloadedSeq = buffer.stats().lastSeq ?? 0;
  }

  static async open(config: Config, options: MonitorOptions = {}): Promise<Monitor> {
    const clock = options.clock ?? systemClock;
    const log = options.log ?? (() => {});
    const dataDir = config.dataDir!;
    const bufferOptions = {
      dir: join(dataDir, 'buffer'),
      maxEntries: config.buffer.maxEntries,
      maxBytes: config.buffer.maxBytes,
      fsyncIntervalMs: config.buffer.fsyncIntervalMs,
      onDiskFull: config.buffer.onDiskFull,
      clock,
    };
    let buffer: LogBuffer;
    let holderPid: number | undefined;
    // A reader on a machine where no monitor ever ran has nothing to attach to: it makes the empty buffer.
    let readOnly = (options.readOnly ?? false) && existsSync(bufferOptions.dir);
    try {
      buffer = await LogBuffer.open({ ...bufferOptions, readOnly });
    } catch (error) {
      if (!(error instanceof BufferLockedError)) throw error;
      holderPid = error.pid;
      readOnly = true;
      log('warn', `data directory ${dataDir} is held by pid ${error.pid}: attaching read-only`);
      buffer = await LogBuffer.open({ ...bufferOptions, readOnly: true });
    }
    const minerStore = new MinerStore(dataDir);
    const miner = await minerStore.load((message) => log('warn', message));
    const monitor = new Monitor(config, buffer, miner, minerStore, readOnly, holderPid, clock, log);
    await monitor.telemetry.load(!readOnly);
    return monitor;
  }

  // ---- monitors -------------------------------------------------------------------------------

  /**
   * `persistAs` keeps the monitor's trigger state (last analysis, known error patterns) across
   * restarts under that name: the CLI's background monitor uses it; MCP sessions' monitors do not.
   */
  async startMonitor(spec: MonitorSpec, options: { persistAs?: string } = {}): Promise<MonitorView> {
    this.assertOpen();
    if (spec.processes?.length) await this.assertKnownProcesses(spec.processes);
    const id = `mon-${randomUUID().slice(0, 8)}`;
    const statePath = options.persistAs ? join(this.config.dataDir!, `triggers-${options.persistAs}.json`) : undefined;
    const saved = statePath ? await readStateFile(statePath, isTriggerState) : undefined;
    let triggers: TriggerEngine;
    try {
      triggers = new TriggerEngine(
        {
          ...this.config.triggers,
          flushIntervalMs: spec.flushIntervalMs ?? this.config.triggers.flushIntervalMs,
          sizeThreshold: spec.bufferSize ?? this.config.triggers.sizeThreshold,
          patterns: [...this.config.triggers.patterns, ...(spec.patterns ?? [])],
        },
        this.clock,
        saved,
      );
    } catch (error) {
      throw new EngineError('invalid trigger settings', (error as Error).message);
    }
    const watch = new Watch(id, spec, this.clock.now(), triggers, statePath);
    this.watches.set(id, watch);
    await this.ensureRunning();
    this.log('info', `monitor ${id} started (${spec.processes?.join(', ') || 'all processes'})`);
    return watch.view();
  }

  async stopMonitor(id: string | 'all'): Promise<string[]> {
    const ids = id === 'all' ? [...this.watches.keys()] : [this.watchOf(id).id];
    for (const key of ids) {
      const watch = this.watches.get(key)!;
      if (watch.statePath) await this.saveTriggerState(watch);
      this.watches.delete(key);
    }
    if (this.watches.size === 0) await this.stopRunning();
    return ids;
  }

  private watchOf(id: string): Watch {
    const watch = this.watches.get(id);
    if (!watch) throw new UnknownMonitorError(id, [...this.watches.keys()]);
    return watch;
  }

  // ---- capture lifecycle ------------------------------------------------------------------------

  /** Starts capture (or, read-only, following the writer's buffer) and the trigger loop. */
  private async ensureRunning(): Promise<void> {
    if (this.timers.length > 0) return;
    this.timers.push(setInterval(() => this.pollTriggers(), TRIGGER_POLL_MS));
    if (this.readOnly) {
      this.timers.push(setInterval(() => void this.followWriter(), READ_ONLY_RELOAD_MS));
      return;
    }
    this.timers.push(setInterval(() => void this.saveState(), SAVE_STATE_EVERY_MS));
    await this.startCapture('end');
  }

  /**
   * One-shot use (a report with no background monitor): read what PM2's log files hold since the
   * saved checkpoints, or from their start on a first run, store it, and stop.
   */
  async catchUp(): Promise<void> {
    if (this.readOnly) throw new ReadOnlyError('catch up on PM2 logs', this.holderPid);
    if (this.capture) return;
    await this.startCapture('start');
    await this.stopRunning();
  }

  private async startCapture(firstRunFrom: 'start' | 'end'): Promise<void> {
    if (this.capture) return;
    this.unsubscribeDurable ??= this.buffer.onDurable((seq) => void this.checkpoints.commit(seq));
    const capture = new Capture({
      pm2Home: this.config.pm2Home,
      checkpoints: await this.checkpoints.load(),
      firstRunFrom,
      filter: { names: this.config.capture.processes, namespaces: this.config.capture.namespaces },
      sampleIntervalMs: this.config.capture.sampleIntervalMs,
      redact: this.redactor.redact,
      onError: (error) => this.log('warn', error.message),
      onEntries: (entries, checkpoints) => this.ingest(entries, checkpoints),
      onEvent: (event) => this.onProcessEvent(event),
      onSamples: (samples) => this.telemetry.samples.push(...samples),
      onGap: (gap) => this.telemetry.gaps.push(gap),
      onDaemon: (state) => this.onDaemon(state),
    });
    this.capture = capture;
    await capture.start();
  }

  private async stopRunning(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const capture = this.capture;
    this.capture = undefined;
    await capture?.stop();
    if (!this.readOnly) {
      await this.checkpoints.commit(await this.buffer.flush());
      await this.saveState();
    }
  }

  /** The capture hot path: name patterns, store, feed triggers. Keep it cheap. */
  private ingest(entries: NewEntry[], checkpoints: Record<string, FileCheckpoint>): void {
    if (entries.length > 0) this.minerDirty = true;
    const newPatternIds = new Set<string>();
    for (const entry of entries) {
      const match = this.miner.add(entry.message, { timestamp: entry.timestamp, process: entry.process, level: entry.level });
      entry.patternId = match.id;
      if (match.isNew && (entry.level === 'error' || entry.level === 'warn')) newPatternIds.add(match.id);
    }
    const stored = this.buffer.append(entries);
    const lastSeq = stored.length ? stored[stored.length - 1].seq : this.buffer.lastSeq;
    this.checkpoints.stage(lastSeq, checkpoints);
    this.observe(stored, []);
    // Announced from the stored entries, so that an event carries the seq a client can query.
    const newPatterns = newPatternIds.size ? stored.filter((e) => newPatternIds.delete(e.patternId!)) : [];
    this.announce(stored, newPatterns);
  }

  private observe(entries: readonly LogEntry[], events: readonly ProcessEvent[]): void {
    for (const watch of this.watches.values()) watch.observe(entries, events);
  }

  private announce(stored: readonly LogEntry[], newPatterns: readonly LogEntry[]): void {
    if (this.hub.size === 0) return;
    for (const event of entryEvents(stored, newPatterns)) this.hub.emit(event);
  }

  private onProcessEvent(event: ProcessEvent): void {
    this.telemetry.events.push(event);
    this.observe([], [event]);
    const announced = processEngineEvent(event);
    if (announced) this.hub.emit(announced);
  }

  private onDaemon(state: DaemonState): void {
    const was = this.daemonState;
    this.daemonState = state;
    if (was.alive && !state.alive) this.log('warn', `PM2 daemon at ${state.pm2Home} went away${state.error ? `: ${state.error}` : ''}`);
    if (!was.alive && state.alive) this.log('info', `PM2 daemon at ${state.pm2Home} is up`);
  }

  /** Read-only: pick up what the writing process stored since the last look. */
  private async followWriter(): Promise<void> {
    try {
      await this.buffer.reload();
      if (await this.telemetry.changed()) await this.telemetry.load(false);
      if (await this.minerStore.changed()) this.miner = await this.minerStore.load((message) => this.log('warn', message));
      const fresh = this.buffer.range(this.lastReloadedSeq + 1);
      if (fresh.length) {
        this.lastReloadedSeq = fresh[fresh.length - 1].seq;
        this.observe(fresh, []);
        this.announce(fresh, []);
      }
    } catch (error) {
      this.log('warn', `reading the writer's buffer failed: ${(error as Error).message}`);
    }
  }

  private pollTriggers(): void {
    for (const watch of this.watches.values()) {
      // One triggered analysis per monitor at a time; the trigger keeps counting meanwhile.
      if (this.triggeredInFlight.has(watch.id)) continue;
      const firing = watch.triggers.poll();
      if (!firing) continue;
      watch.lastFiring = firing;
      this.log('info', `monitor ${watch.id}: ${firing.cause} trigger (${firing.detail})`);
      this.triggeredInFlight.add(watch.id);
      const window = { monitorId: watch.id, fromSeq: firing.fromSeq, toSeq: firing.toSeq };
      const work = this.config.triggers.report && !this.readOnly ? this.writeReport(window) : this.analyze(window);
      work
        .then(() => watch.triggers.markAnalyzed(firing.toSeq))
        .catch((error: Error) => this.log('error', `triggered analysis of monitor ${watch.id} failed: ${error.message}`))
        .finally(() => this.triggeredInFlight.delete(watch.id));
    }
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    return this.actor.step(work) as Promise<T>;
  }

  // ---- queries ------------------------------------------------------------------------------------

  async status(monitorId?: string): Promise<EngineStatus> {
    const monitors = monitorId ? [this.watchOf(monitorId).view()] : [...this.watches.values()].map((w) => w.view());
    // Without a running capture, one question to the daemon answers both whether it lives and what it runs.
    const listed = this.capture ? this.capture.processes() : await this.oneShotProcesses().catch(() => undefined);
    const daemon = this.capture ? this.capture.daemon() : { ...this.daemonState, alive: listed !== undefined, lastSeen: listed ? this.clock.now() : this.daemonState.lastSeen };
    return {
      daemon,
      dataDir: this.config.dataDir!,
      readOnly: this.readOnly,
      processes: listed ?? [],
      buffer: this.buffer.stats(),
      monitors,
      gaps: this.telemetry.gaps.toArray().slice(-50),
      llm: { mode: this.config.llm.mode, available: this.llm.available(), callsThisHour: this.llm.callsThisHour() },
    };
  }

  async listProcesses(): Promise<ProcessInfo[]> {
    if (this.capture) return this.capture.processes();
    return (await this.oneShotProcesses()) ?? [];
  }

  queryLogs(query: LogQuery): QueryResult {
    return this.buffer.query(query);
  }

  listPatterns(options: { limit?: number; processes?: string[]; since?: number } = {}): { patterns: PatternSummary[]; total: number } {
    return { patterns: this.miner.summaries(options), total: this.miner.size };
  }

  // ---- analysis and reports ---------------------------------------------------------------------------

  async analyze(options: WindowOptions = {}): Promise<AnalysisResult> {
    return (await this.enqueue(() => this.runAnalysis(options))).result;
  }

  private runAnalysis(options: WindowOptions): Promise<{ result: AnalysisResult; series?: ReportSeries }> {
    const watch = options.monitorId ? this.watchOf(options.monitorId) : undefined;
    const sources = {
      buffer: this.buffer,
      telemetry: this.telemetry,
      miner: this.miner,
      llm: this.llm,
      clock: this.clock,
      maxEntries: this.config.buffer.maxEntries,
      listProcesses: () => this.listProcesses(),
    };
    // Buffered entries without a pattern id are added to the live miner by the analysis.
    this.minerDirty = true;
    return analyzeStoredWindow(sources, options, watch);
  }

  async writeReport(options: WriteReportOptions & Pick<WindowOptions, 'fromSeq' | 'toSeq'> = {}): Promise<ReportRecord> {
    const watch = options.monitorId ? this.watchOf(options.monitorId) : undefined;
    const requested = options.output ?? watch?.spec.reportPath ?? this.config.report.output;
    const roots = options.roots?.length ? options.roots : [this.config.report.root!];
    const prepared = await this.reports.prepare(requested, options.template ?? this.config.report.template, roots);
    const { result, series } = await this.enqueue(() => this.runAnalysis(options));
    const record = await this.reports.write(prepared, result, series);
    if (watch) watch.lastReport = record;
    const { critical, warnings } = record.summary;
    this.hub.emit({ kind: 'report', at: record.generatedAt, reportPath: record.path, summary: `report written to ${record.path}: ${critical} critical, ${warnings} warnings` });
    return record;
  }

  latestReport(): Promise<{ record: ReportRecord; markdown: string } | undefined> {
    return this.reports.history.latest();
  }

  reportHistory(limit?: number): Promise<ReportRecord[]> {
    return this.reports.history.list(limit);
  }

  // ---- events -----------------------------------------------------------------------------------------

  waitForEvent(kinds: EngineEventKind[], timeoutMs: number, signal?: AbortSignal): Promise<EngineEvent | undefined> {
    return this.hub.waitFor(kinds, timeoutMs, signal);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Stop first: that saves the state of persistent monitors, which needs them still listed.
    await this.stopRunning();
    this.watches.clear();
    await this.actor.stop();
    await this.buffer.close();
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new EngineError('the monitor is closed');
  }

  private async assertKnownProcesses(names: string[]): Promise<void> {
    const listed = await this.listProcesses().catch(() => undefined);
    if (!listed) return;
    const missing = (list: ProcessInfo[]) => names.some((n) => !list.some((p) => p.name === n));
    // The capture's list lags a just-started app by up to one refresh: ask the daemon before refusing.
    const known = this.capture && missing(listed) ? await this.capture.refresh().catch(() => listed) : listed;
    const knownNames = [...new Set(known.map((p) => p.name))];
    const unknown = names.filter((n) => !knownNames.includes(n));
    if (unknown.length) throw new UnknownProcessError(unknown, knownNames);
  }

  /** Without a running capture: ask the daemon once, never spawning it; undefined when none runs. */
  private oneShotProcesses(): Promise<ProcessInfo[] | undefined> {
    return listProcessesOnce(this.config.pm2Home);
  }

  private async saveTriggerState(watch: Watch): Promise<void> {
    if (!watch.statePath) return;
    await writeStateFile(watch.statePath, watch.triggers.state()).catch((e: Error) => this.log('error', `saving trigger state failed: ${e.message}`));
  }

  private async saveState(): Promise<void> {
    await this.telemetry.save().catch((e: Error) => this.log('error', `saving telemetry failed: ${e.message}`));
    for (const watch of this.watches.values()) await this.saveTriggerState(watch);
    if (!this.minerDirty) return;
    // Cleared before the write, so that entries ingested while it runs mark the miner again.
    this.minerDirty = false;
    await this.minerStore.save(this.miner).catch((e: Error) => {
      this.minerDirty = true;
      this.log('error', `saving patterns failed: ${e.message}`);
    });
  }
}

export function createMonitor(config: Config, options?: MonitorOptions): Promise<Monitor> {
  return Monitor.open(config, options);
}
