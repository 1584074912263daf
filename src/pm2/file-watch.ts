// Tells a tailer when to look again. fs.watch is quick but unreliable across inode swaps (a file
// watcher stays on the old inode) and may be unavailable, so a poll always runs underneath; the
// folder is watched too, for renames and re-creations. Wake-ups are cheap: the tailer coalesces them.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export class FileWatch {
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #wake: () => void;
  #folder?: FSWatcher;
  #file?: FSWatcher;
  #fileIno?: number;
  #timer?: NodeJS.Timeout;
  #closed = false;

  constructor(path: string, intervalMs: number, wake: () => void) {
    this.#path = path;
    this.#intervalMs = intervalMs;
    this.#wake = wake;
  }

  /** `followedIno` tells which inode is followed: the file watcher moves when it changes. */
  start(followedIno: () => number | undefined): void {
    this.#arm(followedIno());
    // unref: following a file is no reason on its own to keep the process alive.
    this.#timer = setInterval(() => {
      this.#arm(followedIno());
      this.#wake();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#folder?.close();
    this.#file?.close();
    this.#folder = this.#file = undefined;
  }

  /** Also re-creates a watcher that failed: the folder may not have existed at the last tick. */
  #arm(followedIno: number | undefined): void {
    if (this.#closed) return;
    const name = basename(this.#path);
    this.#folder ??= this.#watch(dirname(this.#path), (changed) => changed === null || changed === name);
    if (followedIno !== undefined && followedIno !== this.#fileIno) {
      this.#file?.close();
      this.#file = this.#watch(this.#path, () => true);
      this.#fileIno = this.#file ? followedIno : undefined;
    }
  }

  #watch(target: string, relevant: (name: string | null) => boolean): FSWatcher | undefined {
    try {
      const watcher = watch(target, { persistent: false }, (_event, changed) => {
        if (relevant(changed)) this.#wake();
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.#folder === watcher) this.#folder = undefined;
        if (this.#file === watcher) this.#file = this.#fileIno = undefined;
      });
      return watcher;
    } catch {
      // A missing folder or no inotify watches left: the poll still runs, the next tick tries again.
      return undefined;
    }
  }
}
