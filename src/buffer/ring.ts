// The memory window: retained entries in seq order in a fixed circular array, with each entry's
// stored size, so that eviction by count or by bytes is O(1) and lookups by seq are a binary search.
import type { LogEntry } from '../core/types.js';

export class Ring {
  /** Cached [oldest, newest] timestamps; cleared by every change, recomputed on demand. */
  private span: [number, number] | undefined;
  private readonly entries: Array<LogEntry | undefined>;
  private readonly sizes: Float64Array;
  private head = 0;
  private count = 0;
  private totalBytes = 0;

  constructor(readonly capacity: number) {
    this.entries = new Array<LogEntry | undefined>(capacity).fill(undefined);
    this.sizes = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Smallest and largest entry timestamp retained (timestamps come from the lines: not in seq order).
   * A scan, cached until the next change: cheaper overall than keeping it current on every append.
   */
  get timeSpan(): [number, number] | undefined {
    if (this.span || this.count === 0) return this.span;
    let oldest = Infinity;
    let newest = -Infinity;
    for (let i = 0; i < this.count; i++) {
      const t = this.at(i).timestamp;
      if (t < oldest) oldest = t;
      if (t > newest) newest = t;
    }
    this.span = [oldest, newest];
    return this.span;
  }

  /** The i-th oldest retained entry, 0 <= i < length. */
  at(i: number): LogEntry {
    const slot = this.head + i;
    return this.entries[slot < this.capacity ? slot : slot - this.capacity] as LogEntry;
  }

  first(): LogEntry | undefined {
    return this.count > 0 ? this.at(0) : undefined;
  }

  last(): LogEntry | undefined {
    return this.count > 0 ? this.at(this.count - 1) : undefined;
  }

  /** Adds at the newest end; returns the entry pushed out when the ring was full. */
  push(entry: LogEntry, bytes: number): LogEntry | undefined {
    const evicted = this.count === this.capacity ? this.shift() : undefined;
    const slot = (this.head + this.count) % this.capacity;
    this.entries[slot] = entry;
    this.sizes[slot] = bytes;
    this.count++;
    this.totalBytes += bytes;
    this.span = undefined;
    return evicted;
  }

  shift(): LogEntry | undefined {
    if (this.count === 0) return undefined;
    const entry = this.entries[this.head] as LogEntry;
    this.span = undefined;
    this.totalBytes -= this.sizes[this.head];
    this.entries[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return entry;
  }

  /** Index of the first entry with seq >= `seq` (length when none). */
  lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
