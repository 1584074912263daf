import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { cutText, lineLimit, trimToBudget } from './budget.js';
import type { ToolDeps } from './context.js';
import { monitorIdField } from './fields.js';
import { daemonSchema, describeDaemon, presentProcess, processViewSchema } from './process-view.js';
import { dataResult, guarded } from './results.js';

const outputSchema = {
  daemon: daemonSchema,
  dataDir: z.string(),
  readOnly: z.boolean().describe('True when another process captures into the data directory: this one only reads'),
  processes: z.array(processViewSchema),
  buffer: z
    .record(z.string(), z.unknown())
    .describe('Entries, bytes on disk, seq range, oldest/newest timestamps (ms), limits, drops by reason'),
  monitors: z.array(z.record(z.string(), z.unknown())).describe('Monitors with their spec, last trigger firing, last analysis and report'),
  gaps: z.array(z.record(z.string(), z.unknown())).describe('Lines or time the monitor knows it did not see'),
  llm: z.record(z.string(), z.unknown()),
  omitted: z.record(z.string(), z.number()).optional().describe('Items left out per list to stay within the reply budget'),
};

export function registerStatusTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'status',
    {
      title: 'Monitor status',
      description:
        'PM2 daemon state (and which PM2_HOME), processes with status, CPU, memory and restarts, buffer statistics, ' +
        'monitors with their triggers and last analysis, dropped entries and coverage gaps.',
      inputSchema: { monitorId: monitorIdField.optional().describe('Show only this monitor') },
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        // An unknown monitorId is refused by the engine (UnknownMonitorError, with the running ids).
        const status = await deps.engine.status(args.monitorId);
        const maxLine = lineLimit(deps.replyBudgetChars);
        const reply = {
          daemon: describeDaemon(status.daemon),
          dataDir: status.dataDir,
          readOnly: status.readOnly,
          processes: status.processes.map(presentProcess),
          buffer: { ...status.buffer },
          monitors: status.monitors.map((m) => ({ ...m })),
          gaps: status.gaps.map((g) => ({ ...g, detail: cutText(deps.redact(g.detail), maxLine) })),
          llm: { ...status.llm },
        };
        const { value, omitted } = trimToBudget(reply, ['gaps', 'processes', 'monitors'], deps.replyBudgetChars - 500);
        return dataResult(Object.keys(omitted).length > 0 ? { ...value, omitted } : value);
      }),
  );
}
