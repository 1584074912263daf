import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { entry, MemoryEngine, processInfo } from '../helpers/memory-engine.js';

describe('start_monitor, stop_monitor, status, list_processes, list_patterns', () => {
  let dir: string;
  let engine: MemoryEngine;
  let pair: McpPair;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-monitors-'));
    engine = new MemoryEngine(dir);
    engine.processes = [processInfo('api', 0, { restarts: 3 }), processInfo('worker', 1, { status: 'errored' })];
    pair = await connectPair({ engine, version: 'test' });
  });

  afterEach(async () => {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    return (await pair.client.callTool({ name, arguments: args })) as CallToolResult;
  }
  const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

  it('starts a monitor with seconds turned into ms and warns about processes PM2 does not list', async () => {
    const result = await call('start_monitor', { processes: ['api', 'later'], flushInterval: 60, bufferSize: 500, patterns: ['ECONN\\w+'] });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      monitorId: 'm1',
      watching: { processes: ['api', 'later'], flushIntervalMs: 60_000, bufferSize: 500, patterns: ['ECONN\\w+'] },
    });
    expect((result.structuredContent as { warnings: string[] }).warnings[0]).toMatch(/later.*known: api, worker/);
    expect(engine.monitors.get('m1')?.spec.flushIntervalMs).toBe(60_000);
  });

  it('refuses a pattern that is not a regex and out-of-bounds numbers', async () => {
    const bad = await call('start_monitor', { patterns: ['(oops'] });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/patterns\[0\] is not a valid regular expression/);
    expect((await call('start_monitor', { flushInterval: 1 })).isError).toBe(true);
    expect(engine.monitors.size).toBe(0);
  });

  it('stops one monitor, then all, and names the running ones for an unknown id', async () => {
    await call('start_monitor', {});
    await call('start_monitor', {});
    expect((await call('stop_monitor', { monitorId: 'm1' })).structuredContent).toEqual({ stopped: ['m1'] });
    const unknown = await call('stop_monitor', { monitorId: 'm9' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/no monitor 'm9'[\s\S]*known: m2/);
    expect((await call('stop_monitor', { monitorId: 'all' })).structuredContent).toEqual({ stopped: ['m2'] });
  });

  it('reports daemon, processes, buffer and monitors in status', async () => {
    engine.append([entry({ message: 'hello' })]);
    await call('start_monitor', { processes: ['api'] });
    const result = await call('status');
    expect(result.isError).toBeFalsy();
    const status = result.structuredContent as Record<string, any>;
    expect(status.daemon).toMatchObject({ alive: true, pm2Home: '/tmp/pm2-home-test' });
    expect(status.processes.map((p: { name: string; restarts: number }) => [p.name, p.restarts])).toEqual([['api', 3], ['worker', 0]]);
    expect(status.buffer).toMatchObject({ entries: 1, lastSeq: 1 });
    expect(status.monitors[0]).toMatchObject({ id: 'm1', spec: { processes: ['api'] } });

    const one = await call('status', { monitorId: 'm1' });
    expect((one.structuredContent as Record<string, any>).monitors).toHaveLength(1);
    const missing = await call('status', { monitorId: 'nope' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/no monitor with id 'nope'; running: m1/);
  });

  it('says plainly when no PM2 daemon runs, in status and list_processes', async () => {
    engine.daemon = { pm2Home: '/srv/pm2', alive: false };
    const status = await call('status');
    expect(status.isError).toBeFalsy();
    expect((status.structuredContent as Record<string, any>).daemon.message).toMatch(/No PM2 daemon is running at PM2_HOME=\/srv\/pm2.*never starts one/);
    const list = await call('list_processes');
    expect(list.structuredContent).toMatchObject({ processes: [], total: 0, daemon: { alive: false } });
  });

  it('lists processes with their figures', async () => {
    const list = await call('list_processes');
    expect(list.structuredContent).toMatchObject({ returned: 2, total: 2, truncated: false });
    expect((list.structuredContent as Record<string, any>).processes[1]).toMatchObject({ name: 'worker', status: 'errored', memory: 50_000_000 });
  });

  it('lists patterns most frequent first, bounded by limit', async () => {
    engine.append([
      entry({ message: 'db timeout after 3000 ms', level: 'error' }),
      entry({ message: 'db timeout after 5000 ms', level: 'error' }),
      entry({ message: 'started', process: 'worker', pmId: 1 }),
    ]);
    const result = await call('list_patterns', { limit: 1 });
    expect(result.structuredContent).toMatchObject({ returned: 1, total: 2, truncated: true });
    const [top] = (result.structuredContent as { patterns: Array<Record<string, unknown>> }).patterns;
    expect(top).toMatchObject({ template: 'db timeout after <*> ms', count: 2 });
    const worker = await call('list_patterns', { processes: ['worker'] });
    expect(worker.structuredContent).toMatchObject({ total: 1 });
  });
});
