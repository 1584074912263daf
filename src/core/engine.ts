// The engine API that both faces (MCP tools/resources and the CLI) call. The implementation lives in
// src/monitor.ts; this file only names the contract so that the faces do not import the wiring.
import type { LlmPort } from './ports.js';
import type {
  AnalysisResult,
  BufferStats,
  CoverageGap,
  Level,
  LogQuery,
  PatternSummary,
  ProcessInfo,
  QueryResult,
  ReportRecord,
  TriggerFiring,
} from './types.js';

/** What one monitor watches: a filtered view over the one capture pipeline, with its own triggers. */
export interface MonitorSpec {
  processes?: string[];
  namespaces?: string[];
  levels?: Level[];
  /** Entries since the last analysis that fire the size trigger. */
  bufferSize?: number;
  /** Time trigger interval, ms. */
  flushIntervalMs?: number;
  /** Extra regexes that fire the pattern trigger. */
  patterns?: string[];
  /** Where this monitor's triggered reports go (relative to the report root). */
  reportPath?: string;
}

export interface MonitorView {
  id: string;
  spec: MonitorSpec;
  createdAt: number;
  lastFiring?: TriggerFiring;
  lastAnalysis?: { at: number; findings: number; critical: number; window: AnalysisResult['window'] };
  lastReport?: ReportRecord;
}

export interface DaemonState {
  pm2Home: string;
  alive: boolean;
  /** When the daemon was last seen alive. */
  lastSeen?: number;
  error?: string;
}

export interface EngineStatus {
  daemon: DaemonState;
  dataDir: string;
  /** True when another process holds the data directory: this engine reads but does not capture. */
  readOnly: boolean;
  processes: ProcessInfo[];
  buffer: BufferStats;
  monitors: MonitorView[];
  gaps: CoverageGap[];
  llm: { mode: 'auto' | 'openai' | 'sampling' | 'none'; available: string[]; callsThisHour: number };
}

export type EngineEventKind = 'error' | 'crash' | 'restart' | 'new_pattern' | 'report';

export interface EngineEvent {
  kind: EngineEventKind;
  at: number;
  process?: string;
  /** One line a model or a person can read. */
  summary: string;
  seq?: number;
  patternId?: string;
  reportPath?: string;
}

export interface AnalyzeOptions {
  monitorId?: string;
  since?: number;
  until?: number;
  processes?: string[];
  /** 'auto' uses a model when one is configured or offered; false forces heuristics. */
  useLlm?: boolean | 'auto';
  /** The MCP client's model, when the calling session offers sampling. */
  samplingLlm?: LlmPort;
  onProgress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
}

export interface WriteReportOptions extends AnalyzeOptions {
  /** Path of the markdown file, relative to the report root (default docs/report.md). */
  output?: string;
  /** Path of a user template file. */
  template?: string;
  /** Roots the report may be written under; the engine's configured root when absent. */
  roots?: string[];
}

export interface MonitorEngine {
  startMonitor(spec: MonitorSpec): Promise<MonitorView>;
  /** Stops one monitor, or every monitor with 'all'; returns the ids stopped. */
  stopMonitor(id: string | 'all'): Promise<string[]>;
  status(monitorId?: string): Promise<EngineStatus>;
  listProcesses(): Promise<ProcessInfo[]>;
  queryLogs(query: LogQuery): QueryResult;
  listPatterns(options?: { limit?: number; processes?: string[]; since?: number }): { patterns: PatternSummary[]; total: number };
  analyze(options?: AnalyzeOptions): Promise<AnalysisResult>;
  writeReport(options?: WriteReportOptions): Promise<ReportRecord>;
  latestReport(): Promise<{ record: ReportRecord; markdown: string } | undefined>;
  reportHistory(limit?: number): Promise<ReportRecord[]>;
  /** Resolves with the next event of one of `kinds`, or undefined after `timeoutMs`. */
  waitForEvent(kinds: EngineEventKind[], timeoutMs: number, signal?: AbortSignal): Promise<EngineEvent | undefined>;
  /** Listens to every event; returns the unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
  close(): Promise<void>;
}
