// The built server over stdio, as Claude Desktop or Cursor launch it, against a real PM2 daemon.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bounded, createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from '../helpers/pm2-home.js';
import { RecordingStdioTransport } from '../helpers/recording-stdio.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: Array<{ type: string; text?: string }> };

describe('stdio MCP server (built) against a real PM2 daemon', () => {
  let pm2: Pm2Home;
  let work: string;
  let transport: RecordingStdioTransport;
  let client: Client;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    pm2 = await createPm2Home();
    work = await mkdtemp(join(tmpdir(), 'plm-stdio-'));
    await pm2.pm2('start', join(FIXTURE_APPS, 'hello.cjs'), '--name', 'hello');
    transport = new RecordingStdioTransport(process.execPath, [CLI, 'mcp'], {
      ...process.env,
      PM2_HOME: pm2.home,
      PM2_LOG_MONITOR_DATA_DIR: join(work, 'data'),
      PM2_LOG_MONITOR_REPORT_ROOT: work,
      PM2_LOG_MONITOR_LLM: 'none',
    });
    client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await bounded(() => client?.close());
    await pm2?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;

  it('monitors, queries, reports, and writes nothing but MCP messages to stdout', async () => {
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['start_monitor', 'stop_monitor', 'status', 'analyze_buffer', 'write_report', 'query_logs']));

    const started = await call('start_monitor', {});
    expect(started.isError).toBeFalsy();
    await pm2.pm2('start', join(FIXTURE_APPS, 'api-sim.cjs'), '--name', 'api');

    const found = await waitFor(async () => {
      const r = await call('query_logs', { process: 'api', search: 'api ready' });
      return (r.structuredContent?.entries?.length ?? 0) > 0 ? r : undefined;
    }, 30_000, 'the api ready line through query_logs');
    expect(found.structuredContent!.entries[0].message).toMatch(/^api ready after \d+ ms$/);

    const leaked = await call('query_logs', { process: 'api', search: 'postgres://' });
    expect(JSON.stringify(leaked)).not.toContain('Pg-S3cr3t-2024');

    const unknown = await call('query_logs', { process: 'apx' });
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0].text).toContain('api');

    const report = await call('write_report', {});
    expect(report.isError).toBeFalsy();
    const markdown = await readFile(join(work, 'docs', 'report.md'), 'utf8');
    expect(markdown).toMatch(/^# PM2 Log Analysis Report/);
    expect(markdown).not.toContain('Pg-S3cr3t-2024');

    const status = await call('status');
    expect(status.structuredContent?.daemon?.alive).toBe(true);

    await client.close();
    await transport.exited;
    expect(transport.trailing).toBe('');
    expect(transport.stdoutLines.length).toBeGreaterThan(5);
    for (const line of transport.stdoutLines) expect(JSONRPCMessageSchema.safeParse(JSON.parse(line)).success).toBe(true);
    expect(transport.stderr).toContain('monitor');
  });
});
