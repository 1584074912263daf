import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  type CallToolResult,
  type CreateMessageRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { entry, MemoryEngine, processInfo } from '../helpers/memory-engine.js';

describe('analyze_buffer and write_report', () => {
  let dir: string;
  let engine: MemoryEngine;
  let pair: McpPair | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-analyze-'));
    engine = new MemoryEngine(join(dir, 'configured'));
    engine.processes = [processInfo('api', 0)];
    engine.append([
      entry({ message: 'db timeout after 3000 ms', level: 'error' }),
      entry({ message: 'db timeout after 4000 ms', level: 'error' }),
      entry({ message: 'db timeout after 5000 ms', level: 'error' }),
      entry({ message: 'ok' }),
    ]);
  });

  afterEach(async () => {
    await pair?.close();
    pair = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('returns structured findings and sends increasing progress when asked', async () => {
    pair = await connectPair({ engine, version: 'test' });
    const progress: number[] = [];
    const result = (await pair.client.callTool({ name: 'analyze_buffer', arguments: { useLlm: false } }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p.progress),
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const reply = result.structuredContent as Record<string, any>;
    expect(reply.mode).toBe('heuristic');
    expect(reply.totals).toMatchObject({ entries: 4, errors: 3 });
    expect(reply.findings[0]).toMatchObject({ severity: 'critical', title: '3 × db timeout after <*> ms', evidence: { seqs: [1, 2, 3] } });
    expect(reply.note).toMatch(/untrusted/);
    expect(progress).toEqual([1, 2, 3]);
    expect(engine.analyses[0].samplingLlm).toBeUndefined();
  });

  it('passes the client model as a sampling LlmPort with a bounded request', async () => {
    const requests: CreateMessageRequest['params'][] = [];
    pair = await connectPair({ engine, version: 'test' }, { sampling: {} }, (client) => {
      client.setRequestHandler(CreateMessageRequestSchema, (request) => {
        requests.push(request.params);
        return { model: 'client-model', role: 'assistant', content: { type: 'text', text: 'the database is slow' } };
      });
    });
    const result = (await pair.client.callTool({ name: 'analyze_buffer', arguments: {} })) as CallToolResult;
    const reply = result.structuredContent as Record<string, any>;
    expect(reply).toMatchObject({ mode: 'llm-sampling', model: 'client-model', narrative: { summary: 'the database is slow' } });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ includeContext: 'none', systemPrompt: 'You explain log findings.', maxTokens: 4_096 });
    expect(requests[0].messages[0].content).toMatchObject({ type: 'text' });

    await pair.client.callTool({ name: 'analyze_buffer', arguments: { useLlm: false } });
    expect(engine.analyses[1].samplingLlm).toBeUndefined();
    expect(engine.analyses[1].useLlm).toBe(false);
  });

  it('keeps a large analysis within the reply budget and says how many findings it left out', async () => {
    engine.append(Array.from({ length: 300 }, (_, i) => entry({ message: `failure kind-${String.fromCharCode(97 + (i % 26))}${i} ${'q'.repeat(200)}`, level: 'error' })));
    pair = await connectPair({ engine, version: 'test', replyBudgetChars: 20_000 });
    const result = (await pair.client.callTool({ name: 'analyze_buffer', arguments: {} })) as CallToolResult;
    expect((result.content[0] as { text: string }).text.length).toBeLessThanOrEqual(20_000);
    const reply = result.structuredContent as Record<string, any>;
    expect(reply.omitted.findings).toBeGreaterThan(0);
    expect(reply.findings.length + reply.omitted.findings).toBe(301);
  });

  it('turns a non-text answer of the client model into an error result', async () => {
    pair = await connectPair({ engine, version: 'test' }, { sampling: {} }, (client) => {
      client.setRequestHandler(CreateMessageRequestSchema, () => ({
        model: 'client-model',
        role: 'assistant',
        content: { type: 'image', data: 'AAAA', mimeType: 'image/png' },
      }));
    });
    const result = (await pair.client.callTool({ name: 'analyze_buffer', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(/answered with image content/);
  });

  it('reports an unknown monitor and a bad window as errors with hints', async () => {
    pair = await connectPair({ engine, version: 'test' });
    const unknown = (await pair.client.callTool({ name: 'analyze_buffer', arguments: { monitorId: 'm7' } })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect((unknown.content[0] as { text: string }).text).toMatch(/no monitor with id 'm7'; none is running: call start_monitor/);
  });

  it('writes the report inside the roots the client declares', async () => {
    const root = join(dir, 'client-root');
    pair = await connectPair({ engine, version: 'test', clock: { now: () => 1_764_870_000_000 + 60_000 } }, { roots: {} }, (client) => {
      client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: pathToFileURL(root).href, name: 'project' }] }));
    });
    const result = (await pair.client.callTool({ name: 'write_report', arguments: { output: 'incidents/today.md', since: '1d' } })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const reply = result.structuredContent as Record<string, any>;
    expect(reply.path).toBe(join(root, 'incidents/today.md'));
    expect(reply.summary).toMatchObject({ critical: 1, mode: 'heuristic' });
    expect(await readFile(reply.path, 'utf8')).toContain('db timeout after <*> ms');
    expect(engine.analyses[0]).toMatchObject({ roots: [root] });
  });

  it('uses the configured root without client roots, and turns a refused path into an error', async () => {
    pair = await connectPair({ engine, version: 'test' });
    const ok = (await pair.client.callTool({ name: 'write_report', arguments: {} })) as CallToolResult;
    expect((ok.structuredContent as { path: string }).path).toBe(join(dir, 'configured', 'docs/report.md'));
    const outside = (await pair.client.callTool({ name: 'write_report', arguments: { output: '../../escape.md' } })) as CallToolResult;
    expect(outside.isError).toBe(true);
    expect((outside.content[0] as { text: string }).text).toMatch(/outside the allowed root/);
  });
});
