// A connection to the PM2 daemon of one given PM2 home that never starts a daemon.
//
// What pm2 7.0.4 offers, and why this module talks to the daemon's sockets itself:
// - `require('pm2')` builds a default API instance at import time from process.env.PM2_HOME (or
//   ~/.pm2), and its Client constructor creates logs/, pids/ and module_conf.json in that home:
//   importing it can touch a home we were never asked to watch.
// - `new API({ pm2_home })` (lib/API.js) works for another home, but Object.assign()s the new paths
//   into the shared constants module, so two homes in one process step on each other; it also pings
//   the pm2.io agent socket and reads module_conf.json on construction.
// - `connect()` spawns a detached daemon when none answers (Client.start -> launchDaemon), and
//   `connect(true)` / `daemon_mode: false` / `independent: true` run a daemon inside our own process.
//   Even without connect(), every API call goes through Client.executeRemote, which calls start()
//   (and so spawns a daemon) whenever its RPC client is not set, e.g. after disconnect().
// - `Client.pingDaemon` is a bare connect to `<home>/rpc.sock` that closes on the first
//   'reconnect attempt': alive = the socket accepts a connection. No spawn, about 100 ms.
// - While the daemon is down, axon's req socket queues calls until it reconnects: `list()` never
//   fails and never times out. The bus (sub-emitter on `<home>/pub.sock`) emits no 'close'; it
//   retries with backoff 100 ms x1.5 up to 5 s and keeps its handlers.
// - Everything goes through two unix sockets: RPC `{type:'call', method, args}` + id on rpc.sock
//   (methods exposed in lib/Daemon.js: getMonitorData is what list/describe/jlist use), and
//   `[topic, packet]` frames published on pub.sock.
// So this module opens those two sockets itself (see amp-socket.ts): alive = rpc.sock accepts a
// connection (pingDaemon's test), every call has its own timeout and fails at once while the daemon
// is down, state changes are reported through `onState`, and both sockets reconnect on their own
// when a daemon comes back. No code path here can start a daemon, and no global state is read.
import { connect } from 'node:net';
import { join } from 'node:path';
import type { DaemonState } from '../core/engine.js';
import { AmpSocket, jsonArg, parseArg, stringArg } from './amp-socket.js';

/** One entry of the daemon's getMonitorData answer (what `pm2.list()` returns), as far as we read it. */
export interface RawProcess {
  pid?: number;
  name?: string;
  pm_id?: number;
  monit?: { memory?: number; cpu?: number };
  pm2_env?: Record<string, unknown>;
}

/** Receives every frame published on the daemon's bus, undecoded past the topic. */
export interface BusSubscriber {
  /** `payload` is the packet argument as sent (`j:` + JSON); decode only what you need. */
  onFrame(topic: string, payload: Buffer | undefined): void;
  /** The bus socket went away or came back; nothing sent in between is replayed. */
  onStatus?(connected: boolean): void;
}

export class DaemonDownError extends Error {
  readonly code = 'PM2_DAEMON_DOWN';
  constructor(pm2Home: string) {
    super(`no PM2 daemon answers at ${pm2Home} (start one with \`PM2_HOME=${pm2Home} pm2 ping\`)`);
  }
}

export class Pm2TimeoutError extends Error {
  readonly code = 'PM2_TIMEOUT';
  constructor(method: string, ms: number) {
    super(`PM2 daemon did not answer ${method} within ${ms} ms`);
  }
}

export interface Pm2ConnectionOptions {
  pm2Home: string;
  /** Each RPC call fails after this, ms. Default 5000 (getMonitorData runs pidusage on every process). */
  callTimeoutMs?: number;
  /** How long start() waits for the first answer of rpc.sock, ms. Default 1000. */
  pingTimeoutMs?: number;
  /** Longest pause between reconnect attempts, ms: bounds how late a restarted daemon is noticed. Default 1000. */
  retryMaxMs?: number;
  onState?: (state: DaemonState) => void;
  now?: () => number;
}

interface PendingCall {
  resolve(value: unknown[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Tells whether a daemon answers at `pm2Home` without keeping a connection (pm2's pingDaemon test). */
export function pingDaemon(pm2Home: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(join(pm2Home, 'rpc.sock'));
    const done = (alive: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class Pm2Connection {
  readonly pm2Home: string;
  private readonly rpc: AmpSocket;
  private readonly bus: AmpSocket;
  private readonly calls = new Map<string, PendingCall>();
  private readonly subscribers = new Set<BusSubscriber>();
  private readonly callTimeoutMs: number;
  private readonly pingTimeoutMs: number;
  private readonly now: () => number;
  private current: DaemonState;
  private nextId = 0;
  private started = false;
  private firstAnswer: (() => void) | undefined;

  constructor(private readonly options: Pm2ConnectionOptions) {
    if (!options.pm2Home) throw new TypeError('pm2Home is required');
    this.pm2Home = options.pm2Home;
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 1000;
    if (!(this.callTimeoutMs > 0)) throw new RangeError(`callTimeoutMs must be > 0 (got ${this.callTimeoutMs})`);
    if (!(this.pingTimeoutMs > 0)) throw new RangeError(`pingTimeoutMs must be > 0 (got ${this.pingTimeoutMs})`);
    this.now = options.now ?? Date.now;
    this.current = { pm2Home: this.pm2Home, alive: false };
    const retryMaxMs = options.retryMaxMs ?? 1000;
    this.rpc = new AmpSocket({
      path: join(this.pm2Home, 'rpc.sock'),
      retryMaxMs,
      onFrame: (args) => this.onReply(args),
      onStatus: (up, error) => this.onRpcStatus(up, error),
    });
    this.bus = new AmpSocket({
      path: join(this.pm2Home, 'pub.sock'),
      retryMaxMs,
      onFrame: (args) => this.onBusFrame(args),
      onStatus: (up) => {
        for (const s of this.subscribers) s.onStatus?.(up);
      },
    });
  }

  /** Opens both sockets and resolves once rpc.sock has answered (or `pingTimeoutMs` passed). */
  async start(): Promise<DaemonState> {
    if (!this.started) {
      this.started = true;
      const answered = new Promise<void>((resolve) => {
        this.firstAnswer = resolve;
      });
      this.rpc.open();
      this.bus.open();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.pingTimeoutMs);
      });
      await Promise.race([answered, timeout]);
      clearTimeout(timer);
      this.firstAnswer = undefined;
    }
    return this.state();
  }

  state(): DaemonState {
    return { ...this.current };
  }

  get busConnected(): boolean {
    return this.bus.connected;
  }

  /** Calls an RPC method exposed by the daemon (lib/Daemon.js) and resolves with its result arguments. */
  call(method: string, ...args: unknown[]): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const id = `plm:${process.pid}:${this.nextId++}`;
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Pm2TimeoutError(method, this.callTimeoutMs));
      }, this.callTimeoutMs);
      this.calls.set(id, { resolve, reject, timer });
      if (!this.rpc.send([jsonArg({ type: 'call', method, args }), stringArg(id)])) {
        this.settle(id, new DaemonDownError(this.pm2Home));
      }
    });
  }

  /** What `pm2.list()` returns: every process with pid, monit and pm2_env. */
  async list(): Promise<RawProcess[]> {
    const [list] = await this.call('getMonitorData', {});
    return Array.isArray(list) ? (list as RawProcess[]) : [];
  }

  /** What `pm2.describe(idOrName)` returns: the processes with that pm_id or name. */
  async describe(idOrName: number | string): Promise<RawProcess[]> {
    const list = await this.list();
    return list.filter((p) => (typeof idOrName === 'number' ? p.pm_id === idOrName : p.name === idOrName));
  }

  /** Listens to the bus (what `pm2.launchBus` gives); returns the unsubscribe function. */
  subscribe(subscriber: BusSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async close(): Promise<void> {
    this.rpc.close();
    this.bus.close();
    for (const id of [...this.calls.keys()]) this.settle(id, new Error('PM2 connection closed'));
    this.subscribers.clear();
  }

  private onRpcStatus(up: boolean, error?: Error): void {
    const at = this.now();
    if (up) {
      this.current = { pm2Home: this.pm2Home, alive: true, lastSeen: at };
    } else {
      // Calls in flight will never be answered by this daemon: fail them now, not at their timeout.
      for (const id of [...this.calls.keys()]) this.settle(id, new DaemonDownError(this.pm2Home));
      const lastSeen = this.current.alive ? at : this.current.lastSeen;
      this.current = { pm2Home: this.pm2Home, alive: false, lastSeen, error: describeFailure(error) };
    }
    this.firstAnswer?.();
    this.options.onState?.(this.state());
  }

  private onReply(args: Buffer[]): void {
    if (args.length < 2) return;
    const id = parseArg(args[args.length - 1]);
    if (typeof id !== 'string' || !this.calls.has(id)) return;
    this.current.lastSeen = this.now();
    let reply: unknown;
    try {
      reply = parseArg(args[0]);
    } catch (err) {
      this.settle(id, err as Error);
      return;
    }
    const body = (reply ?? {}) as { args?: unknown[]; error?: unknown; stack?: string };
    if (body.error !== undefined && body.error !== null) {
      const err = new Error(typeof body.error === 'string' ? body.error : JSON.stringify(body.error));
      if (body.stack) err.stack = body.stack;
      this.settle(id, err);
    } else {
      this.settle(id, undefined, Array.isArray(body.args) ? body.args : []);
    }
  }

  private settle(id: string, error: Error | undefined, result: unknown[] = []): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    clearTimeout(call.timer);
    if (error) call.reject(error);
    else call.resolve(result);
  }

  private onBusFrame(args: Buffer[]): void {
    if (args.length === 0 || this.subscribers.size === 0) return;
    const head = args[0];
    const topic = head[1] === 0x3a ? head.toString('latin1', 2) : head.toString('latin1');
    for (const s of this.subscribers) s.onFrame(topic, args[1]);
  }
}

function describeFailure(error: Error | undefined): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no daemon socket (daemon not running)';
  if (code === 'ECONNREFUSED') return 'daemon socket refuses connections (daemon not running)';
  if (code === 'EACCES') return 'permission denied on the daemon socket';
  return error ? error.message : 'connection to the daemon closed';
}
