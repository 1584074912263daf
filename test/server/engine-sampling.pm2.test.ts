// analyze_buffer through the SDK's real Client over InMemoryTransport, on the real engine and a real
// PM2 daemon, with the client's own model answering through MCP sampling.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMessageRequestSchema, type CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PROMPT } from '../../src/analysis/llm/llm-analysis.js';
import { loadConfig } from '../../src/config.js';
import { createMonitor, type Monitor } from '../../src/monitor.js';
import { connectPair, type McpPair } from '../helpers/mcp-pair.js';
import { bounded, createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from '../helpers/pm2-home.js';

describe('analysis with the MCP client model (sampling) on the real engine', () => {
  let pm2: Pm2Home;
  let work: string;
  let monitor: Monitor;
  let pair: McpPair;
  const requests: CreateMessageRequest['params'][] = [];

  beforeAll(async () => {
    pm2 = await createPm2Home();
    work = await mkdtemp(join(tmpdir(), 'plm-sampling-'));
    monitor = await createMonitor(loadConfig({ env: {}, cwd: work, flags: { pm2Home: pm2.home, dataDir: join(work, 'data'), report: { root: work } } }));
    pair = await connectPair({ engine: monitor, version: 'test', redact: monitor.redactor.redact }, { sampling: {} }, (client) => {
      client.setRequestHandler(CreateMessageRequestSchema, (request) => {
        requests.push(request.params);
        const text = (request.params.messages[0].content as { text: string }).text;
        const data = JSON.parse(/<<<DATA [\w-]+>>>\n([\s\S]*)\n<<<END DATA/.exec(text)![1]);
        const finding = data.findings[0];
        return {
          model: 'client-model',
          role: 'assistant',
          content: {
            type: 'text',
            text: JSON.stringify({
              summary: 'PostgreSQL is down; the api cannot serve orders.',
              findings: [],
              rootCauses: [{ cause: 'the database at 127.0.0.1:5432 is not accepting connections', evidence: [finding.id] }],
              recommendations: [{ action: 'bring postgres back, then add a readiness check', evidence: [finding.id] }],
            }),
          },
        };
      });
    });
  });

  afterAll(async () => {
    await bounded(() => pair?.close());
    await bounded(() => monitor?.close());
    await pm2?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('asks the client model once with fenced, redacted data and no server context, and keeps its cited answer', async () => {
    await monitor.startMonitor({});
    await pm2.pm2('start', join(FIXTURE_APPS, 'api-sim.cjs'), '--name', 'api');
    await waitFor(() => monitor.queryLogs({ levels: ['error'] }).matched >= 12, 20_000, 'the error burst');

    const reply = (await pair.client.callTool({ name: 'analyze_buffer', arguments: { processes: ['api'] } })) as { isError?: boolean; structuredContent: Record<string, any> };
    expect(reply.isError).toBeFalsy();
    expect(reply.structuredContent.mode).toBe('llm-sampling');
    expect(reply.structuredContent.model).toBe('client-model');
    expect(reply.structuredContent.narrative.rootCauses[0]).toMatch(/^the database at 127\.0\.0\.1:5432 is not accepting connections \[evidence: signature:/);

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.systemPrompt).toBe(SYSTEM_PROMPT);
    expect(request.includeContext).toBe('none');
    expect(request.maxTokens).toBeLessThanOrEqual(4096);
    const text = (request.messages[0].content as { text: string }).text;
    expect(text).toContain('ECONNREFUSED');
    expect(text).not.toContain('Pg-S3cr3t-2024');

    const heuristic = (await pair.client.callTool({ name: 'analyze_buffer', arguments: { processes: ['api'], useLlm: false } })) as { structuredContent: Record<string, any> };
    expect(heuristic.structuredContent.mode).toBe('heuristic');
    expect(requests).toHaveLength(1);
  });
});
