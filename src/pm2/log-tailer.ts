// Follows one PM2 log file and delivers every byte once, each chunk with the checkpoint valid after
// it, across monitor restarts, `pm2 flush`, `pm2 reloadLogs`, pm2-logrotate's copy-truncate and
// deletes. What cannot be recovered is reported as a gap, never hidden. Lines are the caller's job.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  FINGERPRINT_BYTES,
  assertCheckpoint,
  findMovedFile,
  findRotatedCopy,
  fingerprintOf,
  holdsContent,
  readRange,
  type ContentProbe,
  type FileCheckpoint,
} from './file-checkpoint.js';

export type { FileCheckpoint } from './file-checkpoint.js';

/**
 * Bytes the tailer could not deliver. `truncated`: cut in place with no readable copy; `replaced`: the
 * checkpoint's file is gone; `rotated`: recovered from a rotated copy, but what PM2 wrote between its
 * copy and its truncation is unseen. `lostBytes` is set when the loss is known (a lower bound).
 */
export interface TailGap {
  path: string;
  kind: 'truncated' | 'replaced' | 'rotated';
  lostBytes?: number;
  detail: string;
}

export interface LogTailerOptions {
  path: string;
  /** Resume here (validated: same inode + fingerprint, else a gap/restart). */
  checkpoint?: FileCheckpoint;
  /** When there is no checkpoint and the file exists at start; a file that appears later is read from its start. Default 'end'. */
  startAt?: 'start' | 'end';
  /** Default 250. fs.watch only shortens the wait: it misses inode swaps. */
  pollIntervalMs?: number;
  /** Largest chunk handed to onData. Default 512 KiB. */
  maxReadBytes?: number;
  /** Synchronous consumer. If it throws, the chunk is offered again on the next pass. */
  onData: (chunk: Buffer, after: FileCheckpoint) => void;
  onGap?: (gap: TailGap) => void;
  onError?: (error: Error) => void;
}

/** An error reported through onError; `code` is the errno code, or ENOTREG / ECONSUMER. */
export class LogTailerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LogTailerError';
  }
}

const DEFAULT_POLL_MS = 250;
const DEFAULT_MAX_READ_BYTES = 512 * 1024;
/** Bytes before the offset kept in memory to recognise a rewritten file whose head did not change. */
const TAIL_BYTES = 256;

interface Position {
  dev: number;
  ino: number;
  offset: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** First fingerprintBytes bytes; empty while a resumed position is not verified yet. */
  head: Buffer;
  tail: Buffer;
  /** Largest size seen for this content: bytes past the offset that a truncation destroys are a known loss. */
  seenSize: number;
  /** size/mtime/ctime when the content was last verified: unchanged means nothing to re-check. */
  verifiedStamp?: string;
}

interface Current {
  handle: FileHandle;
  dev: number;
  ino: number;
}

export class LogTailer {
  readonly #path: string;
  readonly #pollMs: number;
  readonly #maxRead: number;
  readonly #onData: LogTailerOptions['onData'];
  readonly #onGap: LogTailerOptions['onGap'];
  readonly #onError: LogTailerOptions['onError'];
  #startAt: 'start' | 'end';
  #position?: Position;
  #file?: Current;
  #started = false;
  #stopped = false;
  #chain: Promise<void> = Promise.resolve();
  #pending?: Promise<void>;
  #timer?: NodeJS.Timeout;
  #folderWatcher?: FSWatcher;
  #fileWatcher?: FSWatcher;
  #watchedIno?: number;
  /** Error codes already reported: a condition is reported once, not on every poll, until it clears. */
  #reported = new Set<string>();
  #passErrors = new Set<string>();

  constructor(options: LogTailerOptions) {
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError('path must be a non-empty string');
    if (typeof options.onData !== 'function') throw new TypeError('onData must be a function');
    const poll = options.pollIntervalMs ?? DEFAULT_POLL_MS;
    if (!Number.isInteger(poll) || poll < 10 || poll > 60_000) {
      throw new TypeError(`pollIntervalMs must be an integer from 10 to 60000, got ${String(poll)}`);
    }
    const maxRead = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
    if (!Number.isInteger(maxRead) || maxRead < 1 || maxRead > 64 * 1024 * 1024) {
      throw new TypeError(`maxReadBytes must be an integer from 1 to 67108864, got ${String(maxRead)}`);
    }
    const startAt = options.startAt ?? 'end';
    if (startAt !== 'start' && startAt !== 'end') throw new TypeError(`startAt must be 'start' or 'end', got ${String(startAt)}`);
    if (options.checkpoint) {
      assertCheckpoint(options.checkpoint, options.path);
      const { dev, ino, offset, fingerprint, fingerprintBytes } = options.checkpoint;
      const empty = Buffer.alloc(0);
      this.#position = { dev, ino, offset, fingerprint, fingerprintBytes, head: empty, tail: empty, seenSize: 0 };
    }
    this.#path = options.path;
    this.#pollMs = poll;
    this.#maxRead = maxRead;
    this.#startAt = startAt;
    this.#onData = options.onData;
    this.#onGap = options.onGap;
    this.#onError = options.onError;
  }

  /** Catches up, then follows the file until stop(). */
  async start(): Promise<void> {
    if (this.#started) throw new Error('LogTailer.start() was already called');
    this.#started = true;
    await this.readNow();
    if (this.#stopped) return;
    this.#armWatchers();
    this.#timer = setInterval(() => {
      this.#armWatchers();
      void this.readNow();
    }, this.#pollMs);
    this.#timer.unref();
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
    return this.#position && this.#checkpointOf(this.#position);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#folderWatcher?.close();
    this.#fileWatcher?.close();
    this.#folderWatcher = this.#fileWatcher = undefined;
    await this.#chain;
    await this.#closeFile();
  }

  async #runPass(): Promise<void> {
    if (this.#stopped) return;
    this.#passErrors = new Set();
    try {
      await this.#pass();
    } catch (error) {
      this.#fail(error);
    }
    this.#reported = this.#passErrors;
  }

  async #pass(): Promise<void> {
    if (!this.#file && !(await this.#attach())) return;
    const atPath = await this.#identityAtPath();
    await this.#readCurrent();
    const file = this.#file;
    if (this.#stopped || !file || !atPath || (atPath.dev === file.dev && atPath.ino === file.ino)) return;
    // A new file at the path (reloadLogs, delete + recreate): the old one is drained to EOF, move on.
    // While the path is missing the old fd is kept: PM2 still writes to a renamed or deleted file.
    await this.#closeFile();
    this.#position = undefined;
    this.#startAt = 'start';
    if (await this.#attach()) await this.#readCurrent();
  }

  /** Opens the file to follow: the checkpoint's (at the path or renamed beside it) or the path's. */
  async #attach(): Promise<boolean> {
    const atPath = await this.#openPath();
    const resumed = this.#position;
    if (resumed && !(atPath && atPath.dev === resumed.dev && atPath.ino === resumed.ino)) {
      const moved = await findMovedFile(this.#path, resumed, this.#probe(resumed));
      if (moved) {
        await atPath?.handle.close().catch(() => undefined);
        this.#file = { handle: moved.handle, dev: moved.dev, ino: moved.ino };
        return true;
      }
      this.#gap({
        kind: 'replaced',
        detail: `the checkpoint's file (inode ${resumed.ino}, offset ${resumed.offset}) is no longer at ${this.#path} or beside it; whatever it held after that offset is lost`,
      });
      this.#position = undefined;
      this.#startAt = 'start';
    }
    if (!atPath) {
      this.#startAt = 'start';
      const message = `${this.#path} does not exist (yet); waiting for it, checking every ${this.#pollMs} ms`;
      this.#fail(new LogTailerError(message, 'ENOENT', this.#path));
      return false;
    }
    this.#file = atPath;
    this.#position ??= await this.#freshPosition(atPath);
    this.#startAt = 'start';
    return true;
  }

  /** The file at the path, or undefined when there is none (not an error while an old fd is followed). */
  async #openPath(): Promise<Current | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path, 'r');
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        // Whatever log file replaces it later appeared after start: read it from its beginning.
        this.#startAt = 'start';
        const code = info.isDirectory() ? 'EISDIR' : 'ENOTREG';
        const what = info.isDirectory() ? 'a directory' : 'not a regular file';
        throw new LogTailerError(`${this.#path} is ${what}, not a log file (${code}); retrying every ${this.#pollMs} ms`, code, this.#path);
      }
      return { handle, dev: info.dev, ino: info.ino };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async #freshPosition(file: Current): Promise<Position> {
    const atStart = positionAtStart(file);
    if (this.#startAt === 'start') return atStart;
    const size = (await file.handle.stat()).size;
    const headLength = Math.min(FINGERPRINT_BYTES, size);
    const tailLength = Math.min(TAIL_BYTES, size);
    const head = await readRange(file.handle, 0, headLength);
    const tail = await readRange(file.handle, size - tailLength, tailLength);
    // Cut between the stat and the reads: what is there now is new, read it all.
    if (head.length < headLength || tail.length < tailLength) return atStart;
    return { ...atStart, offset: size, fingerprint: fingerprintOf(head), fingerprintBytes: head.length, head, tail, seenSize: size };
  }

  async #identityAtPath(): Promise<{ dev: number; ino: number } | undefined> {
    try {
      const { dev, ino } = await stat(this.#path);
      return { dev, ino };
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
      this.#fail(error);
      return this.#file;
    }
  }

  /** Reads the followed file from the position to its current end, recovering first if it was cut. */
  async #readCurrent(): Promise<void> {
    const file = this.#file;
    if (!file || !this.#position) return;
    const info = await file.handle.stat();
    const position = this.#position;
    const stamp = `${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    if (position.offset > 0 && position.verifiedStamp !== stamp) {
      if (await holdsContent(file.handle, info.size, this.#probe(position))) {
        await this.#loadKnownBytes(file.handle, position);
        position.verifiedStamp = stamp;
      } else if (!(await this.#recoverCut(file))) {
        return;
      }
    }
    this.#position.seenSize = Math.max(this.#position.seenSize, info.size);
    await this.#deliverUpTo(file.handle, info.size);
  }

  /** The file was truncated or rewritten in place: reads what was not read yet from a rotated copy, reports the rest. */
  async #recoverCut(file: Current): Promise<boolean> {
    const position = this.#position as Position;
    const copy = await findRotatedCopy(this.#path, this.#probe(position), file);
    if (copy) {
      try {
        await this.#loadKnownBytes(copy.handle, position);
        if (!(await this.#deliverUpTo(copy.handle, copy.size))) return false;
      } finally {
        await copy.handle.close().catch(() => undefined);
      }
      this.#gap({
        kind: 'rotated',
        lostBytes: position.seenSize > copy.size ? position.seenSize - copy.size : undefined,
        detail: `${this.#path} was copied to ${basename(copy.path)} and truncated; read ${copy.size - position.offset} unread bytes from the copy; lines written between the copy and the truncation cannot be seen`,
      });
    } else {
      const lost = position.seenSize - position.offset;
      this.#gap({
        kind: 'truncated',
        lostBytes: lost > 0 ? lost : undefined,
        detail: `${this.#path} was truncated or rewritten in place after offset ${position.offset} (pm2 flush, or a rotation with no readable copy); ${lost > 0 ? `${lost} bytes seen but not read are lost` : 'anything written after the last read is lost'}`,
      });
    }
    this.#position = positionAtStart(file);
    return true;
  }

  /** After a resumed position is verified: its head and tail, so the fingerprint can grow and rewrites be caught. */
  async #loadKnownBytes(handle: FileHandle, position: Position): Promise<void> {
    const headLength = Math.min(FINGERPRINT_BYTES, position.offset);
    if (position.head.length === headLength && position.tail.length > 0) return;
    position.head = await readRange(handle, 0, headLength);
    position.fingerprint = fingerprintOf(position.head);
    position.fingerprintBytes = position.head.length;
    const tailLength = Math.min(TAIL_BYTES, position.offset);
    position.tail = await readRange(handle, position.offset - tailLength, tailLength);
  }

  async #deliverUpTo(handle: FileHandle, end: number): Promise<boolean> {
    while (this.#position && this.#position.offset < end) {
      if (this.#stopped) return false;
      const chunk = await readRange(handle, this.#position.offset, Math.min(this.#maxRead, end - this.#position.offset));
      // Shorter than stat said: cut while reading; the next pass sees it.
      if (chunk.length === 0) return true;
      if (!this.#deliver(chunk)) return false;
    }
    return !this.#stopped;
  }

  #deliver(chunk: Buffer): boolean {
    const before = this.#position;
    if (this.#stopped || !before) return false;
    const offset = before.offset + chunk.length;
    const head = before.offset < FINGERPRINT_BYTES ? Buffer.concat([before.head, chunk.subarray(0, FINGERPRINT_BYTES - before.offset)]) : before.head;
    const recent = chunk.length >= TAIL_BYTES ? chunk : Buffer.concat([before.tail, chunk]);
    const after: Position = {
      ...before,
      offset,
      head,
      tail: Buffer.from(recent.subarray(Math.max(0, recent.length - TAIL_BYTES))),
      fingerprint: head === before.head ? before.fingerprint : fingerprintOf(head),
      fingerprintBytes: head.length,
      seenSize: Math.max(before.seenSize, offset),
    };
    try {
      this.#onData(chunk, this.#checkpointOf(after));
    } catch (error) {
      this.#fail(new LogTailerError(`onData threw at ${this.#path} offset ${before.offset}; the chunk will be offered again on the next pass: ${messageOf(error)}`, 'ECONSUMER', this.#path, { cause: error }));
      return false;
    }
    this.#position = after;
    return true;
  }

  #probe(position: Position): ContentProbe {
    const { offset, fingerprint, fingerprintBytes, tail } = position;
    return { offset, fingerprint, fingerprintBytes, tail };
  }

  #checkpointOf(position: Position): FileCheckpoint {
    const { dev, ino, offset, fingerprint, fingerprintBytes } = position;
    return { path: this.#path, dev, ino, offset, fingerprint, fingerprintBytes };
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
    const reported = toTailerError(error, this.#path, this.#pollMs);
    this.#passErrors.add(reported.code);
    if (this.#stopped || this.#reported.has(reported.code)) return;
    try {
      this.#onError?.(reported);
    } catch {
      // The error sink failing must not stop the tailer; there is nowhere left to report it.
    }
  }

  #armWatchers(): void {
    if (this.#stopped) return;
    const name = basename(this.#path);
    this.#folderWatcher ??= this.#watch(dirname(this.#path), (changed) => changed === null || changed === name);
    if (this.#file && this.#watchedIno !== this.#file.ino) {
      this.#fileWatcher?.close();
      this.#fileWatcher = this.#watch(this.#path, () => true);
      this.#watchedIno = this.#fileWatcher ? this.#file.ino : undefined;
    }
  }

  #watch(target: string, relevant: (name: string | null) => boolean): FSWatcher | undefined {
    try {
      const watcher = watch(target, { persistent: false }, (_event, changed) => {
        if (relevant(changed)) void this.readNow();
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.#folderWatcher === watcher) this.#folderWatcher = undefined;
        if (this.#fileWatcher === watcher) this.#fileWatcher = this.#watchedIno = undefined;
      });
      return watcher;
    } catch {
      // A missing folder or no watch slots left: the poll still reads, and the next tick tries again.
      return undefined;
    }
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }
}

function positionAtStart(file: Current): Position {
  const empty = Buffer.alloc(0);
  return { dev: file.dev, ino: file.ino, offset: 0, fingerprint: fingerprintOf(empty), fingerprintBytes: 0, head: empty, tail: empty, seenSize: 0 };
}

function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toTailerError(error: unknown, path: string, pollMs: number): LogTailerError {
  if (error instanceof LogTailerError) return error;
  const code = codeOf(error) ?? 'EUNKNOWN';
  const retry = `retrying every ${pollMs} ms`;
  const message =
    code === 'ENOENT' ? `${path} does not exist (yet); waiting for it, checking every ${pollMs} ms`
    : code === 'EACCES' || code === 'EPERM' ? `cannot read ${path}: permission denied (${code}); ${retry}`
    : `cannot read ${path}: ${messageOf(error)}; ${retry}`;
  return new LogTailerError(message, code, path, { cause: error });
}
