// Builders for realistic PM2 windows: entries numbered like the buffer numbers them, samples and
// events at offsets from a fixed start time.
import type { Level, LogEntry, MetricSample, ProcessEvent, ProcessInfo, Stream } from '../../../src/core/types.js';
import { buildContext, DEFAULT_THRESHOLDS, type ContextInput, type DetectorContext, type DetectorThresholds } from '../../../src/analysis/detectors/context.js';

export const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
export const SEC = 1000;
export const MIN = 60_000;
export const MB = 1024 * 1024;

export interface EntrySpec {
  at: number;
  message: string;
  process?: string;
  level?: Level;
  stream?: Stream;
  pmId?: number;
  pid?: number;
  fields?: Record<string, unknown>;
}

export class Window {
  readonly entries: LogEntry[] = [];
  readonly samples: MetricSample[] = [];
  readonly events: ProcessEvent[] = [];
  private seq: number;

  constructor(firstSeq = 1) {
    this.seq = firstSeq;
  }

  /** Adds one entry `at` ms after T0; returns its seq. */
  log(spec: EntrySpec): number {
    const level = spec.level ?? (spec.stream === 'err' ? 'error' : 'info');
    const entry: LogEntry = {
      seq: this.seq++,
      timestamp: T0 + spec.at,
      process: spec.process ?? 'api',
      pmId: spec.pmId ?? 0,
      stream: spec.stream ?? (level === 'error' ? 'err' : 'out'),
      level,
      message: spec.message,
      raw: spec.message,
    };
    if (spec.pid !== undefined) entry.pid = spec.pid;
    if (spec.fields) entry.fields = spec.fields;
    this.entries.push(entry);
    return entry.seq;
  }

  sample(at: number, process: string, memory: number, extra: Partial<MetricSample> = {}): void {
    this.samples.push({ at: T0 + at, pmId: 0, process, cpu: 5, memory, restarts: 0, uptimeMs: at + 60 * MIN, status: 'online', ...extra });
  }

  event(at: number, process: string, kind: ProcessEvent['kind'], extra: Partial<ProcessEvent> = {}): void {
    this.events.push({ at: T0 + at, kind, pmId: 0, process, ...extra });
  }

  context(extra: Partial<ContextInput> = {}, thresholds: Partial<DetectorThresholds> = {}): DetectorContext {
    return buildContext(
      { entries: this.entries, samples: this.samples, events: this.events, now: T0 + 60 * MIN, ...extra },
      { ...DEFAULT_THRESHOLDS, ...thresholds },
    );
  }
}

export function processInfo(name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pmId: 0, name, namespace: 'default', execMode: 'fork', status: 'online', restarts: 0, unstableRestarts: 0, cpu: 0, memory: 0, ...extra };
}

/** What Node prints for `TypeError` thrown at /app/src/handler.js:42 inside an express route. */
export const HANDLER_TYPE_ERROR = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at getProfile (/app/src/handler.js:42:25)',
  '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
  '    at next (/app/node_modules/express/lib/router/route.js:149:13)',
  '    at Route.dispatch (/app/node_modules/express/lib/router/route.js:119:3)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

/** A pg error rejected from inside node_modules; the first application frame is the repository call. */
export const PG_REJECTION = [
  'You have triggered an unhandledRejection, you may have forgotten to catch a Promise rejection:',
  'error: relation "users" does not exist',
  '    at Parser.parseErrorMessage (/app/node_modules/pg-protocol/dist/parser.js:287:98)',
  '    at Parser.handlePacket (/app/node_modules/pg-protocol/dist/parser.js:126:29)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at async findUser (/app/src/repo/users.js:17:18)',
  '    at async /app/src/routes/users.js:9:16',
].join('\n');

export function econnrefusedStack(host = '127.0.0.1', port = 5432): string {
  return [
    `Error: connect ECONNREFUSED ${host}:${port}`,
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16) {',
    '  errno: -111,',
    "  code: 'ECONNREFUSED',",
    "  syscall: 'connect',",
    `  address: '${host}',`,
    `  port: ${port}`,
    '}',
  ].join('\n');
}
