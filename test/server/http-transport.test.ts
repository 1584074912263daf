import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHttp, type HttpServerHandle } from '../../src/server.js';
import { entry, MemoryEngine, processInfo } from '../helpers/memory-engine.js';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** A raw POST, so that Host and other headers fetch would not let us set can be chosen. */
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('runHttp', () => {
  let dir: string;
  let engine: MemoryEngine;
  let server: HttpServerHandle | undefined;
  const clients: Client[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-http-'));
    engine = new MemoryEngine(dir);
    engine.processes = [processInfo('api', 0)];
    engine.append([entry({ message: 'hello over http' })]);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: 'http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    clients.push(client);
    return client;
  }

  it('serves tools over Streamable HTTP on loopback, one server per session', async () => {
    server = await runHttp({ engine, version: 'test', log: () => undefined });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const a = await connect(server.url);
    const b = await connect(server.url);
    expect(engine.listenerCount()).toBe(2);
    const result = (await a.callTool({ name: 'query_logs', arguments: {} })) as CallToolResult;
    expect((result.structuredContent as { entries: Array<{ message: string }> }).entries[0].message).toBe('hello over http');
    expect((await b.listTools()).tools.length).toBeGreaterThan(5);
    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.listenerCount()).toBe(1);
  });

  it('answers a foreign Host or Origin with 403 and accepts loopback names', async () => {
    server = await runHttp({ engine, version: 'test', log: () => undefined });
    const { port } = server;
    expect((await post(server.url, INITIALIZE, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await post(server.url, INITIALIZE, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(server.url, INITIALIZE, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('requires the bearer token when one is set, and accepts only the right one', async () => {
    server = await runHttp({ engine, version: 'test', log: () => undefined }, { token: 's3cret-token' });
    const none = await post(server.url, INITIALIZE);
    expect(none.status).toBe(401);
    expect((await post(server.url, INITIALIZE, { authorization: 'Bearer wrong' })).status).toBe(401);
    const client = await connect(server.url, { authorization: 'Bearer s3cret-token' });
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
  });

  it('makes room at the session cap by closing the least recently active session', async () => {
    server = await runHttp({ engine, version: 'test', log: () => undefined }, { maxSessions: 2 });
    const a = await connect(server.url);
    const b = await connect(server.url);
    await a.listTools();
    await connect(server.url);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.listenerCount()).toBe(2);
    await expect(a.listTools()).resolves.toBeDefined();
    await expect(b.listTools()).rejects.toThrow();
  });

  it('closes sessions that stay idle', async () => {
    server = await runHttp({ engine, version: 'test', log: () => undefined }, { sessionIdleMs: 200 });
    await connect(server.url);
    expect(engine.listenerCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(engine.listenerCount()).toBe(0);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    await expect(runHttp({ engine, version: 'test' }, { host: '0.0.0.0' })).rejects.toThrow(/without a bearer token/);
  });

  it('caps request bodies with 413, rejects bad JSON with 400 and unknown sessions with 404', async () => {
    server = await runHttp({ engine, version: 'test', log: () => undefined }, { maxBodyBytes: 4_096 });
    expect((await post(server.url, JSON.stringify({ padding: 'x'.repeat(10_000) }))).status).toBe(413);
    const chunked = await post(server.url, JSON.stringify({ padding: 'x'.repeat(10_000) }), { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect((await post(server.url, '{not json')).status).toBe(400);
    const unknown = await post(server.url, INITIALIZE, { 'mcp-session-id': 'no-such-session' });
    expect(unknown.status).toBe(404);
    const noSession = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    expect(noSession.status).toBe(400);
    expect((await post(server.url.replace('/mcp', '/other'), INITIALIZE)).status).toBe(404);
  });
});
