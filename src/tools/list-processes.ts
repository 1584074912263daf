import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolDeps } from './context.js';
import { daemonSchema, processListReply, processViewSchema } from './process-view.js';
import { dataResult, guarded } from './results.js';

const outputSchema = {
  processes: z.array(processViewSchema),
  returned: z.number(),
  total: z.number(),
  truncated: z.boolean(),
  daemon: daemonSchema.optional().describe('Present when the list is empty, to tell a down daemon from an idle one'),
};

export function registerListProcessesTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_processes',
    {
      title: 'List PM2 processes',
      description: 'The processes of the PM2 daemon with status, CPU, memory and restart counts.',
      inputSchema: {},
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    () =>
      guarded(async () => {
        const { processes, ...rest } = await processListReply(deps.engine, deps.replyBudgetChars - 1_000);
        return dataResult({ processes, returned: processes.length, ...rest });
      }),
  );
}
