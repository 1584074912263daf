import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolDeps } from './context.js';
import { monitorIdField, parseTimeRange, processList, sinceField, untilField } from './fields.js';
import { presentAnalysis } from './analysis-view.js';
import { progressFor } from './progress.js';
import { dataResult, guarded } from './results.js';
import { samplingFor } from '../analysis/llm/sampling-llm.js';

const outputSchema = {
  note: z.string(),
  window: z.record(z.string(), z.unknown()).describe('Seq range and time range analyzed'),
  generatedAt: z.string(),
  mode: z.enum(['heuristic', 'llm-openai', 'llm-sampling']),
  model: z.string().optional(),
  totals: z.record(z.string(), z.unknown()).describe('Entries, errors, warnings, error rate, processes'),
  findings: z
    .array(z.record(z.string(), z.unknown()))
    .describe('Problems found, with severity, summary, evidence (seqs usable with query_logs) and a recommendation'),
  narrative: z.record(z.string(), z.unknown()).optional().describe('Root causes and recommendations by a model, when one ran'),
  patterns: z.array(z.record(z.string(), z.unknown())),
  metrics: z.array(z.record(z.string(), z.unknown())).describe('Per process: entries, errors, restarts, memory, CPU, latency'),
  gaps: z.array(z.record(z.string(), z.unknown())).describe('What the monitor knows it did not see'),
  notes: z.array(z.string()).describe('Fallbacks and caveats'),
  llmUsage: z.record(z.string(), z.unknown()).optional(),
  omitted: z.record(z.string(), z.number()).optional().describe('Items left out per list to stay within the reply budget'),
};

export function registerAnalyzeBufferTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'analyze_buffer',
    {
      title: 'Analyze buffered logs',
      description:
        'Find what is going wrong in a window of the buffer: error patterns and bursts, crash loops, restarts, memory ' +
        'growth, slow requests. Uses a model when one is configured or this client offers sampling (useLlm false ' +
        'forces heuristics). Sends progress notifications when given a progressToken.',
      inputSchema: {
        monitorId: monitorIdField.optional().describe('Analyze what this monitor watches'),
        since: sinceField.optional(),
        until: untilField.optional(),
        processes: processList.optional().describe('Only these PM2 apps'),
        useLlm: z.boolean().optional().describe('true: use a model if any is available; false: heuristics only; absent: automatic'),
      },
      outputSchema,
      // openWorld: a configured remote model may see the (redacted) logs.
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) =>
      guarded(async () => {
        const result = await deps.engine.analyze({
          monitorId: args.monitorId,
          ...parseTimeRange(args, deps.now()),
          processes: args.processes,
          useLlm: args.useLlm ?? 'auto',
          samplingLlm: samplingFor(server.server, args.useLlm),
          onProgress: progressFor(extra),
          signal: extra.signal,
        });
        return dataResult(presentAnalysis(result, deps.redact, deps.replyBudgetChars - 500));
      }),
  );
}
