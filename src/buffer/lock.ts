// One writer per data directory: a lock file created with O_EXCL holding the writer's pid. A lock
// left by a process that no longer exists (kill -9, power loss) is taken over; a live one is refused.
import { join } from 'node:path';
import { BufferLockedError } from './errors.js';
import type { FileLayer } from './file-layer.js';

export const LOCK_NAME = 'buffer.lock';

export interface DirLock {
  release(): Promise<void>;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the lock.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holder(files: FileLayer, path: string): Promise<number | undefined> {
  try {
    const pid = Number((await files.readFile(path)).toString('utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireLock(files: FileLayer, dir: string, pid = process.pid): Promise<DirLock> {
  const path = join(dir, LOCK_NAME);
  let waited = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await files.open(path, 'create');
      try {
        await file.append(Buffer.from(`${pid}\n`));
        await file.sync();
      } finally {
        await file.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const owner = await holder(files, path);
    if (owner !== undefined && isAlive(owner)) throw new BufferLockedError(dir, owner);
    if (owner === undefined && !waited) {
      // An empty lock may be a writer between its create and its write: look again once.
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    // Dead pid, or still no pid after the wait (a crash between create and write): stale.
    await files.unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  return {
    async release() {
      if ((await holder(files, path)) === pid) await files.unlink(path).catch(() => undefined);
    },
  };
}
