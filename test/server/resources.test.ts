import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { entry, MemoryEngine, processInfo } from '../helpers/memory-engine.js';

describe('resources', () => {
  let dir: string;
  let engine: MemoryEngine;
  let pair: McpPair;
  let updates: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-resources-'));
    engine = new MemoryEngine(dir);
    engine.processes = [processInfo('api', 0), processInfo('worker', 1), processInfo('web app', 2)];
    engine.append([
      entry({ message: 'first' }),
      entry({ message: 'job failed: token=abc', level: 'error', process: 'worker', pmId: 1 }),
      entry({ message: 'last' }),
    ]);
    updates = [];
    pair = await connectPair(
      { engine, version: 'test', redact: (s) => s.replace(/token=\w+/, 'token=[REDACTED]'), resourceUpdateIntervalMs: 200 },
      {},
      (client) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri)),
    );
  });

  afterEach(async () => {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (uri: string) => {
    const { contents } = await pair.client.readResource({ uri });
    return contents[0] as { uri: string; mimeType: string; text: string };
  };

  it('lists the static resources and the per-process template', async () => {
    const { resources } = await pair.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'pm2-logs://recent',
        'pm2-logs://patterns',
        'pm2-logs://processes',
        'pm2-report://latest',
        'pm2-report://history',
        'pm2-logs://process/api',
        'pm2-logs://process/web%20app',
      ]),
    );
    const { resourceTemplates } = await pair.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['pm2-logs://process/{name}']);
    expect(pair.client.getServerCapabilities()?.resources).toMatchObject({ subscribe: true });
  });

  it('reads recent logs oldest first, redacted, with an untrusted preface', async () => {
    const recent = await read('pm2-logs://recent');
    expect(recent.mimeType).toBe('text/plain');
    const lines = recent.text.split('\n');
    expect(lines[0]).toMatch(/^# .*untrusted/);
    expect(lines.slice(1, 4).map((l) => l.split(' ').slice(-2).join(' '))).toEqual(['INFO first', 'failed: token=[REDACTED]', 'INFO last']);
    expect(recent.text).not.toContain('abc');
  });

  it('reads one process through the template, and completes process names', async () => {
    const worker = await read('pm2-logs://process/worker');
    expect(worker.text).toContain('job failed');
    expect(worker.text).not.toContain('first');
    expect((await read('pm2-logs://process/web%20app')).text).toMatch(/0 entries/);
    const completion = await pair.client.complete({
      ref: { type: 'ref/resource', uri: 'pm2-logs://process/{name}' },
      argument: { name: 'name', value: 'w' },
    });
    expect(completion.completion.values).toEqual(['web app', 'worker']);
  });

  it('answers a missing process, a missing report and an unknown address with InvalidParams', async () => {
    await expect(pair.client.readResource({ uri: 'pm2-logs://process/apx' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/no process named 'apx'; known: api, web app, worker/),
    });
    await expect(pair.client.readResource({ uri: 'pm2-report://latest' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/write_report/),
    });
    await expect(pair.client.readResource({ uri: 'pm2-logs://elsewhere' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
  });

  it('reads patterns, processes, the latest report and the history as documents', async () => {
    const patterns = JSON.parse((await read('pm2-logs://patterns')).text);
    expect(patterns).toMatchObject({ total: 3, returned: 3, truncated: false });
    const processes = JSON.parse((await read('pm2-logs://processes')).text);
    expect(processes.processes.map((p: { name: string }) => p.name)).toEqual(['api', 'worker', 'web app']);
    await engine.writeReport({});
    await engine.writeReport({ output: 'second.md' });
    const latest = await read('pm2-report://latest');
    expect(latest.mimeType).toBe('text/markdown');
    expect(latest.text).toMatch(/^<!-- .*untrusted.* -->\n# Incident report/);
    const history = JSON.parse((await read('pm2-report://history')).text);
    expect(history.reports.map((r: { path: string }) => r.path)).toEqual([join(dir, 'second.md'), join(dir, 'docs/report.md')]);
  });

  it('notifies subscribers of new errors and reports, at most once per interval per address', async () => {
    await pair.client.subscribeResource({ uri: 'pm2-logs://recent' });
    await pair.client.subscribeResource({ uri: 'pm2-logs://process/worker' });
    await pair.client.subscribeResource({ uri: 'pm2-report://latest' });
    for (let i = 0; i < 5; i++) engine.append([entry({ message: `boom ${i}`, level: 'error' })]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Leading edge only so far: one for recent logs; api is not subscribed, worker had no error.
    expect(updates).toEqual(['pm2-logs://recent']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The trailing notification announces the errors that came inside the interval.
    expect(updates).toEqual(['pm2-logs://recent', 'pm2-logs://recent']);

    await engine.writeReport({});
    engine.append([entry({ message: 'worker down', level: 'error', process: 'worker', pmId: 1 })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(updates.slice(2).sort()).toEqual(['pm2-logs://process/worker', 'pm2-logs://recent', 'pm2-report://latest']);

    await pair.client.unsubscribeResource({ uri: 'pm2-logs://recent' });
    engine.append([entry({ message: 'again', level: 'error' })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(updates).toHaveLength(5);
  });

  it('refuses to subscribe to an address it does not serve', async () => {
    await expect(pair.client.subscribeResource({ uri: 'file:///etc/passwd' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
  });
});
