// Entries appended but not yet written, already encoded as frames in one growable Buffer: the
// bytes live off the JS heap (no per-entry strings for the GC to trace) and a flush writes slices
// of it as they are, without a second encoding pass.
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
  private buf = Buffer.allocUnsafe(64 * 1024);
  private seqs: number[] = [];
  private offsets: number[] = [];
  private head = 0;
  private end = 0;
  private writing = false;

  get size(): number {
    return this.seqs.length - this.head;
  }

  /** Encodes one record at the end; returns its frame size. */
  add(seq: number, json: string): number {
    const worst = FRAME_OVERHEAD + json.length * 3;
    if (this.end + worst > this.buf.length) this.grow(this.end + worst);
    const start = this.end;
    const payloadBytes = this.buf.write(json, start + FRAME_OVERHEAD, 'utf8');
    this.end = writeFrame(this.buf, start, payloadBytes);
    this.seqs.push(seq);
    this.offsets.push(start);
    return this.end - start;
  }

  /** Takes back the record just added (it was too large and is re-added shortened). */
  pop(): void {
    this.seqs.pop();
    this.end = this.offsets.pop() as number;
  }

  private grow(need: number): void {
    let capacity = this.buf.length * 2;
    while (capacity < need) capacity *= 2;
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
  }

  /** Forgets records below `seq` (evicted before they were written). */
  dropBelow(seq: number): void {
    while (this.head < this.seqs.length && this.seqs[this.head] < seq) this.head++;
    if (!this.writing) this.compact();
  }

  /** The records above `afterSeq`, frozen: appends during the write do not change the view. */
  run(afterSeq: number): RecordRun {
    let first = this.head;
    while (first < this.seqs.length && this.seqs[first] <= afterSeq) first++;
    const { buf, seqs, offsets } = this;
    const last = seqs.length;
    const end = this.end;
    const stop = (i: number) => (i < last ? offsets[i] : end);
    return {
      length: last - first,
      seq: (i) => seqs[first + i],
      bytes: (i) => stop(first + i + 1) - offsets[first + i],
      slice: (i, j) => buf.subarray(offsets[first + i], stop(first + j)),
    };
  }

  /** Brackets a write: bytes are not moved while the store holds slices of them. */
  setWriting(writing: boolean): void {
    this.writing = writing;
  }

  /** Records up to `seq` are on disk: drop them and move the rest to the front. */
  consume(seq: number): void {
    this.dropBelow(seq + 1);
  }

  /** Amortised: moves the live bytes only once at least half of what precedes them is dead. */
  private compact(): void {
    if (this.head === 0) return;
    const start = this.head < this.seqs.length ? this.offsets[this.head] : this.end;
    if (start * 2 < this.end) return;
    if (start < this.end) this.buf.copy(this.buf, 0, start, this.end);
    this.end -= start;
    this.seqs = this.seqs.slice(this.head);
    this.offsets = this.offsets.slice(this.head).map((offset) => offset - start);
    this.head = 0;
    // A burst may have grown the buffer far past what is pending now: give the memory back.
    if (this.buf.length > 4 * 1024 * 1024 && this.end * 4 < this.buf.length) {
      const smaller = Buffer.allocUnsafe(Math.max(64 * 1024, this.end * 2));
      this.buf.copy(smaller, 0, 0, this.end);
      this.buf = smaller;
    }
  }
}
