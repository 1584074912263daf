// Hands entries to the consumer together with the file checkpoints valid after them. Work that may
// complete entries runs inside a section; what it completes is delivered once, at the end of the
// outermost section, with checkpoints read after the work (so they never run ahead of the entries).
import type { NewEntry } from '../core/types.js';
import type { FileCheckpoint } from './log-tailer.js';

export interface EntryDeliveryOptions {
  onEntries(entries: NewEntry[], checkpoints: Readonly<Record<string, FileCheckpoint>>): void;
  /** The current checkpoint of every followed file. */
  checkpoints(): Iterable<FileCheckpoint>;
  /** The consumer threw: these entries are lost to it. */
  onConsumerError(error: Error, entries: number): void;
}

export class EntryDelivery {
  private batch: NewEntry[] = [];
  private depth = 0;
  private current: Readonly<Record<string, FileCheckpoint>> = Object.freeze({});
  private stale = true;

  constructor(private readonly options: EntryDeliveryOptions) {}

  section(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
      if (this.depth === 0) this.deliver();
    }
  }

  /** The pipeline's onEntries. */
  collect(entries: NewEntry[]): void {
    if (this.batch.length === 0) this.batch = entries;
    else for (const entry of entries) this.batch.push(entry);
    if (this.depth === 0) this.deliver();
  }

  /** A checkpoint moved, or the set of followed files changed: the next delivery carries the news. */
  checkpointsMoved(): void {
    this.stale = true;
  }

  private deliver(): void {
    const moved = this.stale && this.rebuild();
    if (this.batch.length === 0 && !moved) return;
    const entries = this.batch;
    this.batch = [];
    try {
      this.options.onEntries(entries, this.current);
    } catch (err) {
      this.options.onConsumerError(err as Error, entries.length);
    }
  }

  /** Rebuilds the frozen map; true when a checkpoint moved, appeared or went away. */
  private rebuild(): boolean {
    this.stale = false;
    const next: Record<string, FileCheckpoint> = {};
    let count = 0;
    let moved = false;
    for (const checkpoint of this.options.checkpoints()) {
      next[checkpoint.path] = checkpoint;
      count++;
      const before = this.current[checkpoint.path];
      if (!before || before.offset !== checkpoint.offset || before.ino !== checkpoint.ino || before.fingerprint !== checkpoint.fingerprint) moved = true;
    }
    if (!moved && count === Object.keys(this.current).length) return false;
    this.current = Object.freeze(next);
    return true;
  }
}
