// Groups the lines of one process stream into records, so that a stack trace is one entry rather
// than thirty. A record is a head line plus the lines that continue it:
//   - indented lines: stack frames (`    at f (/app/x.js:1:2)`), `  [cause]: Error: ...`,
//     `  [errors]: [`, the `{ code: 'ECONNREFUSED', ... }` block console.error(err) prints, etc.;
//   - `Caused by: ...`, closing `}` / `]` / `)` of such a block, Node's `(Use \`node --trace-...`)` hint;
//   - the code frame Node prints before an uncaught error: `/app/x.js:3`, the source line, the caret
//     line, blank lines, then the error and its stack (confirmed only once the caret line arrives);
//   - blank lines followed by `Node.js v20.x`, which Node prints after an uncaught error;
//   - an error message that spans lines before its stack (`ReferenceError: require is not defined
//     in ES module scope...` / `This file is being treated as an ES module...` / `    at ...`,
//     AssertionError diffs): held for a few lines, joined only if stack frames follow.
// A JSON log line is complete in itself: nothing continues it.
// Other blank lines end the record and are dropped: an empty entry tells no one anything.
// Decisions look at the first character first, so that ordinary lines cost no regular expression.
import { endsWithOpener, isBlank, isCaretLine, isErrorHead, isFrameHeader, startsNewEntry } from './line-shapes.js';

export interface GroupLine {
  /** The line after any PM2 prefix. */
  text: string;
  /** The line as captured. */
  raw: string;
  /** Time from the PM2 prefix or JSON wrapper, when there was one. */
  prefixTime?: number;
  capturedAt: number;
}

export interface GroupedRecord {
  /** The lines' text joined with `\n`. */
  text: string;
  /** The lines as captured, joined with `\n`. */
  raw: string;
  /** The first line's prefix time. */
  prefixTime?: number;
  /** The first line's capture time. */
  capturedAt: number;
  lines: number;
}

export interface RecordGrouperOptions {
  /** Most lines in one record; a longer trace goes on in a new record. Default 1000. */
  maxRecordLines?: number;
  /** Most characters in one record (bounds memory per stream). Default 262144. */
  maxRecordChars?: number;
}

type State = 'none' | 'open' | 'frame-source' | 'frame-caret' | 'frame-error' | 'error-message';

/** Node prints one blank line before `Node.js v..`; more than this and the record is over. */
const MAX_HELD_BLANKS = 4;
/** Lines of an error message held while waiting to see whether stack frames follow. */
const MAX_MESSAGE_LINES = 12;
const NODE_VERSION = /^Node\.js v\d/;
const STACK_FRAME = /^[ \t]+at /;
const SPACE = 32;
const TAB = 9;

export class RecordGrouper {
  readonly maxRecordLines: number;
  readonly maxRecordChars: number;
  #lines: GroupLine[] = [];
  #chars = 0;
  #state: State = 'none';
  /** Blank lines after an open record: kept only if `Node.js v..` follows. */
  #blanks: GroupLine[] = [];
  #lastAt = 0;
  /** The head is a whole JSON object (pino, winston, bunyan): nothing continues it. */
  #sealed = false;
  /** Index in #lines of an `XxxError: message` line that may go on over more lines; -1 if none. */
  #errorHead = -1;
  /** Lines after an error head that may still be its message (state 'error-message'). */
  #held: GroupLine[] = [];

  constructor(options: RecordGrouperOptions = {}) {
    const lines = options.maxRecordLines ?? 1000;
    const chars = options.maxRecordChars ?? 262_144;
    if (!Number.isInteger(lines) || lines < 1) throw new RangeError(`maxRecordLines must be an integer >= 1, got ${String(lines)}`);
    if (!Number.isInteger(chars) || chars < 1) throw new RangeError(`maxRecordChars must be an integer >= 1, got ${String(chars)}`);
    this.maxRecordLines = lines;
    this.maxRecordChars = chars;
  }

  /** True while a record is held, waiting for lines that might continue it. */
  get pending(): boolean {
    return this.#state !== 'none';
  }

  /** Capture time of the last line pushed. */
  get lastAt(): number {
    return this.#lastAt;
  }

  /** Adds one line; completed records are appended to `out`. */
  push(line: GroupLine, out: GroupedRecord[]): void {
    this.#lastAt = line.capturedAt;
    const text = line.text;
    switch (this.#state) {
      case 'none':
        if (!isBlank(text)) this.#start(line);
        return;
      case 'open':
        this.#continueOpen(line, out);
        return;
      case 'frame-source':
        if (isBlank(text)) {
          this.#emit(out);
          return;
        }
        if (this.#append(line, out)) this.#state = 'frame-caret';
        return;
      case 'frame-caret':
        if (!isCaretLine(text)) {
          this.#unframe(line, out);
          return;
        }
        if (this.#append(line, out)) this.#state = 'frame-error';
        return;
      case 'frame-error':
        if (this.#append(line, out) && !isBlank(text)) {
          this.#state = 'open';
          this.#errorHead = isErrorHead(text) ? this.#lines.length - 1 : -1;
        }
        return;
      case 'error-message':
        this.#continueMessage(line, out);
        return;
    }
  }

  /** Ends the stream: emits whatever is held. */
  flush(out: GroupedRecord[]): void {
    if (this.#state === 'error-message') this.#release(out);
    if (this.#state === 'frame-caret') {
      const source = this.#lines.pop() as GroupLine;
      this.#emit(out);
      this.#start(source);
    }
    if (this.#state !== 'none') this.#emit(out);
  }

  #continueOpen(line: GroupLine, out: GroupedRecord[]): void {
    const text = line.text;
    if (isBlank(text)) {
      if (this.#blanks.length < MAX_HELD_BLANKS) this.#blanks.push(line);
      else this.#emit(out);
      return;
    }
    if (this.#errorHead === this.#lines.length - 1 && !this.#continues(text) && !startsNewEntry(text)) {
      this.#held = this.#blanks;
      this.#held.push(line);
      this.#blanks = [];
      this.#state = 'error-message';
      return;
    }
    if (this.#blanks.length > 0) {
      if (this.#lines.length > 1 && NODE_VERSION.test(text) && this.#fits(text, this.#blanks.length + 1)) {
        for (const blank of this.#blanks) this.#lines.push(blank);
        this.#blanks = [];
        this.#lines.push(line);
        this.#chars += text.length;
        return;
      }
      this.#emit(out);
      this.#start(line);
      return;
    }
    if (!this.#sealed && this.#continues(text)) this.#append(line, out);
    else {
      this.#emit(out);
      this.#start(line);
    }
  }

  #continueMessage(line: GroupLine, out: GroupedRecord[]): void {
    const text = line.text;
    if (STACK_FRAME.test(text)) {
      const held = this.#held;
      let chars = text.length;
      for (const heldLine of held) chars += heldLine.text.length;
      if (this.#lines.length + held.length + 1 <= this.maxRecordLines && this.#chars + chars <= this.maxRecordChars) {
        for (const heldLine of held) this.#lines.push(heldLine);
        this.#lines.push(line);
        this.#chars += chars;
        this.#held = [];
        this.#errorHead = -1;
        this.#state = 'open';
        return;
      }
    } else if (this.#held.length < MAX_MESSAGE_LINES && !startsNewEntry(text)) {
      this.#held.push(line);
      return;
    }
    this.#release(out);
    this.push(line, out);
  }

  /** No stack followed: the error head is a record of its own, the held lines go through again. */
  #release(out: GroupedRecord[]): void {
    const held = this.#held;
    this.#held = [];
    this.#emit(out);
    for (const heldLine of held) this.push(heldLine, out);
  }

  #continues(text: string): boolean {
    const first = text.charCodeAt(0);
    if (first === SPACE || first === TAB) return true;
    // } ] ) closing a block the record opened.
    if (first === 125 || first === 93 || first === 41) {
      return this.#lines.length > 1 || endsWithOpener(this.#lines[0].text);
    }
    if (first === 67) return text.startsWith('Caused by:');
    if (first === 40) return text.startsWith('(Use `node --trace');
    return false;
  }

  #fits(text: string, lines: number): boolean {
    return this.#lines.length + lines <= this.maxRecordLines && this.#chars + text.length <= this.maxRecordChars;
  }

  /** The head line did not open a code frame after all: it and its follower are records of their own. */
  #unframe(line: GroupLine, out: GroupedRecord[]): void {
    const source = this.#lines.pop() as GroupLine;
    this.#emit(out);
    this.#start(source);
    this.push(line, out);
  }

  #start(line: GroupLine): void {
    this.#lines = [line];
    this.#chars = line.text.length;
    const text = line.text;
    this.#sealed = text.charCodeAt(0) === 123 && text.charCodeAt(1) === 34 && text.charCodeAt(text.length - 1) === 125;
    this.#errorHead = isErrorHead(text) ? 0 : -1;
    this.#state = isFrameHeader(text) ? 'frame-source' : 'open';
  }

  /** Adds a continuation line; when the record is full, emits it and starts a new one with the line. */
  #append(line: GroupLine, out: GroupedRecord[]): boolean {
    if (!this.#fits(line.text, 1)) {
      this.#emit(out);
      if (!isBlank(line.text)) this.#start(line);
      return false;
    }
    this.#lines.push(line);
    this.#chars += line.text.length;
    return true;
  }

  #emit(out: GroupedRecord[]): void {
    const lines = this.#lines;
    this.#lines = [];
    this.#blanks = [];
    this.#chars = 0;
    this.#state = 'none';
    // Blank lines inside a code frame end up last when the frame is cut short: they say nothing.
    while (lines.length > 1 && isBlank(lines[lines.length - 1].text)) lines.pop();
    const first = lines[0];
    if (!first) return;
    const record: GroupedRecord = { text: first.text, raw: first.raw, capturedAt: first.capturedAt, lines: lines.length };
    if (first.prefixTime !== undefined) record.prefixTime = first.prefixTime;
    if (lines.length > 1) {
      let text = first.text;
      let raw = first.raw;
      for (let i = 1; i < lines.length; i++) {
        text += '\n' + lines[i].text;
        raw += '\n' + lines[i].raw;
      }
      record.text = text;
      record.raw = raw;
    }
    out.push(record);
  }
}
