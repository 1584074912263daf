// What a finding rests on, gathered while a detector scans, and the stable id of a finding.
import type { Evidence, LogEntry } from '../../core/types.js';
import type { DetectorContext } from './context.js';

const SAMPLE_CHARS = 500;

/** Longest text kept for one sample line: enough for a stack's header and first frames. */
export function clip(text: string, max = SAMPLE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Gathers what a finding rests on while a detector scans. Seqs are bounded: the first half of the
 * budget keeps the earliest entries, the second half the latest, so both the onset and the current
 * state can be checked.
 */
export class EvidenceCollector {
  count = 0;
  firstSeen = Infinity;
  lastSeen = -Infinity;
  private readonly head: number[] = [];
  private tail: number[] = [];
  private readonly samples: string[] = [];
  private readonly headMax: number;
  private readonly tailMax: number;

  constructor(
    maxSeqs: number,
    private readonly maxSamples: number,
  ) {
    this.headMax = Math.ceil(maxSeqs / 2);
    this.tailMax = maxSeqs - this.headMax;
  }

  static for(ctx: DetectorContext): EvidenceCollector {
    return new EvidenceCollector(ctx.evidenceSeqs, ctx.evidenceSamples);
  }

  addEntry(entry: LogEntry): void {
    this.add(entry.timestamp, entry.message, entry.seq);
  }

  /** Something seen at `at`; `seq` when it is a buffered entry (process events have none). */
  add(at: number, line: string | undefined, seq?: number): void {
    this.count++;
    if (at < this.firstSeen) this.firstSeen = at;
    if (at > this.lastSeen) this.lastSeen = at;
    if (seq !== undefined) this.pushSeq(seq);
    if (line !== undefined) this.pushSample(line);
  }

  /** A related entry shown with the evidence (the error logged before a crash) without counting as an occurrence. */
  attach(entry: LogEntry): void {
    this.pushSeq(entry.seq);
    this.pushSample(entry.message);
  }

  private pushSeq(seq: number): void {
    if (this.head.length < this.headMax) this.head.push(seq);
    else if (this.tailMax > 0) {
      this.tail.push(seq);
      if (this.tail.length > this.tailMax * 2) this.tail = this.tail.slice(-this.tailMax);
    }
  }

  private pushSample(line: string): void {
    if (this.samples.length >= this.maxSamples) return;
    const sample = clip(line);
    if (!this.samples.includes(sample)) this.samples.push(sample);
  }

  build(patternIds?: string[]): Evidence {
    const evidence: Evidence = {
      seqs: [...new Set([...this.head, ...this.tail.slice(-this.tailMax)])].sort((a, b) => a - b),
      count: this.count,
      firstSeen: this.count === 0 ? 0 : this.firstSeen,
      lastSeen: this.count === 0 ? 0 : this.lastSeen,
      samples: [...this.samples],
    };
    if (patternIds && patternIds.length > 0) evidence.patternIds = patternIds;
    return evidence;
  }
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Like `findingId`, for a key too long to read (a signature): readable parts plus a hash of the whole key. */
export function hashedFindingId(detector: string, readable: string[], key: string): string {
  return `${findingId(detector, ...readable)}~${fnv1a(key)}`;
}

/** Stable id of a finding: the same detector and key give the same id in every analysis. */
export function findingId(detector: string, ...key: string[]): string {
  const readable = key.join(':').replace(/[^\w.:/@<>*-]+/g, '_');
  if (readable.length <= 64) return `${detector}:${readable}`;
  return `${detector}:${readable.slice(0, 48)}~${fnv1a(key.join('\u0000'))}`;
}

