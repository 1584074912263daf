import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { entry, MemoryEngine, processInfo } from '../helpers/memory-engine.js';

const NOW = 1_764_870_000_000;

interface Reply {
  note: string;
  entries: Array<{ seq: number; message: string; process: string; level: string; time: string; fields?: unknown }>;
  returned: number;
  matched: number;
  total: number;
  truncated: boolean;
  nextCursor?: string;
  cutForBudget?: number;
}

describe('query_logs', () => {
  let dir: string;
  let engine: MemoryEngine;
  let pair: McpPair;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-query-'));
    engine = new MemoryEngine(dir, { now: () => NOW });
    engine.processes = [processInfo('api', 0), processInfo('worker', 1)];
    engine.append([
      entry({ message: 'GET /users 200 in 12 ms', timestamp: NOW - 3 * 3_600_000 }),
      entry({ message: 'db timeout after 3000 ms', level: 'error', stream: 'err', timestamp: NOW - 30 * 60_000 }),
      entry({ message: 'job 7 done', process: 'worker', pmId: 1, timestamp: NOW - 10 * 60_000 }),
      entry({ message: 'db timeout after 5000 ms', level: 'error', stream: 'err', timestamp: NOW - 5 * 60_000 }),
      entry({ message: 'cache warm', level: 'warn', timestamp: NOW - 60_000, fields: { user: 'u1', tries: 2 } }),
    ]);
    pair = await connectPair({ engine, version: 'test', clock: { now: () => NOW } });
  });

  afterEach(async () => {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(args: Record<string, unknown>): Promise<CallToolResult> {
    return (await pair.client.callTool({ name: 'query_logs', arguments: args })) as CallToolResult;
  }
  async function query(args: Record<string, unknown>): Promise<Reply> {
    const result = await call(args);
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    // The text content carries the same data for clients that read only text.
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
    return result.structuredContent as unknown as Reply;
  }

  it('returns newest first with counts and the untrusted-data note', async () => {
    const reply = await query({});
    expect(reply.entries.map((e) => e.message)).toEqual([
      'cache warm',
      'db timeout after 5000 ms',
      'job 7 done',
      'db timeout after 3000 ms',
      'GET /users 200 in 12 ms',
    ]);
    expect(reply).toMatchObject({ returned: 5, matched: 5, total: 5, truncated: false });
    expect(reply.nextCursor).toBeUndefined();
    expect(reply.note).toMatch(/untrusted/);
    expect(reply.entries[0].fields).toEqual({ user: 'u1', tries: 2 });
    expect(reply.entries[0].time).toBe(new Date(NOW - 60_000).toISOString());
  });

  it('filters by process, level (one or many), stream, text, regex and relative time', async () => {
    expect((await query({ process: 'worker' })).entries.map((e) => e.message)).toEqual(['job 7 done']);
    expect((await query({ level: 'error' })).matched).toBe(2);
    expect((await query({ level: ['error', 'warn'] })).matched).toBe(3);
    expect((await query({ stream: 'err' })).matched).toBe(2);
    expect((await query({ search: 'DB TIMEOUT' })).matched).toBe(2);
    expect((await query({ search: 'after \\d{4} ms$', regex: true })).matched).toBe(2);
    expect((await query({ since: '15m' })).entries.map((e) => e.message)).toEqual(['cache warm', 'db timeout after 5000 ms', 'job 7 done']);
    expect((await query({ since: '1h', until: '8m' })).matched).toBe(2);
    expect((await query({ since: new Date(NOW - 6 * 60_000).toISOString() })).matched).toBe(2);
  });

  it('filters by pattern id taken from an entry', async () => {
    const [first] = engine.entries.filter((e) => e.level === 'error');
    const reply = await query({ patternId: first.patternId });
    expect(reply.matched).toBe(2);
  });

  it('pages with nextCursor in either order, keeping the filter', async () => {
    const asc = await query({ order: 'asc', limit: 2, level: ['info', 'error'] });
    expect(asc.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(asc.truncated).toBe(true);
    const next = await query({ cursor: asc.nextCursor, limit: 2 });
    expect(next.entries.map((e) => e.seq)).toEqual([3, 4]);
    expect(next.nextCursor).toBeUndefined();

    const desc = await query({ limit: 3 });
    expect(desc.entries.map((e) => e.seq)).toEqual([5, 4, 3]);
    const rest = await query({ cursor: desc.nextCursor, limit: 3 });
    expect(rest.entries.map((e) => e.seq)).toEqual([2, 1]);
    expect(rest.truncated).toBe(false);
  });

  it('names the first unknown process of several, asking PM2 for its list only once', async () => {
    const listing = vi.spyOn(engine, 'listProcesses');
    const unknown = await call({ process: ['apx', 'apy'] });
    expect(unknown.isError).toBe(true);
    expect((unknown.content[0] as { text: string }).text).toMatch(/no process named 'apx'[\s\S]*known: api, worker/);
    expect(listing).toHaveBeenCalledTimes(1);
  });

  it('explains errors with hints: unknown process, bad regex, bad time, bad cursor', async () => {
    const unknown = await call({ process: 'apx' });
    expect(unknown.isError).toBe(true);
    expect((unknown.content[0] as { text: string }).text).toMatch(/no process named 'apx'[\s\S]*known: api, worker/);

    const regex = await call({ search: '(unclosed', regex: true });
    expect(regex.isError).toBe(true);
    expect((regex.content[0] as { text: string }).text).toMatch(/not a valid regular expression[\s\S]*Hint/);

    const time = await call({ since: 'yesterday-ish' });
    expect(time.isError).toBe(true);
    expect((time.content[0] as { text: string }).text).toMatch(/15m/);

    const window = await call({ since: '5m', until: '1h' });
    expect((window.content[0] as { text: string }).text).toMatch(/not after since/);

    const cursor = await call({ cursor: 'garbage' });
    expect((cursor.content[0] as { text: string }).text).toMatch(/cursor is not one this server issued/);

    const bounds = await call({ limit: 5000 });
    expect(bounds.isError).toBe(true);
  });

  it('returns an empty page, not an error, for a known process with no lines', async () => {
    engine.processes.push(processInfo('quiet', 2));
    const reply = await query({ process: 'quiet' });
    expect(reply).toMatchObject({ returned: 0, matched: 0, truncated: false });
  });
});

describe('query_logs within a reply budget', () => {
  let dir: string;
  let pair: McpPair;
  let engine: MemoryEngine;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-budget-'));
    engine = new MemoryEngine(dir);
    pair = await connectPair({ engine, version: 'test', replyBudgetChars: 10_000, redact: (s) => s.replace(/sk-[a-z0-9]+/g, '[REDACTED]') });
  });

  afterEach(async () => {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts a huge line with a marker instead of the reply, and redacts', async () => {
    engine.append([entry({ message: `key sk-abc123 ${'x'.repeat(70_000)}` })]);
    const result = (await pair.client.callTool({ name: 'query_logs', arguments: {} })) as CallToolResult;
    const text = (result.content[0] as { text: string }).text;
    expect(text.length).toBeLessThan(10_000);
    const reply = result.structuredContent as unknown as Reply;
    expect(reply.entries[0].message).toMatch(/^key \[REDACTED\] x+ …\[cut: \d+ chars in all\]$/);
    expect(reply.entries[0].message).not.toContain('sk-abc123');
  });

  it('stops early at the budget and continues from the last entry returned', async () => {
    engine.append(Array.from({ length: 100 }, (_, i) => entry({ message: `line ${i} ${'y'.repeat(300)}` })));
    const seen: number[] = [];
    let cursor: string | undefined;
    let first: Reply | undefined;
    do {
      const result = (await pair.client.callTool({ name: 'query_logs', arguments: { limit: 100, ...(cursor ? { cursor } : {}) } })) as CallToolResult;
      expect((result.content[0] as { text: string }).text.length).toBeLessThanOrEqual(10_000);
      const reply = result.structuredContent as unknown as Reply;
      first ??= reply;
      seen.push(...reply.entries.map((e) => e.seq));
      cursor = reply.nextCursor;
    } while (cursor);
    expect(first?.cutForBudget).toBeGreaterThan(0);
    expect(first?.truncated).toBe(true);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => 100 - i));
  });
});
