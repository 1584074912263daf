// Streamable HTTP: one McpServer per session, loopback by default. Host and Origin are checked here
// against DNS rebinding (the transport's own options for it are deprecated), a bearer token is
// required to listen beyond loopback, and request bodies are capped before they are parsed.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createServer, type ServerDeps, type ServerHandle } from './server.js';

export interface HttpOptions {
  /** Default 127.0.0.1. Anything beyond loopback requires `token`. */
  host?: string;
  /** Default 0: a free port, reported in the handle. */
  port?: number;
  /** Bearer token every request must carry. */
  token?: string;
  /** Largest request body accepted, bytes; default 1 MiB. */
  maxBodyBytes?: number;
  /** Extra host names clients may use in Host/Origin (e.g. a DNS name of this machine). */
  allowedHosts?: string[];
  /** Concurrent sessions; at the cap, the least recently active one is closed. Default 64. */
  maxSessions?: number;
  /** A session without requests for this long is closed (its client re-initializes). Default 15 min. */
  sessionIdleMs?: number;
}

export interface HttpServerHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MCP_PATH = '/mcp';
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_MAX_SESSIONS = 64;
const DEFAULT_SESSION_IDLE_MS = 15 * 60_000;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Host names a client may put in Host or Origin. A wildcard bind answers on every interface. */
function allowedHostNames(host: string, extra: readonly string[]): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, hostForUrl(host), ...extra].map((n) => n.toLowerCase()));
  if (host === '0.0.0.0' || host === '::') {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? []) names.add(hostForUrl(a.address).toLowerCase());
    }
  }
  return names;
}

function hostnameOf(value: string, withScheme: boolean): string | undefined {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function reject(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function runHttp(deps: ServerDeps, options: HttpOptions = {}): Promise<HttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.token) {
    throw new Error(`refusing to serve MCP on ${host} without a bearer token: set a token, or listen on 127.0.0.1`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const allowed = allowedHostNames(host, options.allowedHosts ?? []);
  const tokenHash = options.token ? sha256(options.token) : undefined;
  const sessionIdleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  // Clients often never send DELETE: without expiry every forgotten session would hold a server.
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; handle: ServerHandle; lastActive: number }>();
  const closeSession = (id: string) => {
    const session = sessions.get(id);
    sessions.delete(id);
    void session?.transport.close();
  };
  const sweep = setInterval(() => {
    const cutoff = Date.now() - sessionIdleMs;
    for (const [id, session] of sessions) if (session.lastActive < cutoff) closeSession(id);
  }, Math.min(sessionIdleMs, 60_000));
  sweep.unref();
  const log = deps.log ?? ((level, message) => process.stderr.write(`pm2-log-monitor http ${level}: ${message}\n`));

  const authorized = (req: IncomingMessage): boolean => {
    if (!tokenHash) return true;
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return match !== null && timingSafeEqual(sha256(match[1].trim()), tokenHash);
  };

  const openSession = async (): Promise<StreamableHTTPServerTransport> => {
    const handle = createServer(deps);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, handle, lastActive: Date.now() });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void handle.close();
    };
    await handle.server.connect(transport);
    return transport;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== MCP_PATH) return reject(res, 404, `not found; the MCP endpoint is ${MCP_PATH}`);
    const hostHeader = hostnameOf(req.headers.host ?? '', false);
    if (hostHeader === undefined || !allowed.has(hostHeader)) return reject(res, 403, 'forbidden Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(hostnameOf(origin, true) ?? '')) return reject(res, 403, 'forbidden Origin header');
    if (!authorized(req)) {
      return reject(res, 401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer realm="pm2-log-monitor"' });
    }

    let body: unknown;
    if (req.method === 'POST') {
      try {
        const raw = await readBody(req, maxBodyBytes);
        body = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          return reject(res, 413, `request body over ${maxBodyBytes} bytes`, { connection: 'close' });
        }
        return reject(res, 400, 'request body is not JSON');
      }
    }

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return reject(res, 404, 'unknown or expired session; initialize a new one');
      session.lastActive = Date.now();
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return reject(res, 400, 'no session: send an initialize request first');
    }
    if (sessions.size >= maxSessions) {
      // At the cap the least recently active session makes room: its client gets 404 and re-initializes.
      const [oldest] = [...sessions.entries()].sort((a, b) => a[1].lastActive - b[1].lastActive);
      closeSession(oldest[0]);
    }
    const transport = await openSession();
    await transport.handleRequest(req, res, body);
    // An initialize the transport refused leaves no session behind to hold the server.
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await transport.close();
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log('error', `HTTP request failed: ${(error as Error).message}`);
      reject(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve, fail) => {
    http.once('error', fail);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', fail);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${hostForUrl(host)}:${port}${MCP_PATH}`,
    port,
    async close() {
      clearInterval(sweep);
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map(({ transport, handle: h }) => transport.close().then(() => h.close())));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
