// The data that flows through the pipeline. Plain data only: no classes, no I/O, so every stage can
// be tested with literals and persisted as JSON.

export type Level = 'error' | 'warn' | 'info' | 'debug';
export const LEVELS: readonly Level[] = ['error', 'warn', 'info', 'debug'];

/** `out`/`err` are the process's own pipes; `pm2` is what the daemon says about it. */
export type Stream = 'out' | 'err' | 'pm2';

/** One log entry (a line, or a multi-line record such as a stack trace) before the buffer numbers it. */
export interface NewEntry {
  /** When the entry was written, ms since the epoch: from the line itself when it carries a time, else capture time. */
  timestamp: number;
  /** PM2 app name. */
  process: string;
  /** PM2 id; -1 for the daemon itself. */
  pmId: number;
  pid?: number;
  /** NODE_APP_INSTANCE in cluster mode. */
  instance?: number;
  namespace?: string;
  stream: Stream;
  level: Level;
  /** Human text: ANSI stripped, JSON unwrapped, control bytes made visible, secrets redacted. */
  message: string;
  /** The text as captured (redacted, never otherwise altered). */
  raw: string;
  /** Other structured fields of a JSON log line (pino, winston, bunyan). */
  fields?: Record<string, unknown>;
  /** Template id given by the pattern miner, when one ran on the capture path. */
  patternId?: string;
}

/** An entry once stored: `seq` is assigned by the buffer, strictly increasing, never reused. */
export interface LogEntry extends NewEntry {
  seq: number;
}

export type ExecMode = 'fork' | 'cluster';

/** A PM2 process as the daemon describes it, reduced to what the monitor uses. */
export interface ProcessInfo {
  pmId: number;
  name: string;
  namespace: string;
  pid?: number;
  instance?: number;
  execMode: ExecMode;
  /** online, stopping, stopped, launching, errored, one-launch-status, waiting restart. */
  status: string;
  restarts: number;
  unstableRestarts: number;
  /** When the current run started, ms since the epoch. */
  uptimeSince?: number;
  outLogPath?: string;
  errLogPath?: string;
  /** Set when the app was started with `--time` or `log_date_format`: PM2 prefixes every line. */
  logDateFormat?: string;
  /** `max_memory_restart` in bytes, when set. */
  maxMemoryRestart?: number;
  cpu: number;
  memory: number;
}

/** One reading of a process's resource use, taken on an interval. */
export interface MetricSample {
  at: number;
  pmId: number;
  process: string;
  /** Percent of one core. */
  cpu: number;
  /** Resident memory in bytes. */
  memory: number;
  restarts: number;
  uptimeMs: number;
  status: string;
}

export type ProcessEventKind =
  | 'start'
  | 'online'
  | 'exit'
  | 'stop'
  | 'restart'
  | 'delete'
  | 'reload'
  | 'restart overlimit'
  | 'exception';

/** A lifecycle event from `process:event`, or an uncaught exception from `process:exception`. */
export interface ProcessEvent {
  at: number;
  kind: ProcessEventKind;
  pmId: number;
  process: string;
  manually?: boolean;
  exitCode?: number | null;
  signal?: string | null;
  /** For exceptions. */
  errorName?: string;
  message?: string;
  stack?: string;
}

/** Lines or time that the monitor knows it did not see, reported instead of hidden. */
export interface CoverageGap {
  kind: 'pm2-lost' | 'dropped' | 'monitor-down' | 'daemon-down' | 'truncated-line' | 'source-error';
  at: number;
  process?: string;
  /** Entries or lines affected, when known. */
  count?: number;
  /** How long, when it is a span of time. */
  durationMs?: number;
  detail: string;
}

export type Severity = 'critical' | 'warning' | 'info';

/** What a finding rests on, so that a person or an agent can check it. */
export interface Evidence {
  /** Buffer sequence numbers of representative entries (bounded; `count` is the full number). */
  seqs: number[];
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** A few sample lines, redacted. */
  samples: string[];
  patternIds?: string[];
}

export interface Finding {
  /** Stable for the same problem across analyses: detector + key (signature, process). */
  id: string;
  detector: string;
  severity: Severity;
  title: string;
  processes: string[];
  /** What happened, in one or two sentences. */
  summary: string;
  evidence: Evidence;
  recommendation: string;
  /** Detector-specific figures (rates, percentiles, slopes), for reports and agents. */
  data?: Record<string, number | string | boolean | null>;
}

export interface WildcardValues {
  /** Index of the `<*>` token in the template. */
  position: number;
  values: Array<{ value: string; count: number }>;
}

export interface PatternSummary {
  id: string;
  template: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  processes: string[];
  levels: Partial<Record<Level, number>>;
  examples: string[];
  wildcards: WildcardValues[];
  /** [minute start in ms, count], oldest first, bounded. */
  perMinute: Array<[number, number]>;
  /** Relative to the previous analysis. */
  trend?: 'new' | 'rising' | 'steady' | 'falling' | 'resolved';
}

/** Per-process figures for a window. */
export interface ProcessMetrics {
  process: string;
  pmIds: number[];
  pids: number[];
  entries: number;
  errors: number;
  warnings: number;
  restarts: number;
  memory?: { avg: number; peak: number; last: number; slopeBytesPerMin?: number };
  cpu?: { avg: number; peak: number };
  latency?: { count: number; avgMs: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };
}

export interface AnalysisWindow {
  fromSeq: number;
  toSeq: number;
  since: number;
  until: number;
}

export type AnalysisMode = 'heuristic' | 'llm-openai' | 'llm-sampling';

export interface AnalysisResult {
  window: AnalysisWindow;
  generatedAt: number;
  mode: AnalysisMode;
  /** Model name when an LLM contributed. */
  model?: string;
  totals: { entries: number; errors: number; warnings: number; errorRate: number; processes: string[] };
  findings: Finding[];
  patterns: PatternSummary[];
  metrics: ProcessMetrics[];
  gaps: CoverageGap[];
  /** Root causes and recommendations written by an LLM, already validated against the evidence. */
  narrative?: { summary: string; rootCauses: string[]; recommendations: string[] };
  /** Fallbacks and caveats, e.g. "LLM timed out; heuristic result". */
  notes: string[];
  llmUsage?: { calls: number; inputTokens: number; outputTokens: number };
}

export interface ReportRecord {
  path: string;
  generatedAt: number;
  /** Where the copy kept in the data directory's history lives. */
  historyPath?: string;
  summary: { entries: number; errorRate: number; critical: number; warnings: number; mode: AnalysisMode };
}

/** A filter over stored entries. Every field narrows; absent fields do not. */
export interface LogQuery {
  processes?: string[];
  pmIds?: number[];
  levels?: Level[];
  streams?: Stream[];
  /** Inclusive, ms since the epoch (entry timestamp). */
  since?: number;
  /** Exclusive, ms since the epoch. */
  until?: number;
  /** Only entries with seq >= fromSeq / < toSeq. */
  fromSeq?: number;
  toSeq?: number;
  /** Case-insensitive substring of message, or a regular expression when `regex` is set. */
  search?: string;
  regex?: boolean;
  patternId?: string;
  order?: 'asc' | 'desc';
  /** Default 100. */
  limit?: number;
  /** Opaque, from a previous result's `nextCursor`. */
  cursor?: string;
}

export interface QueryResult {
  entries: LogEntry[];
  /** Entries that match the filter in the whole buffer (not only this page). */
  matched: number;
  /** Entries in the buffer. */
  total: number;
  /** Present when more matches follow. */
  nextCursor?: string;
}

export interface BufferStats {
  entries: number;
  bytesOnDisk: number;
  segments: number;
  firstSeq?: number;
  lastSeq?: number;
  oldestTimestamp?: number;
  newestTimestamp?: number;
  maxEntries: number;
  maxBytes: number;
  /** Entries lost, by reason: evicted (ring full), rejected (disk full policy), corrupt (skipped on recovery). */
  drops: Record<'evicted' | 'rejected' | 'corrupt', number>;
  /** Last durable (fsynced) seq. */
  durableSeq?: number;
}

/** Why an analysis ran, and over which entries. */
export interface TriggerFiring {
  cause: 'time' | 'size' | 'pattern' | 'exception' | 'crash-loop' | 'restart' | 'error-burst' | 'new-error-pattern' | 'manual';
  /** Human text: which regex, which process, how many errors in how long. */
  detail: string;
  at: number;
  fromSeq: number;
  toSeq: number;
}
