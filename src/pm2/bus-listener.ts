// The daemon's bus as chunks and ProcessEvents. PM2 has no backpressure: what a slow subscriber has
// not read yet piles up in the daemon's memory. So the handler does as little as it can: the log
// packets of processes whose lines we take from their files are recognised from their first bytes
// and dropped without being decoded, and nothing here waits on I/O.
//
// After `pm2 kill` or a daemon crash the socket reconnects by itself (see pm2-connection.ts); what
// was published in between is gone, which is reported through onStatus.
import type { ProcessEvent, ProcessEventKind, Stream } from '../core/types.js';
import { parseArg } from './amp-socket.js';
import { numberOr } from './process-registry.js';
import type { BusSubscriber } from './pm2-connection.js';

/** A raw piece of output from the bus: not a line (fork mode: one pipe read, up to 64 KiB). */
export interface BusChunk {
  /** -1 for the daemon's own messages (log:PM2). */
  pmId: number;
  process: string;
  namespace?: string;
  stream: Stream;
  data: string;
  /** The daemon's clock when it published the packet. */
  at: number;
}

export interface BusListenerOptions {
  connection: { subscribe(subscriber: BusSubscriber): () => void };
  /** Whether the lines of this pm_id and stream are wanted; others are skipped undecoded. Default: all. */
  wantsLines?: (pmId: number, stream: 'out' | 'err') => boolean;
  onChunk?: (chunk: BusChunk) => void;
  onEvent?: (event: ProcessEvent) => void;
  /** The bus socket went away (false) or came back (true). */
  onStatus?: (connected: boolean) => void;
  /** A packet that could not be decoded. */
  onError?: (error: Error) => void;
}

export interface BusListenerStats {
  frames: number;
  skipped: number;
  chunks: number;
  events: number;
}

const KINDS = new Set<string>(['start', 'online', 'exit', 'stop', 'restart', 'delete', 'reload', 'restart overlimit']);
const PM_ID_KEY = Buffer.from('"pm_id":');
/** pm2 serialises `{"process":{"pm_id":…` first: the key sits within the first bytes of a log packet. */
const PEEK_BYTES = 48;

interface LogPacket {
  process?: { pm_id?: number | string; name?: string; namespace?: string };
  at?: number;
  data?: unknown;
}

interface EventPacket {
  event?: string;
  manually?: boolean;
  at?: number;
  process?: Record<string, unknown>;
  data?: { message?: unknown; stack?: unknown; name?: unknown };
}

/** The pm_id of a log packet read from its first bytes, or undefined when it is not where pm2 puts it. */
export function peekPmId(payload: Buffer): number | undefined {
  const at = payload.subarray(0, PEEK_BYTES).indexOf(PM_ID_KEY);
  if (at < 0) return undefined;
  let i = at + PM_ID_KEY.length;
  let value = 0;
  let digits = 0;
  for (; i < payload.length; i++) {
    const c = payload[i];
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    digits++;
  }
  return digits > 0 && (payload[i] === 0x2c || payload[i] === 0x7d) ? value : undefined;
}

export class BusListener {
  private unsubscribe: (() => void) | undefined;
  private readonly counts: BusListenerStats = { frames: 0, skipped: 0, chunks: 0, events: 0 };

  constructor(private readonly options: BusListenerOptions) {}

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.connection.subscribe({
      onFrame: (topic, payload) => this.onFrame(topic, payload),
      onStatus: (connected) => this.options.onStatus?.(connected),
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  stats(): BusListenerStats {
    return { ...this.counts };
  }

  private onFrame(topic: string, payload: Buffer | undefined): void {
    this.counts.frames++;
    if (!payload) return;
    try {
      if (topic === 'log:out' || topic === 'log:err') this.onLog(topic === 'log:out' ? 'out' : 'err', payload);
      else if (topic === 'log:PM2') this.onDaemonLog(payload);
      else if (topic === 'process:event') this.onProcessEvent(payload);
      else if (topic === 'process:exception') this.onException(payload);
    } catch (err) {
      this.options.onError?.(new Error(`undecodable ${topic} packet: ${(err as Error).message}`));
    }
  }

  private onLog(stream: 'out' | 'err', payload: Buffer): void {
    const wants = this.options.wantsLines;
    let peeked: number | undefined;
    if (wants) {
      peeked = peekPmId(payload);
      if (peeked !== undefined && !wants(peeked, stream)) {
        this.counts.skipped++;
        return;
      }
    }
    const packet = parseArg(payload) as LogPacket;
    const pmId = Number(packet.process?.pm_id);
    // A peeked pm_id that matches was asked about already.
    if (!Number.isInteger(pmId) || (wants && pmId !== peeked && !wants(pmId, stream))) {
      this.counts.skipped++;
      return;
    }
    this.emitChunk(pmId, packet, stream);
  }

  private onDaemonLog(payload: Buffer): void {
    this.emitChunk(-1, parseArg(payload) as LogPacket, 'pm2');
  }

  private emitChunk(pmId: number, packet: LogPacket, stream: Stream): void {
    if (typeof packet.data !== 'string' || !this.options.onChunk) return;
    this.counts.chunks++;
    const chunk: BusChunk = {
      pmId,
      process: pmId < 0 ? 'PM2' : String(packet.process?.name ?? ''),
      stream,
      data: packet.data,
      at: numberOr(packet.at, Date.now()),
    };
    if (typeof packet.process?.namespace === 'string') chunk.namespace = packet.process.namespace;
    this.options.onChunk(chunk);
  }

  private onProcessEvent(payload: Buffer): void {
    const packet = parseArg(payload) as EventPacket;
    if (!packet.event || !KINDS.has(packet.event)) return;
    const env = packet.process ?? {};
    const event: ProcessEvent = {
      at: numberOr(packet.at, Date.now()),
      kind: packet.event as ProcessEventKind,
      pmId: numberOr(env.pm_id, -1),
      process: String(env.name ?? ''),
      manually: packet.manually === true,
    };
    // pm2 reports every crash "via signal [SIGINT]" whatever happened: the signal is not worth keeping.
    if (packet.event === 'exit' && 'exit_code' in env) event.exitCode = typeof env.exit_code === 'number' ? env.exit_code : null;
    this.emitEvent(event);
  }

  private onException(payload: Buffer): void {
    const packet = parseArg(payload) as EventPacket;
    const env = packet.process ?? {};
    const data = packet.data ?? {};
    const event: ProcessEvent = {
      at: numberOr(packet.at, Date.now()),
      kind: 'exception',
      pmId: numberOr(env.pm_id, -1),
      process: String(env.name ?? ''),
    };
    if (typeof data.name === 'string') event.errorName = data.name;
    if (typeof data.message === 'string') event.message = data.message;
    if (typeof data.stack === 'string') event.stack = data.stack;
    this.emitEvent(event);
  }

  private emitEvent(event: ProcessEvent): void {
    this.counts.events++;
    this.options.onEvent?.(event);
  }
}

