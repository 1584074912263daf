// What the miner remembers about each template besides its tokens: counts, times, processes, levels,
// examples, the most frequent values of each wildcard and a per-minute histogram. Every part is
// bounded, so a template seen a billion times costs the same memory as one seen ten times.
import type { Level, PatternSummary, WildcardValues } from '../../core/types.js';

export interface StatsLimits {
  /** Example lines kept per template. */
  examples: number;
  /** Characters kept of each example line. */
  exampleChars: number;
  /** Distinct values tracked per wildcard (a Misra-Gries summary; the top ones are reported). */
  valuesTracked: number;
  /** Characters kept of each wildcard value. */
  valueChars: number;
  /** Distinct process names tracked per template. */
  processes: number;
  /** Minute buckets kept (the newest). */
  minutes: number;
}

export const DEFAULT_STATS_LIMITS: StatsLimits = {
  examples: 3,
  exampleChars: 300,
  valuesTracked: 12,
  valueChars: 120,
  processes: 16,
  minutes: 120,
};

const MINUTE = 60_000;
const EXAMPLE_SEARCH = 64;

/**
 * Frequent values by the Misra-Gries summary: a value not in a full table lowers every count by the
 * smallest one (dropping those that reach zero) instead of taking a slot. Exact while the distinct
 * values fit; beyond, counts are lower bounds, any value with more than 1/(capacity+1) of the
 * occurrences is kept, and the cost stays O(1) amortized per value, which matters on the capture path
 * where wildcards such as request ids are new on every line.
 */
export class TopValues {
  readonly counts = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  add(value: string, by = 1): void {
    const c = this.counts.get(value);
    if (c !== undefined) {
      this.counts.set(value, c + by);
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(value, by);
      return;
    }
    let min = by;
    for (const v of this.counts.values()) if (v < min) min = v;
    for (const [k, v] of this.counts) {
      if (v <= min) this.counts.delete(k);
      else this.counts.set(k, v - min);
    }
    if (by > min) this.counts.set(value, by - min);
  }

  top(limit: number): Array<{ value: string; count: number }> {
    return [...this.counts]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, limit)
      .map(([value, count]) => ({ value, count }));
  }
}

export class PatternStats {
  count = 0;
  firstSeen = Infinity;
  lastSeen = -Infinity;
  readonly processes = new Map<string, number>();
  readonly levels: Partial<Record<Level, number>> = {};
  readonly examples: string[] = [];
  /** Wildcard values by token position. */
  readonly wildcards = new Map<number, TopValues>();
  /** [minute start, count], oldest first. */
  readonly perMinute: Array<[number, number]> = [];

  constructor(readonly limits: StatsLimits) {}

  record(at: number, message: string, process: string | undefined, level: Level | undefined): void {
    this.count++;
    if (at < this.firstSeen) this.firstSeen = at;
    if (at > this.lastSeen) this.lastSeen = at;
    if (process !== undefined) this.addProcess(process, 1);
    if (level !== undefined) this.levels[level] = (this.levels[level] ?? 0) + 1;
    // Examples come from a pattern's first lines: a pattern whose lines are all alike stops looking.
    if (this.examples.length < this.limits.examples && this.count <= EXAMPLE_SEARCH) this.addExample(message);
    this.addMinute(Math.floor(at / MINUTE) * MINUTE, 1);
  }

  addValue(position: number, value: string, by = 1): void {
    let top = this.wildcards.get(position);
    if (top === undefined) {
      top = new TopValues(this.limits.valuesTracked);
      this.wildcards.set(position, top);
    }
    top.add(value.length > this.limits.valueChars ? value.slice(0, this.limits.valueChars) : value, by);
  }

  addProcess(name: string, by: number): void {
    const c = this.processes.get(name);
    if (c !== undefined) this.processes.set(name, c + by);
    else if (this.processes.size < this.limits.processes) this.processes.set(name, by);
  }

  addExample(message: string): void {
    const nl = message.indexOf('\n');
    let line = nl >= 0 ? message.slice(0, nl) : message;
    if (line.length > this.limits.exampleChars) line = line.slice(0, this.limits.exampleChars);
    if (this.examples.length < this.limits.examples && !this.examples.includes(line)) this.examples.push(line);
  }

  addMinute(minute: number, by: number): void {
    const buckets = this.perMinute;
    const last = buckets.length - 1;
    if (last >= 0 && buckets[last][0] === minute) {
      buckets[last][1] += by;
      return;
    }
    if (last < 0 || buckets[last][0] < minute) {
      buckets.push([minute, by]);
      if (buckets.length > this.limits.minutes) buckets.shift();
      return;
    }
    // Out of order (clock skew between processes): find the bucket, or make one if it is still in range.
    let k = last;
    while (k >= 0 && buckets[k][0] > minute) k--;
    if (k >= 0 && buckets[k][0] === minute) buckets[k][1] += by;
    else if (k >= 0 || buckets.length < this.limits.minutes) {
      buckets.splice(k + 1, 0, [minute, by]);
      if (buckets.length > this.limits.minutes) buckets.shift();
    }
  }

  /**
   * Folds another pattern's figures into this one (when two patterns become one). Wildcard values
   * come along only when `alignedWildcards`: when both count positions in templates of one length.
   */
  absorb(other: PatternStats, alignedWildcards: boolean): void {
    this.count += other.count;
    this.firstSeen = Math.min(this.firstSeen, other.firstSeen);
    this.lastSeen = Math.max(this.lastSeen, other.lastSeen);
    for (const [name, c] of other.processes) this.addProcess(name, c);
    for (const [level, c] of Object.entries(other.levels) as Array<[Level, number]>) this.levels[level] = (this.levels[level] ?? 0) + c;
    for (const e of other.examples) this.addExample(e);
    if (alignedWildcards) for (const [position, top] of other.wildcards) for (const [v, c] of top.counts) this.addValue(position, v, c);
    for (const [minute, c] of other.perMinute) this.addMinute(minute, c);
  }

  summarize(id: string, template: string, wildcardPositions: readonly number[], topValues = 5): PatternSummary {
    const wildcards: WildcardValues[] = [];
    for (const position of wildcardPositions) {
      const top = this.wildcards.get(position);
      if (top !== undefined && top.counts.size > 0) wildcards.push({ position, values: top.top(topValues) });
    }
    return {
      id,
      template,
      count: this.count,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      processes: [...this.processes.keys()].sort(),
      levels: { ...this.levels },
      examples: [...this.examples],
      wildcards,
      perMinute: this.perMinute.map(([m, c]) => [m, c]),
    };
  }
}
