// The capture hot path: raw chunks per source (a process's stdout or stderr, from the log file tail
// or the PM2 bus) -> lines -> PM2 prefix / JSON wrapper removed -> multi-line records -> entries,
// redacted, handed to onEntries. One pipeline per monitor; state per source key.
import type { NewEntry } from '../core/types.js';
import { DEFAULT_MAX_LINE_BYTES, LineAssembler, type AssembledLine } from './line-assembler.js';
import { parseEntry, type SourceContext } from './parse-entry.js';
import { unwrapPm2Json } from './pm2-json-wrapper.js';
import { stripPm2Prefix } from './pm2-prefix.js';
import { RecordGrouper, type GroupedRecord } from './record-grouper.js';

export interface IngestPipelineOptions {
  /** Receives the entries each call completes, synchronously, in source order. Not called with none. */
  onEntries: (entries: NewEntry[]) => void;
  /** Applied to message, raw and string fields before onEntries. If it throws, the text is replaced. */
  redact?: (text: string) => string;
  /** Longest line kept, in UTF-8 bytes; longer lines are cut with a visible marker. Default 65536. */
  maxLineBytes?: number;
  /** A record held this long with no new line is complete (the caller drives time with tick). Default 100. */
  idleFlushMs?: number;
}

export interface IngestStats {
  lines: number;
  entries: number;
  truncatedLines: number;
  droppedBytes: number;
}

interface SourceState {
  source: SourceContext;
  lines: LineAssembler;
  /** For `--log-type json` sources: assembles the wrapper lines whose messages feed `lines`. */
  wrappers?: LineAssembler;
  grouper: RecordGrouper;
  lastWriteAt: number;
}

/** Text that replaces a value the redactor failed on: never pass unredacted text on. */
const REDACTION_FAILED = '[redaction failed]';
const MAX_FIELD_DEPTH = 8;
/** A wrapper holds one chunk (<= 64 KiB of text), JSON-escaped: allow for escapes. */
const WRAPPER_LINE_FACTOR = 8;

function redactValue(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_FIELD_DEPTH) return redact(JSON.stringify(value));
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, redact, depth + 1);
  return out;
}

export class IngestPipeline {
  readonly #onEntries: (entries: NewEntry[]) => void;
  readonly #redact?: (text: string) => string;
  readonly #maxLineBytes: number;
  readonly #idleFlushMs: number;
  /** An unfinished line is given up waiting for after this long (a prompt, a crash mid-write). */
  readonly #partialFlushMs: number;
  readonly #sources = new Map<string, SourceState>();
  readonly #stats: IngestStats = { lines: 0, entries: 0, truncatedLines: 0, droppedBytes: 0 };

  constructor(options: IngestPipelineOptions) {
    if (typeof options?.onEntries !== 'function') throw new TypeError('onEntries must be a function');
    const idle = options.idleFlushMs ?? 100;
    if (!Number.isFinite(idle) || idle < 0) throw new RangeError(`idleFlushMs must be a number >= 0, got ${String(idle)}`);
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 16) {
      throw new RangeError(`maxLineBytes must be an integer >= 16, got ${String(maxLineBytes)}`);
    }
    this.#maxLineBytes = maxLineBytes;
    this.#onEntries = options.onEntries;
    this.#redact = options.redact;
    this.#idleFlushMs = idle;
    this.#partialFlushMs = Math.max(1000, idle * 10);
  }

  /** Feeds a chunk of one source's output. `sourceKey` names the source, e.g. `${pmId}:${stream}`. */
  write(sourceKey: string, source: SourceContext, chunk: Buffer | string, capturedAt: number): void {
    let state = this.#sources.get(sourceKey);
    if (!state) {
      state = {
        source,
        lines: new LineAssembler({ maxLineBytes: this.#maxLineBytes }),
        grouper: new RecordGrouper({ maxRecordChars: Math.max(262_144, this.#maxLineBytes * 4) }),
        lastWriteAt: capturedAt,
      };
      this.#sources.set(sourceKey, state);
    }
    state.source = source;
    state.lastWriteAt = capturedAt;
    const records: GroupedRecord[] = [];
    if (source.jsonWrapped) {
      state.wrappers ??= new LineAssembler({ maxLineBytes: Math.max(this.#maxLineBytes, DEFAULT_MAX_LINE_BYTES) * WRAPPER_LINE_FACTOR });
      this.#wrapperLines(state, state.wrappers.push(chunk), capturedAt, records);
    } else {
      this.#lines(state, state.lines.push(chunk), capturedAt, undefined, records);
    }
    this.#deliver(state.source, records);
  }

  /** The source is gone (process exit, file closed): everything it held becomes entries now. */
  endSource(sourceKey: string, now: number): void {
    const state = this.#sources.get(sourceKey);
    if (!state) return;
    this.#sources.delete(sourceKey);
    const records: GroupedRecord[] = [];
    if (state.wrappers) this.#wrapperLines(state, state.wrappers.flush(), now, records);
    this.#lines(state, state.lines.flush(), now, undefined, records);
    state.grouper.flush(records);
    this.#deliver(state.source, records);
  }

  /** Completes records idle for idleFlushMs, and unfinished lines idle for max(1 s, 10 x idleFlushMs). */
  tick(now: number): void {
    const entries: NewEntry[] = [];
    for (const state of this.#sources.values()) {
      const records: GroupedRecord[] = [];
      if (now - state.lastWriteAt >= this.#partialFlushMs) {
        if (state.wrappers && state.wrappers.pendingBytes > 0) this.#wrapperLines(state, state.wrappers.flush(), now, records);
        if (state.lines.pendingBytes > 0) this.#lines(state, state.lines.flush(), now, undefined, records);
      }
      if (state.grouper.pending && now - state.grouper.lastAt >= this.#idleFlushMs) state.grouper.flush(records);
      for (const record of records) entries.push(this.#entry(state.source, record));
    }
    this.#emit(entries);
  }

  stats(): IngestStats {
    return { ...this.#stats };
  }

  #wrapperLines(state: SourceState, wrappers: AssembledLine[], capturedAt: number, records: GroupedRecord[]): void {
    for (const wrapper of wrappers) {
      const unwrapped = unwrapPm2Json(wrapper.text, state.source.logDateFormat, capturedAt);
      if (unwrapped) this.#lines(state, state.lines.push(unwrapped.message), capturedAt, unwrapped.time, records);
      // Not a wrapper (cut, or written before --log-type json): a line of its own.
      else this.#lines(state, [wrapper], capturedAt, undefined, records);
    }
  }

  #lines(state: SourceState, lines: AssembledLine[], capturedAt: number, wrapperTime: number | undefined, records: GroupedRecord[]): void {
    const stats = this.#stats;
    const format = state.source.jsonWrapped ? undefined : state.source.logDateFormat;
    const stripPrefix = !state.source.jsonWrapped;
    for (const line of lines) {
      stats.lines++;
      if (line.truncatedBytes > 0) {
        stats.truncatedLines++;
        stats.droppedBytes += line.truncatedBytes;
      }
      const prefix = stripPrefix ? stripPm2Prefix(line.text, format, capturedAt) : undefined;
      if (prefix) state.grouper.push({ text: prefix.text, raw: line.text, prefixTime: prefix.time, capturedAt }, records);
      else state.grouper.push({ text: line.text, raw: line.text, prefixTime: wrapperTime, capturedAt }, records);
    }
  }

  #deliver(source: SourceContext, records: GroupedRecord[]): void {
    if (records.length === 0) return;
    const entries: NewEntry[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) entries[i] = this.#entry(source, records[i]);
    this.#emit(entries);
  }

  #entry(source: SourceContext, record: GroupedRecord): NewEntry {
    const entry = parseEntry(record.text, source, record.capturedAt, record.prefixTime);
    entry.raw = record.raw;
    const redact = this.#redact;
    if (redact) {
      try {
        const message = redact(entry.message);
        entry.raw = entry.raw === entry.message ? message : redact(entry.raw);
        entry.message = message;
        if (entry.fields) entry.fields = redactValue(entry.fields, redact, 0) as Record<string, unknown>;
      } catch {
        entry.message = REDACTION_FAILED;
        entry.raw = REDACTION_FAILED;
        delete entry.fields;
      }
    }
    return entry;
  }

  #emit(entries: NewEntry[]): void {
    if (entries.length === 0) return;
    this.#stats.entries += entries.length;
    this.#onEntries(entries);
  }
}
