import { fileURLToPath } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolDeps } from './context.js';
import { monitorIdField, parseOptionalTime, sinceField } from './fields.js';
import { progressFor } from './progress.js';
import { dataResult, guarded } from './results.js';
import { samplingFor } from '../analysis/llm/sampling-llm.js';

const ROOTS_TIMEOUT_MS = 5_000;

const outputSchema = {
  path: z.string().describe('Markdown file written'),
  generatedAt: z.string(),
  historyPath: z.string().optional().describe('Copy kept in the report history'),
  summary: z.object({
    entries: z.number(),
    errorRate: z.number(),
    critical: z.number(),
    warnings: z.number(),
    mode: z.string(),
  }),
};

/**
 * The client's declared file roots as paths, or undefined (the engine's own root applies) when the
 * client has no roots capability or does not answer in time.
 */
async function clientRoots(server: McpServer, deps: ToolDeps, signal: AbortSignal): Promise<string[] | undefined> {
  if (!server.server.getClientCapabilities()?.roots) return undefined;
  try {
    const { roots } = await server.server.listRoots(undefined, { signal, timeout: ROOTS_TIMEOUT_MS });
    const paths = roots.filter((r) => r.uri.startsWith('file://')).map((r) => fileURLToPath(r.uri));
    return paths.length > 0 ? paths : undefined;
  } catch (error) {
    deps.diagnose('warn', `roots/list failed, using the configured report root: ${(error as Error).message}`);
    return undefined;
  }
}

export function registerWriteReportTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'write_report',
    {
      title: 'Write an incident report',
      description:
        'Analyze the buffer and write a markdown incident report (atomically, inside the allowed roots: the ones this ' +
        'client declares, else the configured root). Returns the path and a summary; the report is also kept in history.',
      inputSchema: {
        output: z.string().min(1).max(500).optional().describe('Markdown path relative to the report root (default docs/report.md)'),
        template: z.string().min(1).max(500).optional().describe('Path of a markdown (.md) template file inside the report root'),
        since: sinceField.optional(),
        monitorId: monitorIdField.optional().describe('Report on what this monitor watches'),
      },
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) =>
      guarded(async () => {
        const since = parseOptionalTime(args.since, deps.now());
        const record = await deps.engine.writeReport({
          output: args.output,
          template: args.template,
          since,
          monitorId: args.monitorId,
          roots: await clientRoots(server, deps, extra.signal),
          useLlm: 'auto',
          samplingLlm: samplingFor(server.server, undefined),
          onProgress: progressFor(extra),
          signal: extra.signal,
        });
        return dataResult({
          path: record.path,
          generatedAt: new Date(record.generatedAt).toISOString(),
          ...(record.historyPath !== undefined ? { historyPath: record.historyPath } : {}),
          summary: record.summary,
        });
      }),
  );
}
