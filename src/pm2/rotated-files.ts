// Where the bytes of a log file went when they are no longer at its path: renamed away with their
// inode (logrotate, before `pm2 reloadLogs`), or copied to a sibling before a truncation
// (pm2-logrotate's copy-truncate). Only the log's own folder is searched.
import { open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { holdsContent, type ContentProbe } from './file-checkpoint.js';

export interface OpenedFile {
  handle: FileHandle;
  path: string;
  dev: number;
  ino: number;
  size: number;
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

/** The file in the log's folder that now carries inode `dev:ino`, if it still holds the content. */
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
