// Where a report may go, and how it gets there without ever leaving half a file.
//
// A report path comes from a user or a model, so it is checked like hostile input: it must end in
// `.md`, carry no NUL byte, and resolve inside one of the allowed roots without passing through a
// symbolic link (a link inside the root could point anywhere). Folders missing inside the root are
// created one at a time, each checked after creation. The file itself is written to a temporary
// file in the same folder, fsynced, renamed over the target (rename replaces a link rather than
// following it) and the folder fsynced, so a crash leaves either the old report or the new one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export class ReportPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportPathError';
  }
}

/** Suffix of the temporary files writeFileAtomic leaves behind if it is killed. */
export const TEMP_SUFFIX = '.plm-tmp';
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.plm-tmp$/;
/** A temporary file this old is stale even when its writer's pid now belongs to someone else. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

interface Root {
  /** As configured, resolved to an absolute path. */
  given: string;
  /** With every symlink in the configured path resolved: the real folder reports land in. */
  real: string;
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function describeRoots(roots: readonly Root[]): string {
  return roots.length === 1 ? `the allowed root ${roots[0].given}` : `the allowed roots ${roots.map((r) => r.given).join(', ')}`;
}

async function loadRoots(roots: string | readonly string[]): Promise<Root[]> {
  const list = typeof roots === 'string' ? [roots] : [...roots];
  if (list.length === 0) throw new ReportPathError('no report root is configured');
  const out: Root[] = [];
  for (const root of list) {
    if (root.includes('\0')) throw new ReportPathError('a report root contains a NUL byte');
    const given = resolve(root);
    // The root is configuration, trusted as written: creating it (and following links in it) is fine.
    await mkdir(given, { recursive: true });
    out.push({ given, real: await realpath(given) });
  }
  return out;
}

/**
 * The absolute path a report may be written to, inside one of `roots`. Relative paths are taken
 * from the first root. Throws ReportPathError naming the root when the path is not acceptable.
 */
export async function resolveReportPath(roots: string | readonly string[], requested: string): Promise<string> {
  if (typeof requested !== 'string' || requested.trim() === '') throw new ReportPathError('the report path is empty');
  if (requested.includes('\0')) throw new ReportPathError('the report path contains a NUL byte');
  const name = basename(requested);
  if (!name.toLowerCase().endsWith('.md') || name.length <= 3 || /[/\\]$/.test(requested)) {
    throw new ReportPathError(`report path '${requested}' must name a .md file`);
  }
  const allowed = await loadRoots(roots);
  const target = isAbsolute(requested) ? resolve(requested) : resolve(allowed[0].given, requested);
  const root = allowed.find((r) => isInside(r.given, target) || isInside(r.real, target));
  if (!root) {
    throw new ReportPathError(`report path '${requested}' resolves to ${target}, outside ${describeRoots(allowed)}`);
  }
  const base = isInside(root.given, target) ? root.given : root.real;
  const components = relative(base, target).split(sep);
  if (components.length === 0 || components.at(-1) === '') {
    throw new ReportPathError(`report path '${requested}' names the root ${root.given} itself, not a file inside it`);
  }
  let current = root.real;
  for (const [i, component] of components.entries()) {
    current = join(current, component);
    const last = i === components.length - 1;
    const shown = relative(root.real, current);
    let info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info && !last) {
      await mkdir(current).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      info = await lstat(current);
    }
    if (!info) break;
    if (info.isSymbolicLink()) {
      throw new ReportPathError(`report path '${requested}' passes through the symbolic link '${shown}' in ${root.given}; reports are never written through links`);
    }
    if (!last && !info.isDirectory()) {
      throw new ReportPathError(`report path '${requested}': '${shown}' in ${root.given} is not a folder`);
    }
    if (last && !info.isFile()) {
      throw new ReportPathError(`report path '${requested}': '${shown}' in ${root.given} exists and is not a regular file`);
    }
  }
  // A link swapped in while we walked would show here: the parent must still be where we think.
  const parent = await realpath(dirname(current));
  if (!isInside(root.real, parent)) {
    throw new ReportPathError(`report path '${requested}' left ${describeRoots(allowed)} while it was being checked`);
  }
  return current;
}

/** Writes `data` to `path` so that readers see the old file or the new one, never a mix. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o644,
  );
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** Makes a rename durable. Some file systems refuse fsync on a folder; the rename still happened. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY).catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    await handle.close();
  }
}

function writerAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files that a killed writer left in `dir`: those whose writer is gone, or that
 * are older than STALE_TEMP_AGE_MS. Files of a live writer are left alone. Returns how many went.
 */
export async function cleanStaleTempFiles(dir: string, now = Date.now()): Promise<number> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    const stale = !writerAlive(Number(match[1])) || now - info.mtimeMs > STALE_TEMP_AGE_MS;
    if (!stale) continue;
    const gone = await unlink(path).then(
      () => true,
      () => false,
    );
    if (gone) removed += 1;
  }
  return removed;
}
