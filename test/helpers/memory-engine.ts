// A MonitorEngine over plain arrays, for the MCP face's tests before and beside the real monitor.
// Real logic, small scale: filters, seq cursors, templates, waitForEvent, reports on disk.
import { EventHub } from '../../src/engine/event-hub.js';
import { reportSummary } from '../../src/engine/report-writer.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type {
  AnalyzeOptions,
  DaemonState,
  EngineEvent,
  EngineEventKind,
  EngineStatus,
  MonitorEngine,
  MonitorSpec,
  MonitorView,
  WriteReportOptions,
} from '../../src/core/engine.js';
import { UnknownMonitorError } from '../../src/core/errors.js';
import type { Clock } from '../../src/core/ports.js';
import type {
  AnalysisResult,
  BufferStats,
  Finding,
  LogEntry,
  LogQuery,
  NewEntry,
  PatternSummary,
  ProcessInfo,
  QueryResult,
  ReportRecord,
} from '../../src/core/types.js';

export function templateOf(message: string): string {
  return message.replace(/\b\d+(?:\.\d+)?\b/g, '<*>');
}

function patternIdOf(template: string): string {
  let hash = 0;
  for (const ch of template) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `p${hash.toString(16)}`;
}

export function processInfo(name: string, pmId: number, overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pmId,
    name,
    namespace: 'default',
    pid: 1000 + pmId,
    execMode: 'fork',
    status: 'online',
    restarts: 0,
    unstableRestarts: 0,
    uptimeSince: 1_700_000_000_000,
    cpu: 1.5,
    memory: 50_000_000,
    ...overrides,
  };
}

export class MemoryEngine implements MonitorEngine {
  readonly entries: LogEntry[] = [];
  processes: ProcessInfo[] = [];
  daemon: DaemonState = { pm2Home: '/tmp/pm2-home-test', alive: true };
  readonly monitors = new Map<string, MonitorView>();
  readonly reports: Array<{ record: ReportRecord; markdown: string }> = [];
  /** Analyses run, with the options they got (samplingLlm included), newest last. */
  readonly analyses: AnalyzeOptions[] = [];
  private hub = new EventHub();
  private nextSeq = 1;
  private nextMonitor = 1;

  constructor(
    private readonly reportRoot: string,
    private readonly clock: Clock = { now: () => Date.now() },
  ) {}

  /** Stores entries as the capture path would, announcing error lines. */
  append(entries: NewEntry[]): LogEntry[] {
    const stored = entries.map((e) => ({ ...e, patternId: e.patternId ?? patternIdOf(templateOf(e.message)), seq: this.nextSeq++ }));
    this.entries.push(...stored);
    for (const entry of stored) {
      if (entry.level === 'error') {
        this.emit({ kind: 'error', at: entry.timestamp, process: entry.process, summary: entry.message, seq: entry.seq });
      }
    }
    return stored;
  }

  emit(event: EngineEvent): void {
    this.hub.emit(event);
  }

  async startMonitor(spec: MonitorSpec): Promise<MonitorView> {
    const view: MonitorView = { id: `m${this.nextMonitor++}`, spec, createdAt: this.clock.now() };
    this.monitors.set(view.id, view);
    return view;
  }

  async stopMonitor(id: string): Promise<string[]> {
    const ids = id === 'all' ? [...this.monitors.keys()] : this.monitors.has(id) ? [id] : [];
    for (const stopped of ids) this.monitors.delete(stopped);
    return ids;
  }

  async status(monitorId?: string): Promise<EngineStatus> {
    if (monitorId !== undefined && !this.monitors.has(monitorId)) throw new UnknownMonitorError(monitorId, [...this.monitors.keys()]);
    return {
      daemon: this.daemon,
      dataDir: join(this.reportRoot, '.data'),
      readOnly: false,
      processes: await this.listProcesses(),
      buffer: this.bufferStats(),
      monitors: [...this.monitors.values()].filter((m) => monitorId === undefined || m.id === monitorId),
      gaps: [],
      llm: { mode: 'auto', available: [], callsThisHour: 0 },
    };
  }

  private bufferStats(): BufferStats {
    const first = this.entries[0];
    const last = this.entries[this.entries.length - 1];
    return {
      entries: this.entries.length,
      bytesOnDisk: 0,
      segments: 0,
      firstSeq: first?.seq,
      lastSeq: last?.seq,
      oldestTimestamp: first?.timestamp,
      newestTimestamp: last?.timestamp,
      maxEntries: 1_000_000,
      maxBytes: 0,
      drops: { evicted: 0, rejected: 0, corrupt: 0 },
    };
  }

  async listProcesses(): Promise<ProcessInfo[]> {
    return this.daemon.alive ? this.processes : [];
  }

  private matches(entry: LogEntry, q: LogQuery, search: ((text: string) => boolean) | undefined): boolean {
    if (q.processes && !q.processes.includes(entry.process)) return false;
    if (q.pmIds && !q.pmIds.includes(entry.pmId)) return false;
    if (q.levels && !q.levels.includes(entry.level)) return false;
    if (q.streams && !q.streams.includes(entry.stream)) return false;
    if (q.since !== undefined && entry.timestamp < q.since) return false;
    if (q.until !== undefined && entry.timestamp >= q.until) return false;
    if (q.fromSeq !== undefined && entry.seq < q.fromSeq) return false;
    if (q.toSeq !== undefined && entry.seq >= q.toSeq) return false;
    if (q.patternId !== undefined && entry.patternId !== q.patternId) return false;
    return search === undefined || search(entry.message);
  }

  queryLogs(query: LogQuery): QueryResult {
    let search: ((text: string) => boolean) | undefined;
    if (query.search !== undefined) {
      const needle = query.search;
      const re = query.regex ? new RegExp(needle, 'i') : undefined;
      search = re ? (text) => re.test(text) : (text) => text.toLowerCase().includes(needle.toLowerCase());
    }
    const matched = this.entries.filter((e) => this.matches(e, query, search));
    if (query.order === 'desc') matched.reverse();
    const offset = query.cursor ? Number(Buffer.from(query.cursor, 'base64url').toString()) : 0;
    const limit = query.limit ?? 100;
    const page = matched.slice(offset, offset + limit);
    const next = offset + page.length;
    return {
      entries: page,
      matched: matched.length,
      total: this.entries.length,
      ...(next < matched.length ? { nextCursor: Buffer.from(String(next)).toString('base64url') } : {}),
    };
  }

  listPatterns(options: { limit?: number; processes?: string[]; since?: number } = {}): { patterns: PatternSummary[]; total: number } {
    const byId = new Map<string, PatternSummary>();
    for (const e of this.entries) {
      if (options.processes && !options.processes.includes(e.process)) continue;
      if (options.since !== undefined && e.timestamp < options.since) continue;
      const template = templateOf(e.message);
      const id = e.patternId ?? patternIdOf(template);
      const p = byId.get(id) ?? {
        id,
        template,
        count: 0,
        firstSeen: e.timestamp,
        lastSeen: e.timestamp,
        processes: [],
        levels: {},
        examples: [],
        wildcards: [],
        perMinute: [],
      };
      p.count += 1;
      p.lastSeen = e.timestamp;
      if (!p.processes.includes(e.process)) p.processes.push(e.process);
      p.levels[e.level] = (p.levels[e.level] ?? 0) + 1;
      if (p.examples.length < 3) p.examples.push(e.message);
      byId.set(id, p);
    }
    const all = [...byId.values()].sort((a, b) => b.count - a.count);
    return { patterns: all.slice(0, options.limit ?? 20), total: all.length };
  }

  async analyze(options: AnalyzeOptions = {}): Promise<AnalysisResult> {
    this.analyses.push(options);
    const processes = options.processes ?? (options.monitorId ? this.monitors.get(options.monitorId)?.spec.processes : undefined);
    if (options.monitorId !== undefined && !this.monitors.has(options.monitorId)) {
      throw new UnknownMonitorError(options.monitorId, [...this.monitors.keys()]);
    }
    const window = this.entries.filter((e) => this.matches(e, { processes, since: options.since, until: options.until }, undefined));
    options.onProgress?.(1, 3, 'selected window');
    const errors = window.filter((e) => e.level === 'error');
    const groups = new Map<string, LogEntry[]>();
    for (const e of errors) groups.set(templateOf(e.message), [...(groups.get(templateOf(e.message)) ?? []), e]);
    const findings: Finding[] = [...groups.entries()].map(([template, lines]) => ({
      id: `errors:${patternIdOf(template)}`,
      detector: 'error-pattern',
      severity: lines.length >= 3 ? 'critical' : 'warning',
      title: `${lines.length} × ${template}`,
      processes: [...new Set(lines.map((l) => l.process))],
      summary: `${template} happened ${lines.length} times`,
      evidence: {
        seqs: lines.map((l) => l.seq),
        count: lines.length,
        firstSeen: lines[0].timestamp,
        lastSeen: lines[lines.length - 1].timestamp,
        samples: lines.slice(0, 3).map((l) => l.message),
      },
      recommendation: 'look at the first occurrence',
    }));
    options.onProgress?.(2, 3, 'findings ready');
    const result: AnalysisResult = {
      window: {
        fromSeq: window[0]?.seq ?? 0,
        toSeq: (window[window.length - 1]?.seq ?? 0) + 1,
        since: options.since ?? window[0]?.timestamp ?? this.clock.now(),
        until: options.until ?? this.clock.now(),
      },
      generatedAt: this.clock.now(),
      mode: 'heuristic',
      totals: {
        entries: window.length,
        errors: errors.length,
        warnings: window.filter((e) => e.level === 'warn').length,
        errorRate: window.length ? errors.length / window.length : 0,
        processes: [...new Set(window.map((e) => e.process))],
      },
      findings,
      patterns: this.listPatterns({ processes, since: options.since }).patterns,
      metrics: [],
      gaps: [],
      notes: [],
    };
    if (options.samplingLlm && options.useLlm !== false) {
      const answer = await options.samplingLlm.complete({
        system: 'You explain log findings.',
        user: findings.map((f) => f.title).join('\n') || 'no findings',
        maxTokens: 100_000,
        signal: options.signal,
      });
      result.mode = 'llm-sampling';
      result.model = answer.model;
      result.narrative = { summary: answer.text, rootCauses: [], recommendations: [] };
    }
    options.onProgress?.(3, 3, 'done');
    return result;
  }

  async writeReport(options: WriteReportOptions = {}): Promise<ReportRecord> {
    const result = await this.analyze(options);
    const root = resolve(options.roots?.[0] ?? this.reportRoot);
    const path = resolve(root, options.output ?? 'docs/report.md');
    const inside = relative(root, path);
    if (inside.startsWith('..') || isAbsolute(inside)) throw new Error(`report path ${path} is outside the allowed root ${root}`);
    const markdown = [`# Incident report`, '', ...result.findings.map((f) => `- **${f.severity}** ${f.title}`)].join('\n');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, markdown);
    const record: ReportRecord = { path, generatedAt: result.generatedAt, summary: reportSummary(result) };
    this.reports.push({ record, markdown });
    this.emit({ kind: 'report', at: record.generatedAt, summary: `report written to ${path}`, reportPath: path });
    return record;
  }

  async latestReport(): Promise<{ record: ReportRecord; markdown: string } | undefined> {
    return this.reports[this.reports.length - 1];
  }

  async reportHistory(limit = 20): Promise<ReportRecord[]> {
    return this.reports.map((r) => r.record).reverse().slice(0, limit);
  }

  waitForEvent(kinds: EngineEventKind[], timeoutMs: number, signal?: AbortSignal): Promise<EngineEvent | undefined> {
    return this.hub.waitFor(kinds, timeoutMs, signal);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  listenerCount(): number {
    return this.hub.size;
  }

  async close(): Promise<void> {
    this.hub = new EventHub();
  }
}

/** A NewEntry with defaults, for terse fixtures. */
export function entry(overrides: Partial<NewEntry> & { message: string }): NewEntry {
  return {
    timestamp: 1_764_870_000_000,
    process: 'api',
    pmId: 0,
    stream: 'out',
    level: 'info',
    raw: overrides.message,
    ...overrides,
  };
}
