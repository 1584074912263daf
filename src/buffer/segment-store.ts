// The disk side of the ring: append-only segment files named by their first seq. Whole oldest
// segments are deleted to stay under the byte bound; a segment is never rewritten, only cut back
// to its last whole record after a crash or a failed write.
import { join } from 'node:path';
import { BufferFormatError, BufferWriteError, errorCode } from './errors.js';
import { readTail, type FileLayer, type WritableFile } from './file-layer.js';
import {
  checkHeader,
  encodeHeader,
  FORMAT_VERSION,
  HEADER_BYTES,
  parseSegmentName,
  payloadSeq,
  scanFrames,
  segmentName,
} from './record-codec.js';
import type { RecordRun } from './pending-log.js';

interface Segment {
  firstSeq: number;
  path: string;
  size: number;
  /** Seq of the last whole record; firstSeq - 1 when empty. */
  lastSeq: number;
  /** Bytes already scanned (read-only refresh continues from here). */
  scanned: number;
  appendable: boolean;
}

/** A record's payload inside bytes read from a segment (all of it at recovery, its new tail at refresh). */
export interface StoredFrame {
  buf: Buffer;
  start: number;
  end: number;
  seq: number;
}

export interface ScanReport {
  frames: StoredFrame[];
  segments: number;
  corrupt: number;
  tornBytes: number;
}

export interface SegmentStoreOptions {
  dir: string;
  files: FileLayer;
  maxBytes: number;
  segmentBytes: number;
  maxPayload: number;
  readOnly: boolean;
}

export class SegmentStore {
  private segments: Segment[] = [];
  private current: { segment: Segment; file: WritableFile } | undefined;
  private total = 0;
  /** Highest seq handed to the OS; records up to it are never written twice. */
  writtenSeq = 0;

  constructor(private readonly options: SegmentStoreOptions) {}

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.segments.length;
  }

  /** The smallest seq still on disk could be; entries below it are gone. */
  get oldestSeq(): number | undefined {
    return this.segments[0]?.firstSeq;
  }

  /** The seq the next new entry must have at least (segment names count, even when empty). */
  get nextSeq(): number {
    const last = this.segments[this.segments.length - 1];
    if (!last) return 1;
    return last.appendable ? Math.max(last.lastSeq + 1, last.firstSeq) : Math.max(last.lastSeq, last.firstSeq) + 1;
  }

  private async names(): Promise<string[]> {
    const names = await this.options.files.readdir(this.options.dir);
    return names.filter((name) => parseSegmentName(name) !== undefined).sort();
  }

  /** Reads every segment; in writer mode, cuts a torn tail and prepares the last segment for appends. */
  async recover(): Promise<ScanReport> {
    const { files, readOnly } = this.options;
    const report: ScanReport = { frames: [], segments: 0, corrupt: 0, tornBytes: 0 };
    const names = await this.names();
    for (const [index, name] of names.entries()) {
      const isLast = index === names.length - 1;
      const segment = await this.readSegment(name, report, isLast);
      if (!segment) continue;
      this.segments.push(segment);
      this.total += segment.size;
    }
    report.segments = this.segments.length;
    const last = this.segments[this.segments.length - 1];
    if (!readOnly && last?.appendable && last.size < this.options.segmentBytes) {
      const file = await files.open(last.path, 'append');
      if (last.scanned < last.size) {
        await file.truncate(last.scanned);
        await file.sync();
        this.total -= last.size - last.scanned;
        last.size = last.scanned;
      }
      this.current = { segment: last, file };
    } else if (last) {
      last.appendable = false;
    }
    this.writtenSeq = this.nextSeq - 1;
    return report;
  }

  private async readSegment(name: string, report: ScanReport, isLast: boolean): Promise<Segment | undefined> {
    const { dir, files, readOnly, maxPayload } = this.options;
    const path = join(dir, name);
    const firstSeq = parseSegmentName(name) as number;
    const buf = await files.readFile(path);
    const header = checkHeader(buf);
    if (header.kind === 'version') throw new BufferFormatError(path, header.version, FORMAT_VERSION);
    if (header.kind === 'short' && isLast) {
      // Created but never given its header: a crash at creation. Nothing in it to keep.
      report.tornBytes += buf.length;
      if (!readOnly) await files.unlink(path);
      return undefined;
    }
    const segment: Segment = { firstSeq, path, size: buf.length, lastSeq: firstSeq - 1, scanned: buf.length, appendable: false };
    if (header.kind !== 'ok') {
      report.corrupt++;
      return segment;
    }
    const scan = scanFrames(buf, HEADER_BYTES, maxPayload);
    report.corrupt += scan.corrupt;
    this.collect(buf, scan.frames, segment, report.frames);
    const tail = buf.length - scan.validEnd;
    if (tail > 0 && isLast) report.tornBytes += tail;
    else if (tail > 0) report.corrupt++;
    segment.scanned = isLast ? scan.validEnd : buf.length;
    segment.appendable = isLast;
    return segment;
  }

  /** Keeps frames whose seq continues the sequence: a duplicate from a retried write is skipped. */
  private collect(buf: Buffer, frames: Array<[number, number]>, segment: Segment, out: StoredFrame[]): void {
    let previous = out.length > 0 ? out[out.length - 1].seq : 0;
    for (const [start, end] of frames) {
      const seq = payloadSeq(buf, start, end);
      if (!(seq > previous) || seq < segment.firstSeq) continue;
      out.push({ buf, start, end, seq });
      previous = seq;
      segment.lastSeq = seq;
    }
  }

  /** Read-only mode: picks up segments the writer added, grew or deleted since the last look. */
  async refresh(afterSeq: number): Promise<ScanReport> {
    const report: ScanReport = { frames: [], segments: 0, corrupt: 0, tornBytes: 0 };
    const names = await this.names();
    const present = new Set(names.map((name) => join(this.options.dir, name)));
    this.segments = this.segments.filter((segment) => present.has(segment.path));
    const known = new Map(this.segments.map((segment) => [segment.path, segment]));
    const lastKnown = this.segments[this.segments.length - 1];
    for (const name of names) {
      const path = join(this.options.dir, name);
      const segment = known.get(path);
      if (!segment) {
        const fresh = await this.readSegment(name, report, true);
        if (fresh) this.segments.push(fresh);
        continue;
      }
      if (segment !== lastKnown) continue;
      // Only what follows the scanned part can hold new records: a follower refreshes every second.
      const tail = await readTail(this.options.files, path, segment.scanned);
      segment.size = segment.scanned + tail.length;
      if (tail.length === 0) continue;
      const scan = scanFrames(tail, 0, this.options.maxPayload);
      report.corrupt += scan.corrupt;
      segment.scanned += scan.validEnd;
      this.collect(tail, scan.frames, segment, report.frames);
    }
    this.segments.sort((a, b) => a.firstSeq - b.firstSeq);
    this.total = this.segments.reduce((sum, segment) => sum + segment.size, 0);
    report.frames = report.frames.filter((frame) => frame.seq > afterSeq);
    report.segments = this.segments.length;
    return report;
  }

  /** Appends the records (in seq order) and fsyncs. `evicted(seq)`: every entry below seq left the disk. */
  async write(records: RecordRun, evicted: (oldestSeq: number) => void): Promise<void> {
    const { segmentBytes } = this.options;
    let i = 0;
    while (i < records.length) {
      if (!this.current || (this.current.segment.size + records.bytes(i) > segmentBytes && this.current.segment.size > HEADER_BYTES)) {
        await this.roll(records.seq(i), evicted);
      }
      const segment = (this.current as { segment: Segment }).segment;
      const room = segmentBytes - segment.size;
      let end = i;
      let batch = 0;
      while (end < records.length && (end === i || batch + records.bytes(end) <= room)) batch += records.bytes(end++);
      await this.makeRoom(batch, evicted);
      await this.appendChunk(records.slice(i, end));
      segment.lastSeq = records.seq(end - 1);
      this.writtenSeq = segment.lastSeq;
      i = end;
    }
    if (this.current) {
      try {
        await this.current.file.sync();
      } catch (error) {
        throw new BufferWriteError(this.current.segment.path, errorCode(error), error);
      }
    }
  }

  private async appendChunk(chunk: Buffer): Promise<void> {
    const current = this.current as { segment: Segment; file: WritableFile };
    const { segment, file } = current;
    try {
      await file.append(chunk);
    } catch (error) {
      // Cut back whatever prefix reached the file, so stored records stay followed by valid frames.
      try {
        await file.truncate(segment.size);
      } catch {
        segment.appendable = false;
        this.current = undefined;
        await file.close().catch(() => undefined);
      }
      throw new BufferWriteError(segment.path, errorCode(error), error);
    }
    segment.size += chunk.length;
    segment.scanned = segment.size;
    this.total += chunk.length;
  }

  private async roll(firstSeq: number, evicted: (oldestSeq: number) => void): Promise<void> {
    const { dir, files } = this.options;
    if (this.current) {
      const { segment, file } = this.current;
      try {
        await file.sync();
      } catch (error) {
        throw new BufferWriteError(segment.path, errorCode(error), error);
      }
      segment.appendable = false;
      this.current = undefined;
      await file.close().catch(() => undefined);
    }
    await this.makeRoom(HEADER_BYTES, evicted);
    const path = join(dir, segmentName(firstSeq));
    let file: WritableFile | undefined;
    try {
      file = await files.open(path, 'create');
      await file.append(encodeHeader(firstSeq));
      await files.syncDir(dir);
    } catch (error) {
      if (file) {
        await file.close().catch(() => undefined);
        await files.unlink(path).catch(() => undefined);
      }
      throw new BufferWriteError(path, errorCode(error), error);
    }
    const segment: Segment = { firstSeq, path, size: HEADER_BYTES, lastSeq: firstSeq - 1, scanned: HEADER_BYTES, appendable: true };
    this.segments.push(segment);
    this.total += HEADER_BYTES;
    this.current = { segment, file };
  }

  private async makeRoom(need: number, evicted: (oldestSeq: number) => void): Promise<void> {
    let dropped = false;
    while (this.total + need > this.options.maxBytes && this.segments.length > 0 && this.segments[0] !== this.current?.segment) {
      await this.dropOldest();
      dropped = true;
    }
    if (dropped) evicted(this.segments[0]?.firstSeq ?? this.writtenSeq + 1);
  }

  private async dropOldest(): Promise<void> {
    const segment = this.segments[0];
    try {
      await this.options.files.unlink(segment.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw new BufferWriteError(segment.path, errorCode(error), error);
    }
    this.segments.shift();
    this.total -= segment.size;
  }

  /** Drops oldest segments until the disk is within maxBytes (it can be over after maxBytes was lowered). */
  async fit(evicted: (oldestSeq: number) => void): Promise<void> {
    await this.makeRoom(0, evicted);
  }

  /** Deletes the oldest segments whose every record is below `seq` (evicted from memory by count). */
  async dropBelow(seq: number): Promise<void> {
    while (this.segments.length > 1 && this.segments[0] !== this.current?.segment && this.segments[1].firstSeq <= seq) {
      await this.dropOldest();
    }
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) await current.file.close();
  }
}
