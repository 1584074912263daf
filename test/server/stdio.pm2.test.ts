// runStdio in a child process (tsx, no build needed): stdout carries only MCP, and the server
// notices when the client closes its stdin. Named *.pm2.test.ts because it spawns a Node process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, '../helpers/mcp-fixture-server.ts');

describe('runStdio', () => {
  it('serves the SDK client over stdio with diagnostics kept off stdout', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', FIXTURE], stderr: 'pipe' });
    const client = new Client({ name: 'stdio-test', version: '1' });
    try {
      await client.connect(transport);
      const result = (await client.callTool({ name: 'query_logs', arguments: { level: 'error' } })) as CallToolResult;
      expect((result.structuredContent as { matched: number }).matched).toBe(1);
      const missing = (await client.callTool({ name: 'status', arguments: { monitorId: 'nope' } })) as CallToolResult;
      expect(missing.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('exits once the client closes stdin, having written nothing but MCP to stdout', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      })}\n`,
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdin.end();
    expect(await exited).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  });
});
