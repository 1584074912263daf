// Where the bytes of a log file went when they are no longer at its path: renamed away with their
// inode (logrotate, before `pm2 reloadLogs`), or copied to a sibling before a truncation
// (pm2-logrotate's copy-truncate), possibly several times while nobody was reading. Only the log's
// own folder is searched.
import { open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { holdsContent, readKnownBytes, type ContentProbe } from './file-checkpoint.js';
import { sameFile, type Identity } from './followed-file.js';

export interface OpenedFile {
  handle: FileHandle;
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A file already read to its end, as the search for the generations written after it needs it. */
export interface ReadGeneration extends Identity {
  mtimeMs: number;
  /** '' when unknown (a renamed or deleted file followed through its fd). */
  name: string;
  /** What it held: a sibling that holds it too is another copy of the same generation. */
  content: ContentProbe;
  /** The rotated siblings that existed when it was first seen, when known: any other one is later (timestamps tie). */
  existing?: ReadonlySet<string>;
}

/** The rotated siblings of the log now, as identities: a later one not among them was rotated since. */
export async function rotatedSiblings(logPath: string): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const { info } of rotatedCopies(logPath)) found.add(identityKey(info));
  return found;
}

/**
 * Names rotation tools give a copy of `app-out.log`: pm2-logrotate `app-out__2026-12-04_00-00-00.log`,
 * logrotate(8) `app-out.log.1` and `app-out.log-20261204`. Compressed copies cannot be read back.
 * Other logs of the folder are never candidates: cluster instances often start with the same bytes.
 */
export function isRotatedName(logName: string, name: string): boolean {
  if (name === logName || /\.(gz|bz2|xz|zst|zip)$/.test(name)) return false;
  const stem = logName.slice(0, logName.length - extname(logName).length);
  return name.startsWith(`${stem}__`) || name.startsWith(`${logName}.`) || name.startsWith(`${logName}-`);
}

/**
 * The file in the log's folder that now carries inode `dev:ino` (renamed away by a rotation). Its
 * content is the caller's to check: it may have been truncated after the rename, or the inode reused.
 */
export async function findMovedFile(logPath: string, identity: Identity): Promise<OpenedFile | undefined> {
  const folder = dirname(logPath);
  for (const name of await listNames(folder)) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (info && sameFile(info, identity)) return openIfHolds(path, undefined, identity);
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
  live: Identity,
): Promise<OpenedFile | undefined> {
  const candidates: Array<{ path: string; mtimeMs: number }> = [];
  for await (const { path, info } of rotatedCopies(logPath)) {
    if (!info.isFile() || info.size < probe.offset) continue;
    if (sameFile(info, live)) continue;
    candidates.push({ path, mtimeMs: info.mtimeMs });
  }
  candidates.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const candidate of candidates) {
    const opened = await openIfHolds(candidate.path, probe);
    if (opened) return opened;
  }
  return undefined;
}

/**
 * The oldest rotated sibling written after `previous` (by mtime, then name), other than `exclude`:
 * a generation that was rotated away before anyone read it. None when the next one is the live file's own content, copied
 * but not truncated yet: the live file will be read from its start anyway.
 */
export async function findNextGeneration(
  logPath: string,
  previous: ReadGeneration,
  exclude: ReadonlyArray<Identity | undefined>,
): Promise<OpenedFile | undefined> {
  const later: Array<{ name: string; path: string; mtimeMs: number }> = [];
  for await (const { name, path, info } of rotatedCopies(logPath)) {
    if (!info.isFile() || info.size === 0 || sameFile(info, previous)) continue;
    if (exclude.some((identity) => identity && sameFile(info, identity))) continue;
    if (previous.existing) {
      if (previous.existing.has(identityKey(info))) continue;
    } else {
      // Same mtime: the name decides (pm2-logrotate's dates sort); without a name, only later counts.
      const tie = info.mtimeMs === previous.mtimeMs;
      if (info.mtimeMs < previous.mtimeMs || (tie && (previous.name === '' || name <= previous.name))) continue;
    }
    later.push({ name, path, mtimeMs: info.mtimeMs });
  }
  later.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
  for (const candidate of later) {
    const opened = await openIfHolds(candidate.path);
    if (!opened) continue;
    const sameGeneration = previous.content.offset > 0 && (await holdsContent(opened.handle, opened.size, previous.content));
    const liveGeneration = !sameGeneration && (await liveHolds(logPath, opened));
    if (!sameGeneration && !liveGeneration) return opened;
    await opened.handle.close().catch(() => undefined);
    if (liveGeneration) return undefined;
  }
  return undefined;
}

async function liveHolds(logPath: string, copy: OpenedFile): Promise<boolean> {
  const known = await readKnownBytes(copy.handle, copy.size);
  // Shrunk since it was opened: it is no copy of what the live file holds.
  if (!known) return false;
  const probe = { offset: copy.size, fingerprint: known.fingerprint, fingerprintBytes: known.head.length, tail: known.tail };
  const live = await open(logPath, 'r').catch(() => undefined);
  if (!live) return false;
  try {
    return await holdsContent(live, (await live.stat()).size, probe);
  } catch {
    return false;
  } finally {
    await live.close().catch(() => undefined);
  }
}

function identityKey(identity: Identity): string {
  return `${identity.dev}:${identity.ino}`;
}

async function listNames(folder: string): Promise<string[]> {
  // An unreadable folder only means there is no sibling to recover from; the caller reports the gap.
  return readdir(folder).catch(() => []);
}

/** The log's rotated siblings that could be stat'ed, in folder order. */
async function* rotatedCopies(logPath: string): AsyncGenerator<{ name: string; path: string; info: Stats }> {
  const folder = dirname(logPath);
  const logName = basename(logPath);
  for (const name of await listNames(folder)) {
    if (!isRotatedName(logName, name)) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (info) yield { name, path, info };
  }
}

/** Opens `path` if it is a regular file (with this identity, holding this content, when given). */
async function openIfHolds(path: string, probe?: ContentProbe, identity?: Identity): Promise<OpenedFile | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    const wanted = info.isFile() && (!identity || sameFile(info, identity));
    if (wanted && (!probe || (await holdsContent(handle, info.size, probe)))) {
      return { handle, path, dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
    }
  } catch {
    // A sibling that vanished or cannot be read is simply not the copy we are looking for.
  }
  await handle.close().catch(() => undefined);
  return undefined;
}
