// Which file holds the next bytes of a log, and where in it. Each pass drains the followed file, then
// moves on along the generations: renamed away with its inode, copied before a truncation, rotated
// while nobody read it, and at last the file now at the path. LogTailer schedules the passes and
// reports what they find; the limits it lists come from the choices made here.
import { stat, type FileHandle } from 'node:fs/promises';
import {
  advance,
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
import { followed, freshPosition, openAtPath, sameFile, type Followed, type Identity } from './followed-file.js';
import { GenerationAnchor } from './generation-anchor.js';
import { findMovedFile, findRotatedCopy, rotatedSiblings } from './rotated-files.js';
import { LogTailerError, codeOf, messageOf, type TailGap } from './tail-reports.js';

export interface GenerationFollowerOptions {
  path: string;
  /** Already validated against the path. */
  checkpoint?: FileCheckpoint;
  startAt: 'start' | 'end';
  maxReadBytes: number;
  /** How the message of a condition that is retried ends ("retrying every 250 ms"). */
  retry: string;
  onData: (chunk: Buffer, after: FileCheckpoint) => void;
  onGap: (gap: Omit<TailGap, 'path'>) => void;
  onError: (error: unknown) => void;
  /** Once true, nothing more is delivered and the pass ends at its next step. */
  isStopped: () => boolean;
}

/** Each step of a pass drains one file; a folder holds a bounded number of rotations. */
const MAX_FILES_PER_PASS = 1000;

export class GenerationFollower {
  readonly #path: string;
  readonly #maxRead: number;
  readonly #retry: string;
  readonly #onData: GenerationFollowerOptions['onData'];
  readonly #gap: GenerationFollowerOptions['onGap'];
  readonly #fail: GenerationFollowerOptions['onError'];
  readonly #isStopped: GenerationFollowerOptions['isStopped'];
  readonly #anchor: GenerationAnchor;
  #startAt: 'start' | 'end';
  #position?: TailPosition;
  #file?: Followed;

  constructor(options: GenerationFollowerOptions) {
    if (options.checkpoint) this.#position = positionFromCheckpoint(options.checkpoint);
    this.#path = options.path;
    this.#maxRead = options.maxReadBytes;
    this.#retry = options.retry;
    this.#startAt = options.startAt;
    this.#onData = options.onData;
    this.#gap = options.onGap;
    this.#fail = options.onError;
    this.#isStopped = options.isStopped;
    this.#anchor = new GenerationAnchor(options.path);
  }

  /** The inode followed now, which the file watcher watches. */
  followedIno(): number | undefined {
    return this.#file?.ino;
  }

  /** Valid after the last chunk delivered; undefined before the file was first found. */
  checkpoint(): FileCheckpoint | undefined {
    const anchored = this.#anchor.checkpoint();
    if (anchored && (this.#position?.offset ?? 0) === 0) return anchored;
    return this.#position && toCheckpoint(this.#path, this.#position);
  }

  /** Reads on to the current end of the file at the path. Throws what the caller must report. */
  async pass(): Promise<void> {
    for (let step = 0; step < MAX_FILES_PER_PASS && !this.#isStopped(); step++) {
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

  async closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.handle.close().catch(() => undefined);
  }

  /** Opens the file to follow: the checkpoint's (at the path or renamed beside it), else the path's. */
  async #attach(): Promise<boolean> {
    // Taken before the file is looked at: a rotation after this look is not history.
    const existing = this.#anchor.isSet() ? undefined : await rotatedSiblings(this.#path);
    const atPath = await openAtPath(this.#path, this.#retry, () => {
      // The log file that replaces it will have appeared after start: read it from its beginning.
      this.#startAt = 'start';
    });
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
    this.#position ??= await freshPosition(atPath, this.#startAt);
    this.#startAt = 'start';
    if (!this.#anchor.isSet() && this.#position.offset === 0) {
      // No generation read before this one: the rotations since the file was first seen are the later ones.
      const { dev, ino, mtimeMs } = atPath;
      this.#anchor.set({ dev, ino, mtimeMs, name: '', content: probeOf(this.#position), existing }, false);
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
    this.#anchor.set(anchor, !deleted);
    await this.closeFile();
    this.#position = undefined;
    this.#startAt = 'start';
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
    const later = await this.#anchor.later([file, atPath]);
    if (!later) return false;
    // Renamed away itself, the followed file may be older than that generation: then it comes first.
    const atThePath = atPath !== undefined && sameFile(atPath, file);
    if (!atThePath && later.mtimeMs > file.mtimeMs) {
      await later.handle.close().catch(() => undefined);
      return false;
    }
    await this.closeFile();
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
      await this.closeFile();
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
    this.#anchor.set({ dev: file.dev, ino: file.ino, mtimeMs: lastMtimeMs, name: '', content: probeOf(position) }, true);
    this.#position = positionAtStart(file);
  }

  /** False when the pass must stop here: stopped, or the consumer refused a chunk. */
  async #deliverUpTo(handle: FileHandle, end: number, supersededAtStart?: () => Promise<boolean>): Promise<boolean> {
    while (this.#position && this.#position.offset < end) {
      if (this.#isStopped()) return false;
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
    return !this.#isStopped();
  }

  #deliver(chunk: Buffer): boolean {
    const before = this.#position;
    if (this.#isStopped() || !before) return false;
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
    this.#anchor.clear();
    return true;
  }
}
