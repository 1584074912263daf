// Follows one PM2 log file and delivers every byte once, each chunk with the checkpoint valid after
// it, across monitor restarts, `pm2 flush`, `pm2 reloadLogs`, pm2-logrotate's copy-truncate and
// deletes. What cannot be recovered is reported as a gap, never hidden. Lines are the caller's job.
// This module owns the lifecycle: options, passes that never overlap, the watcher that wakes them,
// and reporting; generation-follower.ts decides which file to read and where.
//
// Limits, by construction: a checkpoint at offset 0 of a file with no generation read before it
// cannot tell which rotations happened while the monitor was down; rotated generations are ordered
// by mtime (then name), so renames and copies less than a timestamp tick apart may be misordered;
// compressed copies are not read back.
import { assertCheckpoint, type FileCheckpoint } from './file-checkpoint.js';
import { FileWatch } from './file-watch.js';
import { GenerationFollower } from './generation-follower.js';
import { toTailerError, type TailGap } from './tail-reports.js';

export type { FileCheckpoint } from './file-checkpoint.js';
export { LogTailerError, type TailGap } from './tail-reports.js';

export interface LogTailerOptions {
  path: string;
  /** Resume here (validated: same inode + fingerprint, else a gap/restart). */
  checkpoint?: FileCheckpoint;
  /** Without a checkpoint, for a file that exists at start; one that appears later is read from its start. Default 'end'. */
  startAt?: 'start' | 'end';
  /** Default 250. */
  pollIntervalMs?: number;
  /** Watcher wake-ups closer than this after a pass started are merged into one pass, ms. Default 50 (at most pollIntervalMs). */
  minPassGapMs?: number;
  /** Largest chunk handed to onData. Default 512 KiB. */
  maxReadBytes?: number;
  /** Synchronous consumer. If it throws, the chunk is offered again on the next pass. */
  onData: (chunk: Buffer, after: FileCheckpoint) => void;
  onGap?: (gap: TailGap) => void;
  onError?: (error: Error) => void;
}

export class LogTailer {
  readonly #path: string;
  readonly #retry: string;
  readonly #onGap: LogTailerOptions['onGap'];
  readonly #onError: LogTailerOptions['onError'];
  readonly #follower: GenerationFollower;
  readonly #watch: FileWatch;
  #started = false;
  #stopped = false;
  #chain: Promise<void> = Promise.resolve();
  #pending?: Promise<void>;
  readonly #minGapMs: number;
  #lastPassAt = -Infinity;
  #wakeTimer?: NodeJS.Timeout;
  /** Error codes already reported: a condition is reported once, not on every poll, until it clears. */
  #reported = new Set<string>();
  #passErrors = new Set<string>();

  constructor(options: LogTailerOptions) {
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('path must be a non-empty string');
    if (typeof options.onData !== 'function') throw new TypeError('onData must be a function');
    const poll = options.pollIntervalMs ?? 250;
    if (!Number.isInteger(poll) || poll < 10 || poll > 60_000) {
      throw new TypeError(`pollIntervalMs must be an integer from 10 to 60000, got ${String(poll)}`);
    }
    const maxRead = options.maxReadBytes ?? 512 * 1024;
    if (!Number.isInteger(maxRead) || maxRead < 1 || maxRead > 64 * 1024 * 1024) {
      throw new TypeError(`maxReadBytes must be an integer from 1 to 67108864, got ${String(maxRead)}`);
    }
    const minGap = options.minPassGapMs ?? Math.min(50, poll);
    if (!Number.isInteger(minGap) || minGap < 0 || minGap > poll) {
      throw new TypeError(`minPassGapMs must be an integer from 0 to pollIntervalMs (${poll}), got ${String(minGap)}`);
    }
    const startAt = options.startAt ?? 'end';
    if (startAt !== 'start' && startAt !== 'end') throw new TypeError(`startAt must be 'start' or 'end', got ${String(startAt)}`);
    if (options.checkpoint) assertCheckpoint(options.checkpoint, options.path);
    this.#path = options.path;
    this.#retry = `retrying every ${poll} ms`;
    this.#onGap = options.onGap;
    this.#onError = options.onError;
    this.#follower = new GenerationFollower({
      path: options.path,
      checkpoint: options.checkpoint,
      startAt,
      maxReadBytes: maxRead,
      retry: this.#retry,
      onData: options.onData,
      onGap: (gap) => this.#gap(gap),
      onError: (error) => this.#fail(error),
      isStopped: () => this.#stopped,
    });
    this.#minGapMs = minGap;
    this.#watch = new FileWatch(options.path, poll, () => this.#wake());
  }

  /** Catches up, then follows the file until stop(). */
  async start(): Promise<void> {
    if (this.#started) throw new Error('LogTailer.start() was already called');
    this.#started = true;
    await this.readNow();
    if (!this.#stopped) this.#watch.start(() => this.#follower.followedIno());
  }

  /** One read pass, started after this call (passes never overlap). Never rejects: problems go to onError. */
  readNow(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#pending) return this.#pending;
    const pass: Promise<void> = this.#chain.then(() => {
      if (this.#pending === pass) this.#pending = undefined;
      return this.#runPass();
    });
    this.#pending = pass;
    this.#chain = pass;
    return pass;
  }

  /** Valid after the last chunk delivered; undefined before the file was first found. */
  checkpoint(): FileCheckpoint | undefined {
    return this.#follower.checkpoint();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#wakeTimer);
    this.#watch.close();
    await this.#chain;
    await this.#follower.closeFile();
  }

  /**
   * A watcher wake-up. Under a flood PM2 appends many times a second: passes closer than minPassGapMs
   * are merged into one, so each reads more at once and the per-pass checks (stat, probe reads) are
   * paid less often. A quiet file is still read at once.
   */
  #wake(): void {
    if (this.#stopped || this.#wakeTimer) return;
    const wait = this.#lastPassAt + this.#minGapMs - performance.now();
    if (wait <= 0) {
      void this.readNow();
      return;
    }
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      void this.readNow();
    }, wait);
    this.#wakeTimer.unref();
  }

  async #runPass(): Promise<void> {
    if (this.#stopped) return;
    this.#lastPassAt = performance.now();
    this.#passErrors = new Set();
    try {
      await this.#follower.pass();
    } catch (error) {
      this.#fail(error);
    }
    this.#reported = this.#passErrors;
  }

  #gap(gap: Omit<TailGap, 'path'>): void {
    if (this.#stopped) return;
    const full: TailGap = { path: this.#path, kind: gap.kind, detail: gap.detail };
    if (gap.lostBytes !== undefined) full.lostBytes = gap.lostBytes;
    try {
      this.#onGap?.(full);
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    const reported = toTailerError(error, this.#path, this.#retry);
    this.#passErrors.add(reported.code);
    if (this.#stopped || this.#reported.has(reported.code)) return;
    try {
      this.#onError?.(reported);
    } catch {
      // The error sink failing must not stop the tailer, and there is nowhere left to report it.
    }
  }
}
