// Windows hold entries in seq order, so one entry is found by binary search rather than a map of every seq.
import type { LogEntry } from '../core/types.js';

/** Index of the entry with this seq in `entries` (ascending seqs), or -1 when it is not there. */
export function indexOfSeq(entries: readonly Pick<LogEntry, 'seq'>[], seq: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = entries[mid].seq;
    if (at === seq) return mid;
    if (at < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
