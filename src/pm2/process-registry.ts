// The daemon's process list as ProcessInfo, kept current: refreshed on an interval and soon after a
// process event (a restart changes the pid, a start adds a process). Bus log packets carry no pid,
// so the registry is also where a pm_id is turned into the pid of its current run.
import type { ProcessInfo } from '../core/types.js';
import type { RawProcess } from './pm2-connection.js';

export interface ProcessFilter {
  names?: string[];
  namespaces?: string[];
  pmIds?: number[];
}

export interface RegistryChange {
  added: ProcessInfo[];
  removed: ProcessInfo[];
  /** Same pm_id, but another pid, status, name or log path than before. */
  changed: ProcessInfo[];
}

export interface ProcessRegistryOptions {
  /** Usually `connection.list()`. */
  list: () => Promise<RawProcess[]>;
  filter?: ProcessFilter;
  /** Periodic refresh, ms. Default 10000. */
  refreshMs?: number;
  /** Delay between a process event and the refresh it causes, so that a burst costs one call. Default 150. */
  eventDelayMs?: number;
  onChange?: (change: RegistryChange) => void;
  onError?: (error: Error) => void;
}

const NO_FILE = new Set(['/dev/null', 'NULL', '\\\\.\\NUL']);

/** A log path PM2 actually writes, or undefined for /dev/null and friends. */
export function logFilePath(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !NO_FILE.has(value) ? value : undefined;
}

export function toProcessInfo(raw: RawProcess): ProcessInfo {
  const env = raw.pm2_env ?? {};
  const execMode = env.exec_mode === 'cluster_mode' ? 'cluster' : 'fork';
  const info: ProcessInfo = {
    pmId: numberOr(raw.pm_id ?? env.pm_id, -1),
    name: String(raw.name ?? env.name ?? ''),
    namespace: typeof env.namespace === 'string' ? env.namespace : 'default',
    execMode,
    status: typeof env.status === 'string' ? env.status : 'unknown',
    restarts: numberOr(env.restart_time, 0),
    unstableRestarts: numberOr(env.unstable_restarts, 0),
    cpu: numberOr(raw.monit?.cpu, 0),
    memory: numberOr(raw.monit?.memory, 0),
  };
  if (typeof raw.pid === 'number' && raw.pid > 0) info.pid = raw.pid;
  const instance = Number(env.NODE_APP_INSTANCE);
  if (execMode === 'cluster' && env.NODE_APP_INSTANCE !== undefined && Number.isInteger(instance)) info.instance = instance;
  if (typeof env.pm_uptime === 'number' && info.status === 'online') info.uptimeSince = env.pm_uptime;
  const out = logFilePath(env.pm_out_log_path);
  const err = logFilePath(env.pm_err_log_path);
  if (out) info.outLogPath = out;
  if (err) info.errLogPath = err;
  if (typeof env.log_date_format === 'string' && env.log_date_format !== '') info.logDateFormat = env.log_date_format;
  const maxMemory = Number(env.max_memory_restart);
  if (env.max_memory_restart !== undefined && Number.isFinite(maxMemory) && maxMemory > 0) info.maxMemoryRestart = maxMemory;
  return info;
}

/** `--log-type json`: PM2 wraps every chunk in `{"message", "timestamp", "type", "process_id", "app_name"}`. */
export function isJsonWrapped(raw: RawProcess): boolean {
  return raw.pm2_env?.log_type === 'json';
}

export function matchesFilter(info: ProcessInfo, filter: ProcessFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.names?.length && !filter.names.includes(info.name)) return false;
  if (filter.namespaces?.length && !filter.namespaces.includes(info.namespace)) return false;
  if (filter.pmIds?.length && !filter.pmIds.includes(info.pmId)) return false;
  return true;
}

export class ProcessRegistry {
  private readonly byId = new Map<number, ProcessInfo>();
  private readonly jsonWrapped = new Set<number>();
  /** pm_ids the daemon has but the filter leaves out: their bus packets are not waited on. */
  private excluded = new Set<number>();
  private readonly refreshMs: number;
  private readonly eventDelayMs: number;
  private interval: NodeJS.Timeout | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<ProcessInfo[]> | undefined;
  private followUp: Promise<ProcessInfo[]> | undefined;
  private stopped = false;

  constructor(private readonly options: ProcessRegistryOptions) {
    this.refreshMs = options.refreshMs ?? 10_000;
    this.eventDelayMs = options.eventDelayMs ?? 150;
    if (!(this.refreshMs > 0)) throw new RangeError(`refreshMs must be > 0 (got ${this.refreshMs})`);
    if (!(this.eventDelayMs >= 0)) throw new RangeError(`eventDelayMs must be >= 0 (got ${this.eventDelayMs})`);
  }

  start(): void {
    if (this.interval || this.stopped) return;
    this.interval = setInterval(() => this.refreshQuietly(), this.refreshMs);
    this.interval.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    if (this.eventTimer) clearTimeout(this.eventTimer);
    this.interval = undefined;
    this.eventTimer = undefined;
  }

  /**
   * Reads the list from the daemon. Calls made while one is in flight share a single follow-up read,
   * so every caller sees a list taken after its call.
   */
  refresh(): Promise<ProcessInfo[]> {
    if (!this.inFlight) return this.begin();
    this.followUp ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.followUp = undefined;
        return this.begin();
      });
    return this.followUp;
  }

  /** A process event happened: refresh soon, once per burst. */
  noteEvent(): void {
    if (this.eventTimer || this.stopped) return;
    this.eventTimer = setTimeout(() => {
      this.eventTimer = undefined;
      this.refreshQuietly();
    }, this.eventDelayMs);
    this.eventTimer.unref();
  }

  processes(): ProcessInfo[] {
    return [...this.byId.values()].sort((a, b) => a.pmId - b.pmId);
  }

  get(pmId: number): ProcessInfo | undefined {
    return this.byId.get(pmId);
  }

  pid(pmId: number): number | undefined {
    return this.byId.get(pmId)?.pid;
  }

  isExcluded(pmId: number): boolean {
    return this.excluded.has(pmId);
  }

  isJsonWrapped(pmId: number): boolean {
    return this.jsonWrapped.has(pmId);
  }

  matches(info: ProcessInfo): boolean {
    return matchesFilter(info, this.options.filter);
  }

  private begin(): Promise<ProcessInfo[]> {
    this.inFlight = this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private refreshQuietly(): void {
    this.refresh().catch((err: Error) => this.options.onError?.(err));
  }

  private async read(): Promise<ProcessInfo[]> {
    const raw = await this.options.list();
    const seen = new Set<number>();
    const excluded = new Set<number>();
    const change: RegistryChange = { added: [], removed: [], changed: [] };
    for (const entry of raw) {
      const info = toProcessInfo(entry);
      if (info.pmId < 0) continue;
      if (!this.matches(info)) {
        excluded.add(info.pmId);
        continue;
      }
      seen.add(info.pmId);
      if (isJsonWrapped(entry)) this.jsonWrapped.add(info.pmId);
      else this.jsonWrapped.delete(info.pmId);
      const before = this.byId.get(info.pmId);
      this.byId.set(info.pmId, info);
      if (!before) change.added.push(info);
      else if (differs(before, info)) change.changed.push(info);
    }
    this.excluded = excluded;
    for (const [pmId, info] of this.byId) {
      if (seen.has(pmId)) continue;
      this.byId.delete(pmId);
      this.jsonWrapped.delete(pmId);
      change.removed.push(info);
    }
    if (change.added.length || change.removed.length || change.changed.length) this.options.onChange?.(change);
    return this.processes();
  }
}

function differs(a: ProcessInfo, b: ProcessInfo): boolean {
  return (
    a.pid !== b.pid ||
    a.status !== b.status ||
    a.name !== b.name ||
    a.outLogPath !== b.outLogPath ||
    a.errLogPath !== b.errLogPath ||
    a.logDateFormat !== b.logDateFormat ||
    a.restarts !== b.restarts
  );
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
