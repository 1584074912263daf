import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  type CallToolResult,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { MemoryEngine, processInfo } from '../helpers/memory-engine.js';

const TOOLS = [
  'analyze_buffer',
  'list_patterns',
  'list_processes',
  'query_logs',
  'start_monitor',
  'status',
  'stop_monitor',
  'wait_for_event',
  'write_report',
];

interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  maxLength?: number;
  maximum?: number;
  maxItems?: number;
  enum?: unknown[];
}

/** True when a JSON schema field cannot grow without bound: strings, numbers and arrays have a maximum. */
function bounded(schema: JsonSchema): boolean {
  if (schema.anyOf) return schema.anyOf.every(bounded);
  if (schema.enum) return true;
  switch (schema.type) {
    case 'string':
      return schema.maxLength !== undefined;
    case 'number':
    case 'integer':
      return schema.maximum !== undefined;
    case 'array':
      return schema.maxItems !== undefined && schema.items !== undefined && bounded(schema.items);
    case 'boolean':
      return true;
    default:
      return false;
  }
}

describe('createServer', () => {
  let dir: string;
  let engine: MemoryEngine;
  let pair: McpPair | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-server-'));
    engine = new MemoryEngine(dir);
    engine.processes = [processInfo('api', 0)];
  });

  afterEach(async () => {
    await pair?.close();
    pair = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every tool with a description, bounded described fields, an output schema and annotations', async () => {
    pair = await connectPair({ engine, version: '9.9.9' });
    expect(pair.client.getServerVersion()).toMatchObject({ name: 'pm2-log-monitor', version: '9.9.9' });
    expect(pair.client.getInstructions()).toMatch(/untrusted/);
    const { tools } = await pair.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool.annotations, tool.name).toMatchObject({
        readOnlyHint: expect.any(Boolean),
        destructiveHint: expect.any(Boolean),
        idempotentHint: expect.any(Boolean),
      });
      for (const [field, schema] of Object.entries((tool.inputSchema.properties ?? {}) as Record<string, JsonSchema>)) {
        expect(schema.description, `${tool.name}.${field}`).toBeTruthy();
        expect(bounded(schema), `${tool.name}.${field} bounded`).toBe(true);
      }
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('query_logs')?.annotations?.readOnlyHint).toBe(true);
    expect(byName.get('stop_monitor')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it('reports unknown tools and invalid arguments as isError results', async () => {
    pair = await connectPair({ engine, version: 'test' });
    const unknown = (await pair.client.callTool({ name: 'nope', arguments: {} })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    const invalid = (await pair.client.callTool({ name: 'query_logs', arguments: { order: 'sideways' } })) as CallToolResult;
    expect(invalid.isError).toBe(true);
    expect((invalid.content[0] as { text: string }).text).toMatch(/order/);
  });

  it('sends diagnostics as MCP log messages only after logging/setLevel, at or above that level', async () => {
    const logged: string[] = [];
    const messages: LoggingMessageNotification['params'][] = [];
    pair = await connectPair(
      { engine, version: 'test', log: (level, message) => logged.push(`${level}: ${message}`) },
      { roots: {} },
      (client) => {
        client.setRequestHandler(ListRootsRequestSchema, () => {
          throw new McpError(-32603, 'roots unavailable');
        });
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
          messages.push(n.params);
        });
      },
    );
    await pair.client.callTool({ name: 'write_report', arguments: {} });
    expect(logged.some((l) => /^warn: roots\/list failed/.test(l))).toBe(true);
    expect(messages).toEqual([]);

    await pair.client.setLoggingLevel('error');
    await pair.client.callTool({ name: 'write_report', arguments: {} });
    expect(messages).toEqual([]);

    await pair.client.setLoggingLevel('warning');
    await pair.client.callTool({ name: 'write_report', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ level: 'warning', logger: 'pm2-log-monitor' });
    expect(String(messages[0].data)).toMatch(/roots\/list failed/);
  });

  it('detaches from the engine on close, leaving the engine open', async () => {
    pair = await connectPair({ engine, version: 'test' });
    expect(engine.listenerCount()).toBe(1);
    await pair.close();
    pair = undefined;
    expect(engine.listenerCount()).toBe(0);
    expect(await engine.listProcesses()).toHaveLength(1);
  });

  it('builds independent servers: one per connection', async () => {
    const a = await connectPair({ engine, version: 'test' });
    const b = await connectPair({ engine, version: 'test' });
    expect(a.handle.server).not.toBe(b.handle.server);
    await a.close();
    expect((await b.client.listTools()).tools).toHaveLength(TOOLS.length);
    await b.close();
  });
});
