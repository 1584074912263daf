// Rebuilds lines from the raw chunks a process writes: PM2 hands over pipe reads (up to 64 KiB, often
// ending mid-line, sometimes mid-character), so one assembler lives per process and stream.
import { StringDecoder } from 'node:string_decoder';

export interface AssembledLine {
  /** The line without its `\n` / `\r\n`; ends with the truncation marker when the line was cut. */
  text: string;
  /** UTF-8 bytes cut off the end of the line (0 for a whole line). */
  truncatedBytes: number;
}

export interface LineAssemblerOptions {
  /** Longest line kept, in UTF-8 bytes; the rest is dropped and counted. Default 65536. */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 65_536;

// Large Buffers are decoded in slices so that a single huge write never becomes one huge string.
const DECODE_SLICE_BYTES = 1 << 20;
const CR = 13;

/** The visible text appended to a cut line, so that a reader knows the line went on. */
export function truncationMarker(droppedBytes: number): string {
  return ` …[truncated ${droppedBytes} bytes]`;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary. */
export function cutUtf8(text: string, maxBytes: number): { head: string; droppedBytes: number } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { head: text, droppedBytes: 0 };
  let end = maxBytes;
  // Step back over continuation bytes so that no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return { head: bytes.toString('utf8', 0, end), droppedBytes: bytes.length - end };
}

export class LineAssembler {
  readonly maxLineBytes: number;
  readonly #decoder = new StringDecoder('utf8');
  /** The start of the current, unfinished line: never more than maxLineBytes. */
  #partial = '';
  #partialBytes = 0;
  /** Bytes of the current line already thrown away because it outgrew maxLineBytes. */
  #dropped = 0;

  constructor(options: LineAssemblerOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 16) {
      throw new RangeError(`maxLineBytes must be an integer >= 16, got ${String(max)}`);
    }
    this.maxLineBytes = max;
  }

  /** Bytes held for the unfinished line (bounded by maxLineBytes whatever the input). */
  get pendingBytes(): number {
    return this.#partialBytes;
  }

  /** Feeds one chunk; returns the lines it completed, oldest first. */
  push(chunk: Buffer | string): AssembledLine[] {
    const out: AssembledLine[] = [];
    // The bus hands over whatever the daemon sent: tolerate a missing or non-text payload.
    if (!(chunk instanceof Uint8Array)) chunk = chunk == null ? '' : String(chunk);
    if (typeof chunk === 'string') {
      // Bytes left from a Buffer that ended mid-character cannot be completed by a string.
      const stranded = this.#decoder.end();
      if (stranded) this.#take(stranded, out);
      this.#take(chunk, out);
    } else if (chunk.length <= DECODE_SLICE_BYTES) {
      this.#take(this.#decoder.write(chunk), out);
    } else {
      for (let at = 0; at < chunk.length; at += DECODE_SLICE_BYTES) {
        this.#take(this.#decoder.write(chunk.subarray(at, at + DECODE_SLICE_BYTES)), out);
      }
    }
    return out;
  }

  /** Ends the stream: returns the unfinished last line, if any, and resets. */
  flush(): AssembledLine[] {
    const stranded = this.#decoder.end();
    if (stranded) this.#appendPartial(stranded);
    if (this.#partialBytes === 0 && this.#dropped === 0) return [];
    return [this.#finish(this.#partial, '')];
  }

  #take(text: string, out: AssembledLine[]): void {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      out.push(this.#finish(this.#partial, text.slice(start, end)));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.#appendPartial(start === 0 ? text : text.slice(start));
  }

  /** Completes the current line from the held partial and the segment that ends it, then resets. */
  #finish(partial: string, segment: string): AssembledLine {
    const max = this.maxLineBytes;
    let dropped = this.#dropped;
    let line: string;
    if (dropped > 0) {
      line = partial;
      dropped += segment.length === 0 ? 0 : Buffer.byteLength(segment);
    } else {
      line = partial.length === 0 ? segment : partial + segment;
      // CRLF split across two chunks: the CR ended the previous one.
      if (segment.length === 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
      // A UTF-16 unit is at most 3 UTF-8 bytes: most lines are decided without counting.
      if (line.length * 3 > max && this.#partialBytes + Buffer.byteLength(segment) > max) {
        const cut = cutUtf8(line, max);
        line = cut.head;
        dropped = cut.droppedBytes;
      }
    }
    this.#partial = '';
    this.#partialBytes = 0;
    this.#dropped = 0;
    if (dropped === 0) return { text: line, truncatedBytes: 0 };
    return { text: line + truncationMarker(dropped), truncatedBytes: dropped };
  }

  #appendPartial(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.#dropped > 0) {
      this.#dropped += bytes;
      return;
    }
    this.#partial += text;
    this.#partialBytes += bytes;
    if (this.#partialBytes > this.maxLineBytes) {
      const cut = cutUtf8(this.#partial, this.maxLineBytes);
      this.#partial = cut.head;
      this.#partialBytes -= cut.droppedBytes;
      this.#dropped = cut.droppedBytes;
    }
  }
}
