// Entries appended but not yet written, kept as their serialized JSON and encoded into frames only
// when a flush takes them. At high rates most pending entries leave the memory window before the
// next flush and are never written (see LogBuffer.trimPending): encoding them at append time (UTF-8
// copy and CRC) was wasted work, measurable in the append benchmark. A flush encodes each run once,
// into a buffer of its own, so appends during the write never touch the bytes being written.
import { writeFrame, FRAME_OVERHEAD } from './record-codec.js';

/** A frozen view of consecutive pending records, handed to the segment store. */
export interface RecordRun {
  readonly length: number;
  seq(i: number): number;
  /** Frame size of record i. */
  bytes(i: number): number;
  /** Frames i..j-1 as one contiguous slice. */
  slice(i: number, j: number): Buffer;
}

export class PendingLog {
  private jsons: string[] = [];
  private seqs: number[] = [];
  /** Frame size of each record (payload UTF-8 bytes + FRAME_OVERHEAD), known from append on. */
  private sizes: number[] = [];
  private head = 0;
  private writing = false;

  get size(): number {
    return this.seqs.length - this.head;
  }

  /** Keeps one record at the end; returns its frame size. */
  add(seq: number, json: string): number {
    const bytes = FRAME_OVERHEAD + Buffer.byteLength(json, 'utf8');
    this.jsons.push(json);
    this.seqs.push(seq);
    this.sizes.push(bytes);
    return bytes;
  }

  /** Takes back the record just added (it was too large and is re-added shortened). */
  pop(): void {
    this.jsons.pop();
    this.seqs.pop();
    this.sizes.pop();
  }

  /** Forgets records below `seq` (evicted before they were written). */
  dropBelow(seq: number): void {
    while (this.head < this.seqs.length && this.seqs[this.head] < seq) this.jsons[this.head++] = '';
    if (!this.writing) this.compact();
  }

  /** The records above `afterSeq`, encoded as frames: appends during the write do not change the view. */
  run(afterSeq: number): RecordRun {
    let first = this.head;
    while (first < this.seqs.length && this.seqs[first] <= afterSeq) first++;
    const last = this.seqs.length;
    const seqs = this.seqs.slice(first, last);
    // offsets[i] is where frame i starts; offsets[length] is the end of the last frame.
    const offsets = new Array<number>(last - first + 1);
    let total = 0;
    for (let i = first; i < last; i++) {
      offsets[i - first] = total;
      total += this.sizes[i];
    }
    offsets[last - first] = total;
    const buf = Buffer.allocUnsafe(total);
    for (let i = first; i < last; i++) {
      const start = offsets[i - first];
      const payloadBytes = buf.write(this.jsons[i], start + FRAME_OVERHEAD, 'utf8');
      writeFrame(buf, start, payloadBytes);
    }
    return {
      length: last - first,
      seq: (i) => seqs[i],
      bytes: (i) => offsets[i + 1] - offsets[i],
      slice: (i, j) => buf.subarray(offsets[i], offsets[j]),
    };
  }

  /** Brackets a write: the arrays are compacted only between writes. */
  setWriting(writing: boolean): void {
    this.writing = writing;
  }

  /** Records up to `seq` are on disk: drop them. */
  consume(seq: number): void {
    this.dropBelow(seq + 1);
  }

  /** Amortised: the arrays are cut only once at least half of them is dead. */
  private compact(): void {
    if (this.head === 0 || this.head * 2 < this.seqs.length) return;
    this.jsons = this.jsons.slice(this.head);
    this.seqs = this.seqs.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }
}
