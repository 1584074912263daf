// A reconnecting client for one of the PM2 daemon's unix sockets (rpc.sock or pub.sock), speaking the
// AMP framing that pm2's bundled axon uses on both.
//
// Why not axon itself: its frame parser copies every header byte into a fresh Buffer and its
// sub-emitter JSON-parses every bus packet before looking at the topic. At 100k+ lines/s that alone
// costs more CPU than our whole capture budget, and for processes whose lines we read from their
// files we only need a glance at the packet. This reader hands out zero-copy slices instead.
//
// Wire format (amp 0.3, as written by pm2 7.0.4): one byte `version << 4 | argc`, then per argument a
// 32-bit big-endian length and that many bytes. axon prefixes string arguments with `s:` and JSON
// arguments with `j:`.
import { connect, type Socket } from 'node:net';

const AMP_VERSION = 1;

export interface AmpSocketOptions {
  path: string;
  /** Called for every complete frame with its arguments (slices of the received data, prefixes kept). */
  onFrame(args: Buffer[]): void;
  /** Called on every change between reachable and unreachable, and once for the first attempt. */
  onStatus?(connected: boolean, error?: Error): void;
  /** First reconnect delay, ms (pm2's own client uses 100). */
  retryMs?: number;
  /** Reconnect delays grow x1.5 up to this, ms. Lower than axon's 5 s so that a restarted daemon is seen soon. */
  retryMaxMs?: number;
}

export class AmpSocket {
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private up: boolean | undefined;
  private retry: number;
  private readonly retryMs: number;
  private readonly retryMaxMs: number;
  /** Bytes of an incomplete frame, and how many bytes the frame needs once its header is known. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingNeed = -1;

  constructor(private readonly options: AmpSocketOptions) {
    this.retryMs = options.retryMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 1000;
    if (!(this.retryMs > 0) || !(this.retryMaxMs >= this.retryMs)) {
      throw new RangeError(`retryMs must be > 0 and retryMaxMs >= retryMs (got ${this.retryMs}, ${this.retryMaxMs})`);
    }
    this.retry = this.retryMs;
  }

  get connected(): boolean {
    return this.up === true;
  }

  open(): void {
    if (this.closed || this.socket) return;
    const socket = connect(this.options.path);
    this.socket = socket;
    let failure: Error | undefined;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.retry = this.retryMs;
      this.setStatus(true);
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => {
      failure = err;
    });
    socket.on('close', () => {
      this.socket = undefined;
      this.pending = [];
      this.pendingBytes = 0;
      this.pendingNeed = -1;
      if (this.closed) return;
      this.setStatus(false, failure);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.open();
      }, this.retry);
      this.timer.unref();
      this.retry = Math.min(this.retryMaxMs, Math.round(this.retry * 1.5));
    });
  }

  /** Writes one frame; false when not connected (nothing is queued: a call must fail, not wait). */
  send(args: Buffer[]): boolean {
    if (!this.socket || this.up !== true) return false;
    this.socket.write(encodeFrame(args));
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private setStatus(connected: boolean, error?: Error): void {
    if (this.up === connected) return;
    this.up = connected;
    this.options.onStatus?.(connected, error);
  }

  private receive(chunk: Buffer): void {
    let data = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingNeed < 0) {
        // The headers of a frame sit before each argument: join once to read them.
        const joined = Buffer.concat(this.pending, this.pendingBytes);
        this.pending = [joined];
        this.pendingNeed = frameLength(joined, 0);
      }
      if (this.pendingNeed < 0 || this.pendingBytes < this.pendingNeed) return;
      data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    let need = -1;
    while (offset < data.length) {
      need = frameLength(data, offset);
      if (need < 0 || offset + need > data.length) break;
      this.options.onFrame(decodeFrame(data, offset));
      offset += need;
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this.pending = [rest];
      this.pendingBytes = rest.length;
      this.pendingNeed = need;
    }
  }
}

/**
 * Total length of the frame starting at `offset`, or -1 when the bytes so far do not tell yet.
 * Walks the argument headers only; never copies.
 */
export function frameLength(data: Buffer, offset: number): number {
  if (offset >= data.length) return -1;
  const argc = data[offset] & 0xf;
  let at = offset + 1;
  for (let i = 0; i < argc; i++) {
    if (at + 4 > data.length) return -1;
    at += 4 + data.readUInt32BE(at);
  }
  return at - offset;
}

/** The arguments of the complete frame at `offset`, as slices of `data`. */
export function decodeFrame(data: Buffer, offset: number): Buffer[] {
  const argc = data[offset] & 0xf;
  const args = new Array<Buffer>(argc);
  let at = offset + 1;
  for (let i = 0; i < argc; i++) {
    const length = data.readUInt32BE(at);
    at += 4;
    args[i] = data.subarray(at, at + length);
    at += length;
  }
  return args;
}

export function encodeFrame(args: Buffer[]): Buffer {
  if (args.length > 15) throw new RangeError(`an AMP frame carries at most 15 arguments (got ${args.length})`);
  let length = 1;
  for (const arg of args) length += 4 + arg.length;
  const frame = Buffer.allocUnsafe(length);
  frame[0] = (AMP_VERSION << 4) | args.length;
  let at = 1;
  for (const arg of args) {
    frame.writeUInt32BE(arg.length, at);
    at += 4;
    arg.copy(frame, at);
    at += arg.length;
  }
  return frame;
}

/** axon's `s:` string argument. */
export function stringArg(text: string): Buffer {
  return Buffer.from(`s:${text}`);
}

/** axon's `j:` JSON argument. */
export function jsonArg(value: unknown): Buffer {
  return Buffer.from(`j:${JSON.stringify(value ?? null)}`);
}

/** Decodes an `s:` or `j:` argument; anything else is returned as the raw bytes. */
export function parseArg(arg: Buffer): unknown {
  if (arg.length >= 2 && arg[1] === 0x3a) {
    if (arg[0] === 0x6a) return JSON.parse(arg.toString('utf8', 2));
    if (arg[0] === 0x73) return arg.toString('utf8', 2);
  }
  return arg;
}
