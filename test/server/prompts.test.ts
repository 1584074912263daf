import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { MemoryEngine, processInfo } from '../helpers/memory-engine.js';

describe('prompts', () => {
  let dir: string;
  let pair: McpPair;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-prompts-'));
    const engine = new MemoryEngine(dir);
    engine.processes = [processInfo('api', 0), processInfo('worker', 1)];
    pair = await connectPair({ engine, version: 'test' });
  });

  afterEach(async () => {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists diagnose_process and incident_report with their arguments', async () => {
    const { prompts } = await pair.client.listPrompts();
    expect(prompts.map((p) => [p.name, p.arguments?.map((a) => a.name)])).toEqual([
      ['diagnose_process', ['name']],
      ['incident_report', ['since']],
    ]);
  });

  it('guides through the tools for one process, with completion of its name', async () => {
    const prompt = await pair.client.getPrompt({ name: 'diagnose_process', arguments: { name: 'api' } });
    const text = (prompt.messages[0].content as { text: string }).text;
    for (const tool of ['status', 'query_logs', 'list_patterns', 'analyze_buffer']) expect(text).toContain(tool);
    expect(text).toContain('"api"');
    expect(text).toMatch(/untrusted/);
    const completion = await pair.client.complete({ ref: { type: 'ref/prompt', name: 'diagnose_process' }, argument: { name: 'name', value: 'wo' } });
    expect(completion.completion.values).toEqual(['worker']);
  });

  it('refuses an unknown process and an unreadable window with InvalidParams', async () => {
    await expect(pair.client.getPrompt({ name: 'diagnose_process', arguments: { name: 'apx' } })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/known: api, worker/),
    });
    await expect(pair.client.getPrompt({ name: 'incident_report', arguments: { since: 'last tuesday' } })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
    await expect(pair.client.getPrompt({ name: 'nope' })).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
  });

  it('writes an incident report plan for a window, 1h by default', async () => {
    const prompt = await pair.client.getPrompt({ name: 'incident_report', arguments: { since: '2h' } });
    const text = (prompt.messages[0].content as { text: string }).text;
    expect(text).toContain('since "2h"');
    expect(text).toContain('write_report');
    expect(text).toContain('pm2-report://latest');
    const fallback = await pair.client.getPrompt({ name: 'incident_report', arguments: {} });
    expect((fallback.messages[0].content as { text: string }).text).toContain('since "1h"');
  });
});
