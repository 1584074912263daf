import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { MonitorSpec } from '../core/engine.js';
import { knownList, listedNames, type ToolDeps } from './context.js';
import { checkRegex, levelSchema, processList } from './fields.js';
import { dataResult, guarded, ToolInputError } from './results.js';

const inputSchema = {
  processes: processList.optional().describe('PM2 app names to watch; all processes when absent'),
  namespaces: z.array(z.string().min(1).max(200)).min(1).max(50).optional().describe('PM2 namespaces to watch'),
  levels: z.array(levelSchema).min(1).max(4).optional().describe('Levels to keep; all when absent'),
  bufferSize: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe('Analyze after this many new entries (size trigger)'),
  flushInterval: z
    .number()
    .int()
    .min(10)
    .max(86_400)
    .optional()
    .describe('Analyze every this many seconds (time trigger), 10 s to 1 day'),
  patterns: z
    .array(z.string().min(1).max(500))
    .max(50)
    .optional()
    .describe('JavaScript regexes: a line that matches one triggers an analysis'),
  reportPath: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('Markdown file for this monitor\'s triggered reports, relative to the report root'),
};

const outputSchema = {
  monitorId: z.string(),
  watching: z.record(z.string(), z.unknown()).describe('The spec the monitor runs with'),
  createdAt: z.string(),
  warnings: z.array(z.string()).optional(),
};

export function registerStartMonitorTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'start_monitor',
    {
      title: 'Start a monitor',
      description:
        'Watch some or all PM2 processes with their own triggers (every N entries, every N seconds, or on a regex), ' +
        'analyzing and writing a report when one fires. Returns the monitor id for status, analyze_buffer and stop_monitor.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        for (const [i, source] of (args.patterns ?? []).entries()) {
          const problem = checkRegex(source, `patterns[${i}]`);
          if (problem) throw new ToolInputError(problem, 'escape special characters such as ( [ . * +');
        }
        if (args.reportPath?.includes('\0')) throw new ToolInputError('reportPath contains a NUL byte');
        const spec: MonitorSpec = {
          processes: args.processes,
          namespaces: args.namespaces,
          levels: args.levels,
          bufferSize: args.bufferSize,
          flushIntervalMs: args.flushInterval === undefined ? undefined : args.flushInterval * 1_000,
          patterns: args.patterns,
          reportPath: args.reportPath,
        };
        const view = await deps.engine.startMonitor(spec);
        // Listed once the monitor runs: the process list is then the capture's, held in memory.
        const warnings: string[] = [];
        if (args.processes) {
          const known = await listedNames(deps.engine);
          const unknown = args.processes.filter((name) => !known.includes(name));
          // Not an error: the monitor also catches apps started after it.
          if (unknown.length > 0) {
            warnings.push(`not running in PM2 now: ${unknown.join(', ')} (${knownList(known)}); they are watched once they start`);
          }
        }
        return dataResult({
          monitorId: view.id,
          watching: { ...view.spec },
          createdAt: new Date(view.createdAt).toISOString(),
          ...(warnings.length > 0 ? { warnings } : {}),
        });
      }),
  );
}
