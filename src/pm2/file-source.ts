// One PM2 log file as a source of the ingest pipeline, with a checkpoint that is exact: every byte
// before it has become an entry, no byte after it has.
//
// The pipeline holds the last record of a stream until the next line shows it is complete (a stack
// trace goes on), so the tailer's checkpoint after a chunk is ahead of what was emitted. This source
// closes that distance itself: it never hands the pipeline half a line (it keeps the unfinished
// tail), and it ends the pipeline's source (emitting what it held) when the file goes idle, once per
// CHECKPOINT_EVERY_MS while it keeps growing, and on stop. Right after that the checkpoint is the
// tailer's minus the bytes of the held tail. The price: a record that straddles such a flush under
// continuous output is cut in two. After a crash the caller's last persisted checkpoint is at most
// about CHECKPOINT_EVERY_MS behind, so those lines are read again (at least once, never lost).
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { SourceContext } from '../ingest/parse-entry.js';
import { FINGERPRINT_BYTES, fingerprintOf } from './file-checkpoint.js';
import { LogTailer, type FileCheckpoint, type TailGap } from './log-tailer.js';

export interface PipelinePort {
  write(sourceKey: string, source: SourceContext, chunk: Buffer | string, capturedAt: number): void;
  endSource(sourceKey: string, now: number): void;
}

export interface FileSourceOptions {
  path: string;
  context: SourceContext;
  pipeline: PipelinePort;
  checkpoint?: FileCheckpoint;
  startAt: 'start' | 'end';
  /** Runs `fn` so that the entries it causes are delivered together with the checkpoints valid after it. */
  section(fn: () => void): void;
  onGap(gap: TailGap): void;
  onError(error: Error): void;
  /** The checkpoint moved. */
  onCheckpoint(): void;
  now(): number;
  /** Quiet this long after a chunk: emit what the pipeline holds. Default 100 ms. */
  idleFlushMs?: number;
  pollIntervalMs?: number;
}

/** A line longer than this without a newline is handed over anyway (the pipeline cuts it at its limit). */
const MAX_HELD_BYTES = 1 << 20;
const NEWLINE = 10;
/** An unfinished last line is given up waiting for after this long. */
const PARTIAL_FLUSH_MS = 1000;
/** While the file keeps growing, emit what the pipeline holds this often. */
const CHECKPOINT_EVERY_MS = 1000;

export class FileSource {
  readonly path: string;
  readonly key: string;
  context: SourceContext;
  private readonly tailer: LogTailer;
  private readonly idleFlushMs: number;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The tailer's checkpoint after the last chunk written. */
  private latest: FileCheckpoint | undefined;
  private valid: FileCheckpoint | undefined;
  /** The first bytes of the followed inode, when read in this run: lets a checkpoint move before byte 1024. */
  private head: Buffer | undefined;
  private dirty = false;
  private confirming = false;
  private stopped = false;
  private lastDataAt = 0;
  private lastFlushAt: number;

  constructor(private readonly options: FileSourceOptions) {
    this.path = options.path;
    this.key = `file:${options.path}`;
    this.context = options.context;
    this.valid = options.checkpoint;
    this.idleFlushMs = options.idleFlushMs ?? 100;
    this.lastFlushAt = options.now();
    this.tailer = new LogTailer({
      path: options.path,
      checkpoint: options.checkpoint,
      startAt: options.startAt,
      pollIntervalMs: options.pollIntervalMs,
      onData: (chunk, after) => options.section(() => this.onData(chunk, after)),
      onGap: (gap) => options.section(() => this.onGap(gap)),
      onError: options.onError,
    });
  }

  start(): Promise<void> {
    return this.tailer.start();
  }

  readNow(): Promise<void> {
    return this.tailer.readNow();
  }

  /** Every byte before it is in an entry delivered (or being delivered) now. */
  checkpoint(): FileCheckpoint | undefined {
    return this.valid;
  }

  /** Time-driven flushes; call from inside a section, about every idleFlushMs. */
  tick(now: number): void {
    if (this.dirty && now - this.lastDataAt >= this.idleFlushMs) this.flush(false);
    if (this.heldBytes > 0 && now - this.lastDataAt >= PARTIAL_FLUSH_MS) this.giveUpHeld();
  }

  /**
   * An unfinished line waited PARTIAL_FLUSH_MS: it becomes a line of its own, but only once a fresh
   * read shows the file really stopped there (on a loaded machine our reads, not the writer, may lag).
   */
  private giveUpHeld(): void {
    if (this.confirming) return;
    this.confirming = true;
    const before = this.lastDataAt;
    void this.tailer.readNow().then(() => {
      this.confirming = false;
      if (!this.stopped && this.lastDataAt === before && this.heldBytes > 0) this.options.section(() => this.flush(true));
    });
  }

  /** The process exited (pm_ids are reused): read what it wrote last and close its unfinished line. */
  async finish(): Promise<void> {
    await this.tailer.readNow();
    this.options.section(() => this.flush(true));
  }

  /** Stops following; what the pipeline holds is emitted, an unfinished line is left for the next run. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.tailer.stop();
    this.options.section(() => this.flush(false));
  }

  /**
   * Ends the pipeline's source so that it emits every record it holds. With `withHeld`, the
   * unfinished line goes too (as a line of its own).
   */
  private flush(withHeld: boolean): void {
    const now = this.options.now();
    if (withHeld && this.heldBytes > 0) {
      this.options.pipeline.write(this.key, this.context, Buffer.concat(this.held, this.heldBytes), now);
      this.held = [];
      this.heldBytes = 0;
    }
    this.options.pipeline.endSource(this.key, now);
    this.dirty = false;
    this.lastFlushAt = now;
    const exact = this.exactCheckpoint();
    if (exact && exact !== this.valid) {
      this.valid = exact;
      this.options.onCheckpoint();
    }
  }

  private onData(chunk: Buffer, after: FileCheckpoint): void {
    const now = this.options.now();
    this.noteHead(chunk, after);
    this.latest = after;
    this.lastDataAt = now;
    const newline = chunk.lastIndexOf(NEWLINE);
    if (newline < 0) {
      this.held.push(Buffer.from(chunk));
      this.heldBytes += chunk.length;
      if (this.heldBytes > MAX_HELD_BYTES) this.flush(true);
      return;
    }
    const lines = chunk.subarray(0, newline + 1);
    const data = this.heldBytes > 0 ? Buffer.concat([...this.held, lines], this.heldBytes + lines.length) : lines;
    this.options.pipeline.write(this.key, this.context, data, now);
    this.held = newline + 1 < chunk.length ? [Buffer.from(chunk.subarray(newline + 1))] : [];
    this.heldBytes = chunk.length - newline - 1;
    this.dirty = true;
    if (now - this.lastFlushAt >= CHECKPOINT_EVERY_MS) this.flush(false);
  }

  private onGap(gap: TailGap): void {
    // The bytes that would have finished the held line are gone: it ends here.
    this.flush(true);
    this.options.onGap(gap);
  }

  /** The tailer's checkpoint moved back over the held bytes, or undefined when that cannot be proven. */
  private exactCheckpoint(): FileCheckpoint | undefined {
    const after = this.latest;
    if (!after) return undefined;
    if (this.heldBytes === 0) return after;
    const offset = after.offset - this.heldBytes;
    if (offset >= after.fingerprintBytes) return { ...after, offset };
    const head = this.head ?? this.readHead(after, offset);
    if (!head || head.length < offset) return undefined;
    const bytes = head.subarray(0, offset);
    return { ...after, offset, fingerprint: fingerprintOf(bytes), fingerprintBytes: bytes.length };
  }

  private noteHead(chunk: Buffer, after: FileCheckpoint): void {
    if (this.latest && this.latest.ino !== after.ino) this.head = undefined;
    const start = after.offset - chunk.length;
    if (start === 0) this.head = Buffer.from(chunk.subarray(0, FINGERPRINT_BYTES));
    else if (this.head && start === this.head.length && this.head.length < FINGERPRINT_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, FINGERPRINT_BYTES - this.head.length)]);
    }
  }

  /** Rare: a file under 1 KiB resumed from a checkpoint ends in half a line. Read its head back. */
  private readHead(after: FileCheckpoint, length: number): Buffer | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      const info = fstatSync(fd);
      if (info.ino !== after.ino || info.dev !== after.dev) return undefined;
      const head = Buffer.alloc(length);
      return readSync(fd, head, 0, length, 0) === length ? head : undefined;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
