// Small JSON state files (checkpoints, trigger state, miner state) written atomically: a temp file
// in the same folder, fsync, rename, directory fsync. The previous good copy is kept as `.bak`, and
// a read falls back to it when the main file is missing, empty, truncated or fails validation.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes to the same path are queued so that an older snapshot never lands after a newer one. */
const queues = new Map<string, Promise<void>>();

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function readCandidate<T>(path: string, validate?: (v: unknown) => v is T): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = parse(text);
  if (!parsed.ok) return undefined;
  if (validate && !validate(parsed.value)) return undefined;
  return parsed.value as T;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch {
    // Not every filesystem can fsync a directory; the rename itself is already done.
  } finally {
    await handle.close();
  }
}

async function writeNow(path: string, data: unknown): Promise<void> {
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError(`state for ${path} is not JSON-serialisable`);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    // Only a good current file becomes the backup: a damaged one must not replace the last good copy.
    if ((await readCandidate(path)) !== undefined) await rename(path, `${path}.bak`);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

export async function writeStateFile(path: string, data: unknown): Promise<void> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => writeNow(path, data));
  const tail = run.catch(() => undefined);
  queues.set(path, tail);
  try {
    await run;
  } finally {
    if (queues.get(path) === tail) queues.delete(path);
  }
}

/** The state at `path`, else its `.bak` copy, else undefined. `validate` rejects a well-formed but wrong shape. */
export async function readStateFile<T>(path: string, validate?: (v: unknown) => v is T): Promise<T | undefined> {
  return (await readCandidate(path, validate)) ?? (await readCandidate(`${path}.bak`, validate));
}
