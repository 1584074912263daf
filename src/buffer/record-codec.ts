// On-disk format of a segment: a 16-byte header, then records framed as
//   u32 LE crc32(length bytes + payload) | u32 LE payload length | payload (JSON array, UTF-8)
// The CRC covers the length too, so a flipped length bit is caught instead of trusted. A payload
// always starts with '[', which lets a scan after corruption find candidate frames with indexOf.
import type { Level, LogEntry, NewEntry, Stream } from '../core/types.js';
import { crc32 } from './crc32.js';

export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 16;
export const FRAME_OVERHEAD = 8;
const MAGIC = 0x534d4c50; // "PLMS" read as u32 LE
const OPEN_BRACKET = 0x5b;

export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.seg`;
}

export function parseSegmentName(name: string): number | undefined {
  const match = /^(\d{16})\.seg$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function encodeHeader(firstSeq: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt16LE(FORMAT_VERSION, 4);
  header.writeDoubleLE(firstSeq, 8);
  return header;
}

export type HeaderCheck = { kind: 'ok'; firstSeq: number } | { kind: 'short' } | { kind: 'garbage' } | { kind: 'version'; version: number };

export function checkHeader(buf: Buffer): HeaderCheck {
  if (buf.length < HEADER_BYTES) return { kind: 'short' };
  if (buf.readUInt32LE(0) !== MAGIC) return { kind: 'garbage' };
  const version = buf.readUInt16LE(4);
  if (version !== FORMAT_VERSION) return { kind: 'version', version };
  const firstSeq = buf.readDoubleLE(8);
  return Number.isSafeInteger(firstSeq) && firstSeq > 0 ? { kind: 'ok', firstSeq } : { kind: 'garbage' };
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Most log text needs no JSON escaping: quoting it directly is much cheaper than JSON.stringify. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function num(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Compact positional form: keys would double the size of a typical line. `raw` is 0 when equal to
 * `message`; trailing absent fields are left out. Layout:
 * [seq, timestamp, process, pmId, stream, level, message, raw, pid, instance, namespace, fields, patternId]
 */
export function serializeEntry(entry: LogEntry): string {
  let json = `[${entry.seq},${num(entry.timestamp)},${quote(entry.process)},${num(entry.pmId)},"${entry.stream}","${entry.level}",${quote(entry.message)},${entry.raw === entry.message ? '0' : quote(entry.raw)}`;
  const { pid, instance, namespace, fields, patternId } = entry;
  if (patternId !== undefined) {
    json += `,${num(pid)},${num(instance)},${namespace === undefined ? 'null' : quote(namespace)},${fields === undefined ? 'null' : JSON.stringify(fields)},${quote(patternId)}`;
  } else if (fields !== undefined) {
    json += `,${num(pid)},${num(instance)},${namespace === undefined ? 'null' : quote(namespace)},${JSON.stringify(fields)}`;
  } else if (namespace !== undefined) {
    json += `,${num(pid)},${num(instance)},${quote(namespace)}`;
  } else if (instance !== undefined) {
    json += `,${num(pid)},${num(instance)}`;
  } else if (pid !== undefined) {
    json += `,${num(pid)}`;
  }
  return `${json}]`;
}

const STREAMS = new Set<string>(['out', 'err', 'pm2']);
const LEVEL_SET = new Set<string>(['error', 'warn', 'info', 'debug']);

/** Returns undefined for a payload that passed the CRC but is not an entry (never trusted blindly). */
export function deserializeEntry(json: string): LogEntry | undefined {
  let row: unknown;
  try {
    row = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(row) || row.length < 8) return undefined;
  const [seq, timestamp, process, pmId, stream, level, message, raw, pid, instance, namespace, fields, patternId] = row;
  if (typeof seq !== 'number' || typeof timestamp !== 'number' || typeof process !== 'string' || typeof pmId !== 'number') return undefined;
  if (!STREAMS.has(stream) || !LEVEL_SET.has(level) || typeof message !== 'string') return undefined;
  const entry: LogEntry = {
    seq,
    timestamp,
    process,
    pmId,
    stream: stream as Stream,
    level: level as Level,
    message,
    raw: typeof raw === 'string' ? raw : message,
  };
  if (typeof pid === 'number') entry.pid = pid;
  if (typeof instance === 'number') entry.instance = instance;
  if (typeof namespace === 'string') entry.namespace = namespace;
  if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) entry.fields = fields as Record<string, unknown>;
  if (typeof patternId === 'string') entry.patternId = patternId;
  return entry;
}

/** Builds the stored entry with seq first, keeping only the fields the contract names. */
export function numberEntry(seq: number, e: NewEntry): LogEntry {
  const entry: LogEntry = {
    seq,
    timestamp: e.timestamp,
    process: e.process,
    pmId: e.pmId,
    stream: e.stream,
    level: e.level,
    message: e.message,
    raw: e.raw,
  };
  if (e.pid !== undefined) entry.pid = e.pid;
  if (e.instance !== undefined) entry.instance = e.instance;
  if (e.namespace !== undefined) entry.namespace = e.namespace;
  if (e.fields !== undefined) entry.fields = e.fields;
  if (e.patternId !== undefined) entry.patternId = e.patternId;
  return entry;
}

/** A line too large for one record keeps its head, marked, so memory and disk stay bounded. */
export function shrinkEntry(entry: LogEntry, maxPayload: number): LogEntry {
  let chars = Math.floor(maxPayload / 16);
  for (;;) {
    const cut = (text: string) => (text.length > chars ? `${text.slice(0, chars)} …[truncated ${text.length - chars} chars]` : text);
    const smaller: LogEntry = { ...entry, message: cut(entry.message), raw: cut(entry.raw) };
    delete smaller.fields;
    if (Buffer.byteLength(serializeEntry(smaller)) <= maxPayload) return smaller;
    chars = Math.floor(chars / 2);
  }
}

/** Completes the frame whose payload is already at `offset + FRAME_OVERHEAD`; returns the next offset. */
export function writeFrame(target: Buffer, offset: number, payloadBytes: number): number {
  const end = offset + FRAME_OVERHEAD + payloadBytes;
  target.writeUInt32LE(payloadBytes, offset + 4);
  target.writeUInt32LE(crc32(target, offset + 4, end), offset);
  return end;
}

export interface ScanResult {
  /** Payload [start, end) byte ranges of the whole, valid frames, in file order. */
  frames: Array<[number, number]>;
  /** Corrupt stretches skipped between valid frames. */
  corrupt: number;
  /** Offset just past the last valid frame: where a torn tail starts. */
  validEnd: number;
}

function frameAt(buf: Buffer, offset: number, maxPayload: number): number {
  if (offset + FRAME_OVERHEAD > buf.length) return -1;
  const length = buf.readUInt32LE(offset + 4);
  // A zero or absurd length is corruption: it is never used to allocate or to skip ahead.
  if (length === 0 || length > maxPayload || offset + FRAME_OVERHEAD + length > buf.length) return -1;
  if (buf[offset + FRAME_OVERHEAD] !== OPEN_BRACKET) return -1;
  return crc32(buf, offset + 4, offset + FRAME_OVERHEAD + length) === buf.readUInt32LE(offset) ? length : -1;
}

/** Reads frames from `from`; after a bad frame, resyncs on the next offset that holds a valid one. */
export function scanFrames(buf: Buffer, from: number, maxPayload: number): ScanResult {
  const frames: Array<[number, number]> = [];
  let corrupt = 0;
  let offset = from;
  for (;;) {
    const length = frameAt(buf, offset, maxPayload);
    if (length > 0) {
      frames.push([offset + FRAME_OVERHEAD, offset + FRAME_OVERHEAD + length]);
      offset += FRAME_OVERHEAD + length;
      continue;
    }
    const next = findNextFrame(buf, offset + 1, maxPayload);
    if (next < 0) break;
    corrupt++;
    offset = next;
  }
  return { frames, corrupt, validEnd: offset };
}

function findNextFrame(buf: Buffer, from: number, maxPayload: number): number {
  let bracket = buf.indexOf(OPEN_BRACKET, from + FRAME_OVERHEAD);
  while (bracket >= 0) {
    const candidate = bracket - FRAME_OVERHEAD;
    if (frameAt(buf, candidate, maxPayload) > 0) return candidate;
    bracket = buf.indexOf(OPEN_BRACKET, bracket + 1);
  }
  return -1;
}

/** The seq at the start of a payload ("[123,"), read without parsing the whole record. */
export function payloadSeq(buf: Buffer, start: number, end: number): number {
  let value = 0;
  let i = start + 1;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return i > start + 1 && buf[i] === 0x2c ? value : Number.NaN;
}
