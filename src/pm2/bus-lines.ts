// Lines that only the bus carries: the streams whose log file is /dev/null, and the daemon's own
// messages. Chunks of a pm_id the process list does not show yet wait (bounded) for the next
// refresh, which tells whether the process has a file (drop: the file has them) or not (keep).
import type { CoverageGap } from '../core/types.js';
import type { SourceContext } from '../ingest/parse-entry.js';
import type { BusChunk } from './bus-listener.js';
import type { PipelinePort } from './file-source.js';

export type LineStream = 'out' | 'err';

export interface BusLinesOptions {
  pipeline: PipelinePort;
  section(fn: () => void): void;
  /** Whether the process list knows this pm_id (listed, or left out by the filter). */
  isKnown(pmId: number): boolean;
  /** A listed process whose lines on this stream go to a file, or one left out: the bus copy is not wanted. */
  isUnwanted(pmId: number, stream: LineStream): boolean;
  /** A chunk of an unknown pm_id arrived: the list should be read again soon. */
  onUnknown(): void;
  onGap(gap: CoverageGap): void;
}

const DAEMON_KEY = 'bus:pm2';
const DAEMON_CONTEXT: SourceContext = { process: 'PM2', pmId: -1, stream: 'pm2' };
const MAX_WAITING_CHARS = 4 << 20;
const WAITING_TTL_MS = 5000;

export function busKey(pmId: number, stream: LineStream): string {
  return `bus:${pmId}:${stream}`;
}

export class BusLines {
  private sources = new Map<string, SourceContext>();
  private waiting: BusChunk[] = [];
  private waitingChars = 0;

  constructor(private readonly options: BusLinesOptions) {}

  get size(): number {
    return this.sources.size;
  }

  /** The streams to take from the bus, after a refresh of the list; then settles the waiting chunks. */
  setSources(sources: Map<string, SourceContext>): void {
    const now = Date.now();
    this.options.section(() => {
      for (const key of this.sources.keys()) if (!sources.has(key)) this.options.pipeline.endSource(key, now);
    });
    this.sources = sources;
    const waiting = this.waiting;
    this.waiting = [];
    this.waitingChars = 0;
    for (const chunk of waiting) {
      if (this.sources.has(busKey(chunk.pmId, chunk.stream as LineStream)) || this.options.isKnown(chunk.pmId)) this.write(chunk);
      else if (now - chunk.at > WAITING_TTL_MS) this.drop(chunk, `pm_id ${chunk.pmId} never appeared in the process list`);
      else this.wait(chunk);
    }
  }

  write(chunk: BusChunk): void {
    const { pipeline, section } = this.options;
    if (chunk.pmId < 0) {
      section(() => pipeline.write(DAEMON_KEY, DAEMON_CONTEXT, chunk.data, chunk.at));
      return;
    }
    const stream = chunk.stream as LineStream;
    const key = busKey(chunk.pmId, stream);
    const context = this.sources.get(key);
    if (context) section(() => pipeline.write(key, context, chunk.data, chunk.at));
    else if (!this.options.isUnwanted(chunk.pmId, stream)) {
      this.wait(chunk);
      this.options.onUnknown();
    }
  }

  /** The run of `pmId` ended: its unfinished bus lines are complete. */
  end(pmId: number, now: number): void {
    this.options.section(() => {
      for (const stream of ['out', 'err'] as const) {
        const key = busKey(pmId, stream);
        if (this.sources.has(key)) this.options.pipeline.endSource(key, now);
      }
    });
  }

  /** Every run ended (daemon gone) or the capture stops: everything held becomes entries. */
  endAll(now: number, withDaemon: boolean): void {
    this.options.section(() => {
      for (const key of this.sources.keys()) this.options.pipeline.endSource(key, now);
      if (withDaemon) this.options.pipeline.endSource(DAEMON_KEY, now);
    });
  }

  private wait(chunk: BusChunk): void {
    this.waiting.push(chunk);
    this.waitingChars += chunk.data.length;
    while (this.waitingChars > MAX_WAITING_CHARS) {
      const oldest = this.waiting.shift()!;
      this.waitingChars -= oldest.data.length;
      this.drop(oldest, 'too many lines waiting for the process list');
    }
  }

  private drop(chunk: BusChunk, why: string): void {
    this.options.onGap({ kind: 'dropped', at: chunk.at, process: chunk.process, detail: `dropped ${chunk.data.length} chars of ${chunk.stream} from the bus: ${why}` });
  }
}
