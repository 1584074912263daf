// Follows one PM2 log file and delivers every byte once, each chunk with the checkpoint valid after
// it, across monitor restarts, `pm2 flush`, `pm2 reloadLogs`, pm2-logrotate's copy-truncate and
// deletes. What cannot be recovered is reported as a gap, never hidden. Lines are the caller's job.
//
// Limits, by construction: a checkpoint at offset 0 of a file with no generation read before it
// cannot tell which rotations happened while the monitor was down; rotated generations are ordered
// by mtime (then name), so renames and copies less than a timestamp tick apart may be misordered;
// compressed copies are not read back.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  FINGERPRINT_BYTES,
  TAIL_BYTES,
  advance,
  assertCheckpoint,
  fingerprintOf,
  holdsContent,
  loadKnownBytes,
  positionAtStart,
  positionFromCheckpoint,
  probeOf,
  readRange,
  toCheckpoint,
  type FileCheckpoint,
  type TailPosition,
} from './file-checkpoint.js';
import { FileWatch } from './file-watch.js';
import {
  findMovedFile,
  findNextGeneration,
  findRotatedCopy,
  rotatedSiblings,
  type OpenedFile,
  type ReadGeneration,
} from './rotated-files.js';

export type { FileCheckpoint } from './file-checkpoint.js';

/**
 * Bytes the tailer could not deliver. `truncated`: cut in place with no readable copy; `replaced`: the
 * checkpoint's file is gone; `rotated`: recovered from a rotated copy, but what PM2 wrote between its
 * copy and its truncation is unseen. `lostBytes`: the loss when known (a lower bound).
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
  /** Without a checkpoint, for a file that exists at start; one that appears later is read from its start. Default 'end'. */
  startAt?: 'start' | 'end';
  /** Default 250. */
  pollIntervalMs?: number;
  /** Largest chunk handed to onData. Default 512 KiB. */
  maxReadBytes?: number;
  /** Synchronous consumer. If it throws, the chunk is offered again on the next pass. */
  onData: (chunk: Buffer, after: FileCheckpoint) => void;
  onGap?: (gap: TailGap) => void;
  onError?: (error: Error) => void;
}

/** Reported through onError; `code` is the errno code, or ENOTREG / ECONSUMER. */
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

/**
 * The file being read; the position always refers to it. `via` says how it was reached: at the path,
 * by its inode beside the path (resumed), as the copy that holds a cut file's unread bytes, or as a
 * later rotated generation nobody had read.
 */
interface Followed {
  handle: FileHandle;
  dev: number;
  ino: number;
  via: 'path' | 'moved' | 'copy' | 'generation';
  /** Its name in the folder; '' when reached through the path (it may have been renamed since). */
  name: string;
  mtimeMs: number;
  /** For a copy: bytes the live file was seen to hold past the copy's end. */
  lostBytes?: number;
}

interface Identity {
  dev: number;
  ino: number;
}

/** Each step of a pass drains one file; a folder holds a bounded number of rotations. */
const MAX_FILES_PER_PASS = 1000;

export class LogTailer {
  readonly #path: string;
  readonly #maxRead: number;
  readonly #retry: string;
  readonly #onData: LogTailerOptions['onData'];
  readonly #onGap: LogTailerOptions['onGap'];
  readonly #onError: LogTailerOptions['onError'];
  readonly #watch: FileWatch;
  #startAt: 'start' | 'end';
  #position?: TailPosition;
  #file?: Followed;
  /**
   * The generation read before the current one, while nothing of the current one was delivered
   * (offset 0): later rotations are found by their time after it, and a restart resumes from its
   * end rather than from an offset 0 that would not notice a copy-truncate.
   */
  #anchor?: ReadGeneration;
  /** The anchor's end as a checkpoint, unless the anchor was deleted: a restart could not find it. */
  #anchorCheckpoint?: FileCheckpoint;
  /** The folder's mtime when later generations were last looked for. */
  #folderStamp?: number;
  #started = false;
  #stopped = false;
  #chain: Promise<void> = Promise.resolve();
  #pending?: Promise<void>;
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
    const startAt = options.startAt ?? 'end';
    if (startAt !== 'start' && startAt !== 'end') throw new TypeError(`startAt must be 'start' or 'end', got ${String(startAt)}`);
    if (options.checkpoint) {
      assertCheckpoint(options.checkpoint, options.path);
      this.#position = positionFromCheckpoint(options.checkpoint);
    }
    this.#path = options.path;
    this.#maxRead = maxRead;
    this.#retry = `retrying every ${poll} ms`;
    this.#startAt = startAt;
    this.#onData = options.onData;
    this.#onGap = options.onGap;
    this.#onError = options.onError;
    this.#watch = new FileWatch(options.path, poll, () => void this.readNow());
  }

  /** Catches up, then follows the file until stop(). */
  async start(): Promise<void> {
    if (this.#started) throw new Error('LogTailer.start() was already called');
    this.#started = true;
    await this.readNow();
    if (!this.#stopped) this.#watch.start(() => this.#file?.ino);
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
    if (this.#anchorCheckpoint && (this.#position?.offset ?? 0) === 0) return this.#anchorCheckpoint;
    return this.#position && toCheckpoint(this.#path, this.#position);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch.close();
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
    for (let step = 0; step < MAX_FILES_PER_PASS && !this.#stopped; step++) {
      if (!this.#file && !(await this.#attach())) return;
      const file = this.#file as Followed;
      const atPath = await this.#identityAtPath();
      if (!(await this.#readFollowed(atPath))) return;
      // Cut in place: the unread bytes are in a rotated copy, which is now the followed file.
      if (this.#file !== file) continue;
      // While the path is missing the old fd is kept: PM2 still writes to a renamed or deleted file.
      if (!atPath || sameFile(atPath, file)) return;
      await this.#moveOn(file);
    }
  }

  /** Opens the file to follow: the checkpoint's (at the path or renamed beside it), else the path's. */
  async #attach(): Promise<boolean> {
    // Taken before the file is looked at: a rotation after this look is not history.
    const existing = this.#anchor ? undefined : await rotatedSiblings(this.#path);
    const atPath = await this.#openPath();
    const resumed = this.#position;
    if (resumed && !(atPath && sameFile(atPath, resumed))) {
      const moved = await findMovedFile(this.#path, resumed);
      if (moved) {
        await atPath?.handle.close().catch(() => undefined);
        this.#file = followed(moved, 'moved');
        return true;
      }
      const lost = `the checkpoint's file (inode ${resumed.ino}, offset ${resumed.offset}) is no longer at ${this.#path}`;
      this.#gap({ kind: 'replaced', detail: `${lost} or beside it; whatever it held after that offset is lost` });
      this.#position = undefined;
      this.#startAt = 'start';
    }
    if (!atPath) {
      this.#startAt = 'start';
      const message = `${this.#path} does not exist (yet); waiting for it, ${this.#retry}`;
      this.#fail(new LogTailerError(message, 'ENOENT', this.#path));
      return false;
    }
    this.#file = atPath;
    this.#position ??= await this.#freshPosition(atPath);
    this.#startAt = 'start';
    if (!this.#anchor && this.#position.offset === 0) {
      // No generation read before this one: the rotations since the file was first seen are the later ones.
      const { dev, ino, mtimeMs } = atPath;
      this.#setAnchor({ dev, ino, mtimeMs, name: '', content: probeOf(this.#position), existing }, false);
    }
    return true;
  }

  /** The followed file is drained and no longer at the path: next is the file now at the path. */
  async #moveOn(file: Followed): Promise<void> {
    const position = this.#position as TailPosition;
    if (file.via === 'copy' || file.via === 'generation') {
      const read =
        file.via === 'copy' ? 'the bytes not read yet were read from it' : 'it was read whole: nobody had read it before it rotated';
      this.#gap({
        kind: 'rotated',
        lostBytes: file.lostBytes,
        detail: `${this.#path} was rotated to ${file.name}; ${read}; lines PM2 wrote between a copy and its truncation cannot be seen`,
      });
    }
    const deleted = (await file.handle.stat().catch(() => undefined))?.nlink === 0;
    const anchor = { dev: file.dev, ino: file.ino, mtimeMs: file.mtimeMs, name: file.name, content: probeOf(position) };
    this.#setAnchor(anchor, !deleted);
    await this.#closeFile();
    this.#position = undefined;
    this.#startAt = 'start';
  }

  #setAnchor(anchor: ReadGeneration, findable: boolean): void {
    this.#anchor = anchor;
    const { offset, fingerprint, fingerprintBytes } = anchor.content;
    const checkpoint = { path: this.#path, dev: anchor.dev, ino: anchor.ino, offset, fingerprint, fingerprintBytes };
    this.#anchorCheckpoint = findable ? checkpoint : undefined;
    this.#folderStamp = undefined;
  }

  /**
   * At offset 0 a copy-truncate leaves no trace in the live file: look for generations rotated after
   * the anchor, but only when the folder changed.
   */
  async #laterGeneration(file: Followed, atPath: Identity | undefined): Promise<OpenedFile | undefined> {
    const anchor = this.#anchor;
    if (!anchor) return undefined;
    const folder = await stat(dirname(this.#path)).catch(() => undefined);
    if (!folder) return undefined;
    if (this.#folderStamp === folder.mtimeMs) return undefined;
    // A change in the same timestamp tick as this look would not move the mtime: look until it settles.
    if (Date.now() - folder.mtimeMs > 2000) this.#folderStamp = folder.mtimeMs;
    return findNextGeneration(this.#path, anchor, [file, atPath]);
  }

  /** The file at the path; undefined when there is none, which is no error while an old fd is followed. */
  async #openPath(): Promise<Followed | undefined> {
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
        // The log file that replaces it will have appeared after start: read it from its beginning.
        this.#startAt = 'start';
        const [code, what] = info.isDirectory() ? ['EISDIR', 'a directory'] : ['ENOTREG', 'not a regular file'];
        throw new LogTailerError(`${this.#path} is ${what}, not a log file (${code}); ${this.#retry}`, code, this.#path);
      }
      return { handle, dev: info.dev, ino: info.ino, via: 'path', name: '', mtimeMs: info.mtimeMs };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async #freshPosition(file: Followed): Promise<TailPosition> {
    const atStart = positionAtStart(file);
    if (this.#startAt === 'start') return atStart;
    const size = (await file.handle.stat()).size;
    const headLength = Math.min(FINGERPRINT_BYTES, size);
    const tailLength = Math.min(TAIL_BYTES, size);
    const head = await readRange(file.handle, 0, headLength);
    const tail = await readRange(file.handle, size - tailLength, tailLength);
    // Cut between the stat and the reads: what is there now is new, so read all of it.
    if (head.length < headLength || tail.length < tailLength) return atStart;
    const fingerprint = fingerprintOf(head);
    return { ...atStart, offset: size, fingerprint, fingerprintBytes: headLength, head, tail, seenSize: size };
  }

  async #identityAtPath(): Promise<Identity | undefined> {
    try {
      const { dev, ino } = await stat(this.#path);
      return { dev, ino };
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
      this.#fail(error);
      return this.#file;
    }
  }

  /** Reads the followed file to its current end. False when interrupted (stopped, or the consumer threw). */
  async #readFollowed(atPath: Identity | undefined): Promise<boolean> {
    const file = this.#file;
    const position = this.#position;
    if (!file || !position) return false;
    const info = await file.handle.stat();
    const lastMtimeMs = file.mtimeMs;
    file.mtimeMs = info.mtimeMs;
    const stamp = `${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    if (position.offset > 0 && position.verifiedStamp !== stamp) {
      if (await holdsContent(file.handle, info.size, probeOf(position))) {
        await loadKnownBytes(file.handle, position);
        position.verifiedStamp = stamp;
      } else {
        await this.#cut(file, lastMtimeMs);
        if (this.#file !== file) return true;
      }
    }
    // A generation file was itself chosen as the oldest after the anchor: only the path's file waits for it.
    const waits = (): boolean => this.#position?.offset === 0 && file.via === 'path';
    if (waits() && (await this.#toLaterGeneration(file, atPath))) return true;
    const current = this.#position as TailPosition;
    current.seenSize = Math.max(current.seenSize, info.size);
    // Read from offset 0 nothing proves the bytes are not already the next generation's: look again after.
    return this.#deliverUpTo(file.handle, info.size, async () => waits() && this.#toLaterGeneration(file, atPath));
  }

  /** Switches to a generation rotated after the anchor, if there is one to read before the followed file. */
  async #toLaterGeneration(file: Followed, atPath: Identity | undefined): Promise<boolean> {
    const later = await this.#laterGeneration(file, atPath);
    if (!later) return false;
    // Renamed away itself, the followed file may be older than that generation: then it comes first.
    const atThePath = atPath !== undefined && sameFile(atPath, file);
    if (!atThePath && later.mtimeMs > file.mtimeMs) {
      await later.handle.close().catch(() => undefined);
      return false;
    }
    await this.#closeFile();
    this.#file = followed(later, 'generation');
    this.#position = positionAtStart(later);
    return true;
  }

  /** Truncated or rewritten in place: read on from the rotated copy holding the position, or report the loss. */
  async #cut(file: Followed, lastMtimeMs: number): Promise<void> {
    const position = this.#position as TailPosition;
    const copy = await findRotatedCopy(this.#path, probeOf(position), file);
    if (copy) {
      await loadKnownBytes(copy.handle, position);
      await this.#closeFile();
      const lostBytes = position.seenSize > copy.size ? position.seenSize - copy.size : undefined;
      this.#file = { ...followed(copy, 'copy'), lostBytes };
      // The checkpoint names the copy from now on, so a restart resumes inside it too.
      this.#position = { ...position, dev: copy.dev, ino: copy.ino, verifiedStamp: undefined };
      return;
    }
    const lost = position.seenSize - position.offset;
    const what = lost > 0 ? `${lost} bytes seen but not read are lost` : 'anything written after the last read is lost';
    this.#gap({
      kind: 'truncated',
      lostBytes: lost > 0 ? lost : undefined,
      detail: `${this.#path} was truncated or rewritten in place after offset ${position.offset} (pm2 flush, or a rotation with no readable copy); ${what}`,
    });
    // Nothing holds the old content any more, but rotations after its last write can still be found.
    this.#setAnchor({ dev: file.dev, ino: file.ino, mtimeMs: lastMtimeMs, name: '', content: probeOf(position) }, true);
    this.#position = positionAtStart(file);
  }

  /** False when the pass must stop here: stopped, or the consumer refused a chunk. */
  async #deliverUpTo(handle: FileHandle, end: number, supersededAtStart?: () => Promise<boolean>): Promise<boolean> {
    while (this.#position && this.#position.offset < end) {
      if (this.#stopped) return false;
      const position = this.#position;
      const chunk = await readRange(handle, position.offset, Math.min(this.#maxRead, end - position.offset));
      // Shorter than stat said: cut while reading, which the next pass sees.
      if (chunk.length === 0) return true;
      if (position.offset === 0 && supersededAtStart && (await supersededAtStart())) return true;
      // Cut and regrown while reading, the chunk would be new bytes at old offsets: the bytes before
      // the offset still being there, checked after the read, proves it was not. The next pass recovers.
      if (position.offset > 0 && !(await holdsContent(handle, position.offset, probeOf(position)))) return true;
      if (!this.#deliver(chunk)) return false;
    }
    return !this.#stopped;
  }

  #deliver(chunk: Buffer): boolean {
    const before = this.#position;
    if (this.#stopped || !before) return false;
    const after = advance(before, chunk);
    try {
      this.#onData(chunk, toCheckpoint(this.#path, after));
    } catch (error) {
      const again = 'the chunk will be offered again on the next pass';
      const message = `onData threw at ${this.#path} offset ${before.offset}; ${again}: ${messageOf(error)}`;
      this.#fail(new LogTailerError(message, 'ECONSUMER', this.#path, { cause: error }));
      return false;
    }
    this.#position = after;
    this.#anchor = this.#anchorCheckpoint = undefined;
    return true;
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
    const reported = this.#toTailerError(error);
    this.#passErrors.add(reported.code);
    if (this.#stopped || this.#reported.has(reported.code)) return;
    try {
      this.#onError?.(reported);
    } catch {
      // The error sink failing must not stop the tailer, and there is nowhere left to report it.
    }
  }

  #toTailerError(error: unknown): LogTailerError {
    if (error instanceof LogTailerError) return error;
    const code = codeOf(error) ?? 'EUNKNOWN';
    const message =
      code === 'EACCES' || code === 'EPERM'
        ? `cannot read ${this.#path}: permission denied (${code}); ${this.#retry}`
        : `cannot read ${this.#path}: ${messageOf(error)}; ${this.#retry}`;
    return new LogTailerError(message, code, this.#path, { cause: error });
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }
}

function followed(opened: OpenedFile, via: Followed['via']): Followed {
  const { handle, dev, ino, mtimeMs, path } = opened;
  return { handle, dev, ino, mtimeMs, via, name: basename(path) };
}

function sameFile(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
