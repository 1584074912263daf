// The file a tailer reads, and how it was reached: opened at the log's path, or found beside it after
// a rotation. Only its identity (dev + inode) says which file it is: names change under an open fd.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { positionAtStart, readKnownBytes, type TailPosition } from './file-checkpoint.js';
import type { OpenedFile } from './rotated-files.js';
import { LogTailerError, codeOf } from './tail-reports.js';

/**
 * The file being read; the position always refers to it. `via` says how it was reached: at the path,
 * by its inode beside the path (resumed), as the copy that holds a cut file's unread bytes, or as a
 * later rotated generation nobody had read.
 */
export interface Followed {
  handle: FileHandle;
  dev: number;
  ino: number;
  via: 'path' | 'moved' | 'copy' | 'generation';
  /** Its name in the folder; '' when reached through the path (it may have been renamed since). */
  name: string;
  mtimeMs: number;
  /** Its size when it was opened; it may have grown since. */
  size: number;
  /** For a copy: bytes the live file was seen to hold past the copy's end. */
  lostBytes?: number;
}

export interface Identity {
  dev: number;
  ino: number;
}

export function followed(opened: OpenedFile, via: Followed['via']): Followed {
  const { handle, dev, ino, mtimeMs, size, path } = opened;
  return { handle, dev, ino, mtimeMs, size, via, name: basename(path) };
}

export function sameFile(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * The file at the path; undefined when there is none, which is no error while an old fd is followed.
 * A path that is not a regular file is an error, thrown after `notAFile` ran.
 */
export async function openAtPath(path: string, retry: string, notAFile: () => void): Promise<Followed | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      notAFile();
      const [code, what] = info.isDirectory() ? ['EISDIR', 'a directory'] : ['ENOTREG', 'not a regular file'];
      throw new LogTailerError(`${path} is ${what}, not a log file (${code}); ${retry}`, code, path);
    }
    return { handle, dev: info.dev, ino: info.ino, via: 'path', name: '', mtimeMs: info.mtimeMs, size: info.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** Where a file found without a checkpoint is read from: its start, or its end as if all of it had been delivered. */
export async function freshPosition(file: Followed, startAt: 'start' | 'end'): Promise<TailPosition> {
  const atStart = positionAtStart(file);
  if (startAt === 'start') return atStart;
  const { size } = file;
  const known = await readKnownBytes(file.handle, size);
  // Cut since it was opened: what is there now is new, so read all of it.
  if (!known) return atStart;
  const { head, fingerprint, tail } = known;
  return { ...atStart, offset: size, fingerprint, fingerprintBytes: head.length, head, tail, seenSize: size };
}
