// Where a tailer stands in a log file, and how to tell whether a file still holds the bytes it stood on.
// A path is not an identity: PM2 truncates files in place (flush, pm2-logrotate), swaps inodes
// (reloadLogs), and a deleted file's inode number can be reused. So a position is keyed by the inode
// AND a fingerprint of the file's first bytes, and a lost file is looked for among its siblings.
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

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

export function fingerprintOf(head: Buffer): string {
  return createHash('sha1').update(`${head.length}:`).update(head).digest('hex');
}

/** What a file must hold to be the one a position was taken in. */
export interface ContentProbe {
  offset: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** The bytes just before `offset`, when still in memory: catches a rewrite that kept the same head. */
  tail?: Buffer;
}

export interface OpenedFile {
  handle: FileHandle;
  path: string;
  dev: number;
  ino: number;
  size: number;
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

/**
 * Names rotation tools give a copy of `app-out.log`: pm2-logrotate `app-out__2026-12-04_00-00-00.log`,
 * logrotate(8) `app-out.log.1` and `app-out.log-20261204`. Compressed copies cannot be read back.
 */
export function isRotatedName(logName: string, name: string): boolean {
  if (name === logName || /\.(gz|bz2|xz|zst|zip)$/.test(name)) return false;
  const stem = logName.slice(0, logName.length - extname(logName).length);
  return name.startsWith(`${stem}__`) || name.startsWith(`${logName}.`) || name.startsWith(`${logName}-`);
}

/** The file in the log's folder that now carries inode `dev:ino` (renamed away by a rotation), if it still holds the content. */
export async function findMovedFile(
  logPath: string,
  identity: { dev: number; ino: number },
  probe: ContentProbe,
): Promise<OpenedFile | undefined> {
  const folder = dirname(logPath);
  for (const name of await listNames(folder)) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.dev === identity.dev && info.ino === identity.ino) return openIfHolds(path, probe, identity);
  }
  return undefined;
}

/**
 * The newest rotated sibling that holds the content up to `probe.offset`: pm2-logrotate copies the
 * file before truncating it, so the bytes the tailer had not read yet are in that copy.
 */
export async function findRotatedCopy(
  logPath: string,
  probe: ContentProbe,
  live: { dev: number; ino: number },
): Promise<OpenedFile | undefined> {
  const folder = dirname(logPath);
  const logName = basename(logPath);
  const candidates: Array<{ path: string; mtimeMs: number }> = [];
  for (const name of await listNames(folder)) {
    if (!isRotatedName(logName, name)) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || info.size < probe.offset) continue;
    if (info.dev === live.dev && info.ino === live.ino) continue;
    candidates.push({ path, mtimeMs: info.mtimeMs });
  }
  candidates.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const candidate of candidates) {
    const opened = await openIfHolds(candidate.path, probe);
    if (opened) return opened;
  }
  return undefined;
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
    throw new TypeError(
      `checkpoint.fingerprintBytes must be an integer from 0 to ${maxBytes}, got ${String(checkpoint.fingerprintBytes)}`,
    );
  }
  if (typeof checkpoint.fingerprint !== 'string' || !/^[0-9a-f]{40}$/.test(checkpoint.fingerprint)) {
    throw new TypeError(`checkpoint.fingerprint must be 40 lowercase hex digits (sha1), got "${String(checkpoint.fingerprint)}"`);
  }
}

async function listNames(folder: string): Promise<string[]> {
  // An unreadable folder only means there is no sibling to recover from; the caller reports the gap.
  return readdir(folder).catch(() => []);
}

async function openIfHolds(
  path: string,
  probe: ContentProbe,
  identity?: { dev: number; ino: number },
): Promise<OpenedFile | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    const sameIdentity = !identity || (info.dev === identity.dev && info.ino === identity.ino);
    if (info.isFile() && sameIdentity && (await holdsContent(handle, info.size, probe))) {
      return { handle, path, dev: info.dev, ino: info.ino, size: info.size };
    }
  } catch {
    // A sibling that vanished or cannot be read is simply not the copy we are looking for.
  }
  await handle.close().catch(() => undefined);
  return undefined;
}
