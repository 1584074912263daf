// Where a tailer stands in a log file, and how to tell whether a file still holds the bytes it stood on.
// A path is not an identity: PM2 truncates files in place (flush, pm2-logrotate), swaps inodes
// (reloadLogs), and a deleted file's inode number can be reused. So a position is keyed by the inode
// AND a fingerprint of the file's first bytes (plus, in memory, the bytes just before the offset).
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export interface FileCheckpoint {
  path: string;
  dev: number;
  ino: number;
  /** Bytes of this inode's content already delivered. */
  offset: number;
  /** sha1 (hex) of the length and the first `fingerprintBytes` bytes. */
  fingerprint: string;
  /** min(FINGERPRINT_BYTES, offset): the fingerprint only covers bytes that were delivered. */
  fingerprintBytes: number;
}

/** How many leading bytes the fingerprint covers once the file is that long. */
export const FINGERPRINT_BYTES = 1024;
/** Bytes before the offset kept in memory to recognise a rewritten file whose first KiB did not change. */
export const TAIL_BYTES = 256;

/** What a file must hold to be the one a position was taken in. */
export interface ContentProbe {
  offset: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** The bytes just before `offset`, when known. */
  tail?: Buffer;
}

/** A checkpoint in memory: the bytes that let the tailer grow the fingerprint and check for rewrites. */
export interface TailPosition extends ContentProbe {
  dev: number;
  ino: number;
  /** The first fingerprintBytes bytes; empty while a resumed position is not verified yet. */
  head: Buffer;
  tail: Buffer;
  /** Largest size seen for this content: bytes past the offset that a truncation destroys are a known loss. */
  seenSize: number;
  /** size/mtime/ctime when the content was last verified: unchanged means nothing to check again. */
  verifiedStamp?: string;
}

export function fingerprintOf(head: Buffer): string {
  return createHash('sha1').update(`${head.length}:`).update(head).digest('hex');
}

export function positionAtStart(identity: { dev: number; ino: number }): TailPosition {
  const empty = Buffer.alloc(0);
  const fingerprint = fingerprintOf(empty);
  return { dev: identity.dev, ino: identity.ino, offset: 0, fingerprint, fingerprintBytes: 0, head: empty, tail: empty, seenSize: 0 };
}

/** A saved checkpoint, not verified yet: head and tail are loaded once a file is found that holds it. */
export function positionFromCheckpoint(checkpoint: FileCheckpoint): TailPosition {
  const { dev, ino, offset, fingerprint, fingerprintBytes } = checkpoint;
  const empty = Buffer.alloc(0);
  return { dev, ino, offset, fingerprint, fingerprintBytes, head: empty, tail: empty, seenSize: 0 };
}

/** The position after `chunk` was delivered. Copies what it keeps: the consumer owns the chunk. */
export function advance(position: TailPosition, chunk: Buffer): TailPosition {
  const offset = position.offset + chunk.length;
  const grows = position.offset < FINGERPRINT_BYTES;
  const head = grows ? Buffer.concat([position.head, chunk.subarray(0, FINGERPRINT_BYTES - position.offset)]) : position.head;
  const recent = chunk.length >= TAIL_BYTES ? chunk : Buffer.concat([position.tail, chunk]);
  return {
    ...position,
    offset,
    head,
    fingerprint: grows ? fingerprintOf(head) : position.fingerprint,
    fingerprintBytes: head.length,
    tail: Buffer.from(recent.subarray(Math.max(0, recent.length - TAIL_BYTES))),
    seenSize: Math.max(position.seenSize, offset),
  };
}

export function toCheckpoint(path: string, position: TailPosition): FileCheckpoint {
  const { dev, ino, offset, fingerprint, fingerprintBytes } = position;
  return { path, dev, ino, offset, fingerprint, fingerprintBytes };
}

export function probeOf(position: TailPosition): ContentProbe {
  const { offset, fingerprint, fingerprintBytes, tail } = position;
  return { offset, fingerprint, fingerprintBytes, tail };
}

/** Reads `length` bytes at `position` into a fresh buffer; shorter only at end of file. */
export async function readRange(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

export async function holdsContent(handle: FileHandle, size: number, probe: ContentProbe): Promise<boolean> {
  if (size < probe.offset || size < probe.fingerprintBytes) return false;
  const head = await readRange(handle, 0, probe.fingerprintBytes);
  if (head.length !== probe.fingerprintBytes || fingerprintOf(head) !== probe.fingerprint) return false;
  if (!probe.tail || probe.tail.length === 0) return true;
  const tail = await readRange(handle, probe.offset - probe.tail.length, probe.tail.length);
  return tail.equals(probe.tail);
}

export interface KnownBytes {
  head: Buffer;
  fingerprint: string;
  tail: Buffer;
}

/** The first bytes and the bytes just before `offset`, as a position there keeps them; undefined when the file is shorter now. */
export async function readKnownBytes(handle: FileHandle, offset: number): Promise<KnownBytes | undefined> {
  const headLength = Math.min(FINGERPRINT_BYTES, offset);
  const tailLength = Math.min(TAIL_BYTES, offset);
  const head = await readRange(handle, 0, headLength);
  const tail = await readRange(handle, offset - tailLength, tailLength);
  if (head.length < headLength || tail.length < tailLength) return undefined;
  return { head, fingerprint: fingerprintOf(head), tail };
}

/** Once `handle` is known to hold the position: its head and tail, so the fingerprint can grow and rewrites be caught. */
export async function loadKnownBytes(handle: FileHandle, position: TailPosition): Promise<void> {
  const headLength = Math.min(FINGERPRINT_BYTES, position.offset);
  const tailLength = Math.min(TAIL_BYTES, position.offset);
  if (position.head.length === headLength && position.tail.length === tailLength) return;
  const known = await readKnownBytes(handle, position.offset);
  // Cut since it was checked: the next read sees that and reports it.
  if (!known) return;
  position.head = known.head;
  position.fingerprint = known.fingerprint;
  position.fingerprintBytes = known.head.length;
  position.tail = known.tail;
}

/** Rejects a checkpoint that cannot have come from a tailer of `path`, with an exact message. */
export function assertCheckpoint(checkpoint: FileCheckpoint, path: string): void {
  const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  if (checkpoint.path !== path) {
    throw new TypeError(`checkpoint.path must equal path ("${path}"), got "${String(checkpoint.path)}"`);
  }
  for (const field of ['dev', 'ino', 'offset'] as const) {
    if (!isCount(checkpoint[field])) {
      throw new TypeError(`checkpoint.${field} must be a non-negative safe integer, got ${String(checkpoint[field])}`);
    }
  }
  const maxBytes = Math.min(FINGERPRINT_BYTES, checkpoint.offset);
  if (!isCount(checkpoint.fingerprintBytes) || checkpoint.fingerprintBytes > maxBytes) {
    const got = String(checkpoint.fingerprintBytes);
    throw new TypeError(`checkpoint.fingerprintBytes must be an integer from 0 to ${maxBytes}, got ${got}`);
  }
  if (typeof checkpoint.fingerprint !== 'string' || !/^[0-9a-f]{40}$/.test(checkpoint.fingerprint)) {
    const got = String(checkpoint.fingerprint);
    throw new TypeError(`checkpoint.fingerprint must be 40 lowercase hex digits (sha1), got "${got}"`);
  }
}
