import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { entry, MemoryEngine } from '../helpers/memory-engine.js';

describe('wait_for_event', () => {
  let dir: string;
  let engine: MemoryEngine;
  let pair: McpPair;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-wait-'));
    engine = new MemoryEngine(dir);
    pair = await connectPair({ engine, version: 'test', redact: (s) => s.replace('hunter2', '[REDACTED]') });
  });

  afterEach(async () => {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the first event of the asked kinds, ignoring others', async () => {
    const call = pair.client.callTool({ name: 'wait_for_event', arguments: { kinds: ['crash'], timeout: 30 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    engine.append([entry({ message: 'password hunter2 rejected', level: 'error' })]);
    engine.emit({ kind: 'crash', at: 1_764_870_000_000, process: 'api', summary: 'api exited with code 1 (hunter2)' });
    const result = (await call) as CallToolResult;
    expect(result.structuredContent).toMatchObject({
      timedOut: false,
      event: { kind: 'crash', process: 'api', summary: 'api exited with code 1 ([REDACTED])', at: '2025-12-04T17:40:00.000Z' },
    });
  });

  it('times out with timedOut true and leaves no listener behind', async () => {
    const result = (await pair.client.callTool({ name: 'wait_for_event', arguments: { timeout: 1 } })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ timedOut: true });
    expect(engine.listenerCount()).toBe(1); // the server's own subscription feed
  });

  it('rejects a timeout over 60 seconds and unknown kinds', async () => {
    expect(((await pair.client.callTool({ name: 'wait_for_event', arguments: { timeout: 61 } })) as CallToolResult).isError).toBe(true);
    expect(((await pair.client.callTool({ name: 'wait_for_event', arguments: { kinds: ['boom'] } })) as CallToolResult).isError).toBe(true);
  });

  it('stops waiting when the client cancels the request', async () => {
    const controller = new AbortController();
    const call = pair.client.callTool({ name: 'wait_for_event', arguments: { timeout: 60 } }, undefined, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.listenerCount()).toBe(2);
    controller.abort();
    await expect(call).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.listenerCount()).toBe(1);
  });
});
