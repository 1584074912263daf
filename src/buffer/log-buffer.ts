// The log buffer: a bounded ring of entries kept in memory for fast queries, persisted as
// append-only segments with group commit. Appends are synchronous and cheap; a timer (and close)
// makes them durable, and listeners learn the durable seq so checkpoints never run ahead of the disk.
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../core/ports.js';
import type { BufferStats, LogEntry, LogQuery, NewEntry, QueryResult } from '../core/types.js';
import { BufferWriteError, errorCode } from './errors.js';
import { nodeFileLayer, type FileLayer } from './file-layer.js';
import { acquireLock, type DirLock } from './lock.js';
import { runHistogram, runQuery, type Histogram } from './query.js';
import { deserializeEntry, FRAME_OVERHEAD, numberEntry, serializeEntry, shrinkEntry } from './record-codec.js';
import { Ring } from './ring.js';
import { PendingLog } from './pending-log.js';
import { SegmentStore, type StoredFrame } from './segment-store.js';

export { BufferFormatError, BufferLockedError, BufferWriteError, InvalidQueryError } from './errors.js';
export type { FileLayer, WritableFile } from './file-layer.js';

export interface LogBufferOptions {
  dir: string;
  /** Entries kept (memory and disk); the oldest go first. Default 100,000. */
  maxEntries?: number;
  /** Bytes on disk (and of records in memory). Default 64 MiB. */
  maxBytes?: number;
  /** Size at which a new segment starts; whole segments are dropped. Default min(4 MiB, maxBytes / 8). */
  segmentBytes?: number;
  /** Group commit interval. Default 1,000 ms. */
  fsyncIntervalMs?: number;
  /**
   * When the disk refuses writes: 'drop-newest' rejects new entries (counted as drops.rejected) until
   * a retry succeeds; 'block' keeps accepting them in memory while durableSeq stops advancing, so
   * checkpoints hold and a restart re-reads them. Default 'block'.
   */
  onDiskFull?: 'drop-newest' | 'block';
  /** Load the segments without the lock and never write; `reload()` picks up the writer's appends. */
  readOnly?: boolean;
  /** Stamps `lastDurableAt`. Default: the system clock. */
  clock?: Clock;
  /** The disk, replaceable so tests can make it full or failing. Default: node:fs. */
  fileLayer?: FileLayer;
  /** Background flush failures (the timer has no caller to throw to). Default: one line on stderr per new failure. */
  onError?: (error: Error) => void;
}

export interface RecoveryReport {
  segments: number;
  records: number;
  corrupt: number;
  tornBytes: number;
  ms: number;
}

const MiB = 1024 * 1024;

function positiveInt(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

export class LogBuffer {
  readonly recovery: RecoveryReport;
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly ring: Ring;
  private readonly maxPayload: number;
  private readonly policy: 'drop-newest' | 'block';
  private readonly listeners = new Set<(durableSeq: number) => void>();
  private readonly drops = { evicted: 0, rejected: 0, corrupt: 0 };
  private readonly pending = new PendingLog();
  private nextSeq: number;
  private durableSeq: number;
  private lastError: BufferWriteError | undefined;
  private durableAt: number | undefined;
  private readonly clock: Clock;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private released = false;

  private constructor(
    private readonly options: LogBufferOptions & { maxEntries: number; maxBytes: number; maxPayload: number },
    private readonly store: SegmentStore,
    private readonly lock: DirLock | undefined,
  ) {
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.ring = new Ring(this.maxEntries);
    this.maxPayload = options.maxPayload;
    this.policy = options.onDiskFull ?? 'block';
    this.clock = options.clock ?? systemClock;
    this.nextSeq = 1;
    this.durableSeq = 0;
    this.recovery = { segments: 0, records: 0, corrupt: 0, tornBytes: 0, ms: 0 };
  }

  static async open(options: LogBufferOptions): Promise<LogBuffer> {
    const started = performance.now();
    const maxEntries = positiveInt('maxEntries', options.maxEntries, 100_000, 1, 10_000_000);
    const maxBytes = positiveInt('maxBytes', options.maxBytes, 64 * MiB, 64 * 1024, 2 ** 40);
    const segmentBytes = positiveInt('segmentBytes', options.segmentBytes, Math.min(4 * MiB, Math.floor(maxBytes / 8)), 4096, Math.floor(maxBytes / 2));
    const fsyncIntervalMs = positiveInt('fsyncIntervalMs', options.fsyncIntervalMs, 1000, 1, 3_600_000);
    const maxPayload = Math.min(MiB, Math.floor(segmentBytes / 4));
    const files = options.fileLayer ?? nodeFileLayer;
    const readOnly = options.readOnly ?? false;
    if (!readOnly) await files.mkdir(options.dir);
    else await files.readdir(options.dir).catch((error: unknown) => {
      throw errorCode(error) === 'ENOENT' ? new Error(`no log buffer at ${options.dir}: the folder does not exist`) : error;
    });
    const lock = readOnly ? undefined : await acquireLock(files, options.dir);
    const store = new SegmentStore({ dir: options.dir, files, maxBytes, segmentBytes, maxPayload, readOnly });
    const buffer = new LogBuffer({ ...options, maxEntries, maxBytes, maxPayload }, store, lock);
    try {
      const report = await store.recover();
      buffer.load(report.frames);
      buffer.drops.corrupt += report.corrupt;
      Object.assign(buffer.recovery, { segments: report.segments, records: report.frames.length, corrupt: buffer.drops.corrupt, tornBytes: report.tornBytes });
      buffer.nextSeq = Math.max(store.nextSeq, (buffer.ring.last()?.seq ?? 0) + 1);
      buffer.durableSeq = buffer.nextSeq - 1;
      if (!readOnly) {
        await store.dropBelow(buffer.ring.first()?.seq ?? buffer.nextSeq);
        await store.fit((oldestSeq) => buffer.evictBelow(oldestSeq));
        buffer.startTimer(fsyncIntervalMs);
      }
    } catch (error) {
      await store.close().catch(() => undefined);
      await lock?.release();
      throw error;
    }
    buffer.recovery.ms = performance.now() - started;
    return buffer;
  }

  /** Decodes the newest stored frames that fit both bounds; older ones stay on disk until dropped. */
  private load(frames: readonly StoredFrame[]): void {
    let first = frames.length;
    let bytes = 0;
    let count = 0;
    while (first > 0 && count < this.maxEntries) {
      const size = frames[first - 1].end - frames[first - 1].start + FRAME_OVERHEAD;
      if (bytes + size > this.maxBytes) break;
      bytes += size;
      count++;
      first--;
    }
    for (let i = first; i < frames.length; i++) {
      const { buf, start, end, seq } = frames[i];
      const entry = deserializeEntry(buf.toString('utf8', start, end));
      if (!entry || entry.seq !== seq) this.drops.corrupt++;
      else this.keep(entry, end - start + FRAME_OVERHEAD);
    }
  }

  private keep(entry: LogEntry, bytes: number): void {
    if (this.ring.push(entry, bytes)) this.drops.evicted++;
    while (this.ring.bytes > this.maxBytes && this.ring.length > 1) {
      this.ring.shift();
      this.drops.evicted++;
    }
  }

  private startTimer(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.pending.size > 0 || this.lastError) this.flush().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  /** When the last flush made entries durable (clock time), for status displays. */
  get lastDurableAt(): number | undefined {
    return this.durableAt;
  }

  /** The disk error that is holding entries back, until a write succeeds again. */
  get diskError(): BufferWriteError | undefined {
    return this.lastError;
  }

  append(entries: readonly NewEntry[]): LogEntry[] {
    if (this.options.readOnly) throw new Error(`log buffer at ${this.options.dir} is open read-only: append is not allowed`);
    if (this.closed) throw new Error(`log buffer at ${this.options.dir} is closed`);
    if (this.lastError && this.policy === 'drop-newest') {
      this.drops.rejected += entries.length;
      return [];
    }
    const stored: LogEntry[] = new Array<LogEntry>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      let entry = numberEntry(this.nextSeq++, entries[i]);
      const json = serializeEntry(entry);
      // A string has at least as many UTF-8 bytes as UTF-16 units: a long one is cut before it is copied.
      let bytes = json.length > this.maxPayload ? Infinity : this.pending.add(entry.seq, json);
      if (bytes - FRAME_OVERHEAD > this.maxPayload) {
        if (bytes !== Infinity) this.pending.pop();
        entry = shrinkEntry(entry, this.maxPayload);
        bytes = this.pending.add(entry.seq, serializeEntry(entry));
      }
      this.keep(entry, bytes);
      stored[i] = entry;
    }
    this.trimPending();
    return stored;
  }

  /** Entries evicted before they were written are never written: memory stays bounded on a stuck disk. */
  private trimPending(): void {
    this.pending.dropBelow(this.ring.first()?.seq ?? this.nextSeq);
  }

  flush(): Promise<number> {
    const run = this.chain.then(() => this.flushNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<number> {
    if (this.options.readOnly || this.released) return this.durableSeq;
    this.trimPending();
    const upTo = this.nextSeq - 1;
    this.pending.setWriting(true);
    try {
      await this.store.write(this.pending.run(this.store.writtenSeq), (oldestSeq) => this.evictBelow(oldestSeq));
      await this.store.dropBelow(this.ring.first()?.seq ?? upTo + 1);
    } catch (error) {
      const failure = error instanceof BufferWriteError ? error : new BufferWriteError(this.options.dir, errorCode(error), error);
      if (!this.lastError) this.report(failure);
      this.lastError = failure;
      throw failure;
    } finally {
      this.pending.setWriting(false);
    }
    this.lastError = undefined;
    this.pending.consume(upTo);
    this.trimPending();
    if (upTo > this.durableSeq) {
      this.durableSeq = upTo;
      this.durableAt = this.clock.now();
      for (const listener of this.listeners) {
        try {
          listener(upTo);
        } catch (error) {
          // A failing listener (say, a checkpoint write) must not make the flush look failed.
          this.report(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
    return this.durableSeq;
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else process.stderr.write(`pm2-log-monitor: ${error.message}\n`);
  }

  private evictBelow(seq: number): void {
    while (this.ring.length > 0 && (this.ring.first() as LogEntry).seq < seq) {
      this.ring.shift();
      this.drops.evicted++;
    }
  }

  onDurable(listener: (durableSeq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  query(query: LogQuery): QueryResult {
    return runQuery(this.ring, query);
  }

  histogram(query: LogQuery): Histogram {
    return runHistogram(this.ring, query);
  }

  get(seq: number): LogEntry | undefined {
    const i = this.ring.lowerBound(seq);
    const entry = i < this.ring.length ? this.ring.at(i) : undefined;
    return entry?.seq === seq ? entry : undefined;
  }

  /** Entries with fromSeq <= seq <= toSeq (toSeq inclusive, default: the newest), oldest first. */
  range(fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = this.ring.lowerBound(fromSeq); i < this.ring.length; i++) {
      const entry = this.ring.at(i);
      if (entry.seq > toSeq) break;
      out.push(entry);
    }
    return out;
  }

  /** The newest seq assigned (0 before the first entry): cheaper than stats() on a hot path. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  stats(): BufferStats {
    const stats: BufferStats = {
      entries: this.ring.length,
      bytesOnDisk: this.store.bytes,
      segments: this.store.count,
      maxEntries: this.maxEntries,
      maxBytes: this.maxBytes,
      drops: { ...this.drops },
      durableSeq: this.durableSeq,
    };
    const span = this.ring.timeSpan;
    if (this.ring.length > 0 && span) {
      stats.firstSeq = this.ring.at(0).seq;
      stats.lastSeq = this.ring.at(this.ring.length - 1).seq;
      [stats.oldestTimestamp, stats.newestTimestamp] = span;
    }
    return stats;
  }

  /** Read-only mode: loads what the writer appended and forgets what it dropped. */
  async reload(): Promise<void> {
    if (!this.options.readOnly) return;
    const report = await this.store.refresh(this.ring.last()?.seq ?? 0);
    if (this.store.oldestSeq !== undefined) this.evictBelow(this.store.oldestSeq);
    this.drops.corrupt += report.corrupt;
    this.load(report.frames);
    this.nextSeq = Math.max(this.nextSeq, (this.ring.last()?.seq ?? 0) + 1);
    this.durableSeq = this.nextSeq - 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      if (!this.options.readOnly) await this.flush();
    } finally {
      this.released = true;
      await this.store.close().catch(() => undefined);
      await this.lock?.release();
    }
  }
}

