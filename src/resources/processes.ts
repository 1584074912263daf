import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { trimToBudget } from '../tools/budget.js';
import type { ToolDeps } from '../tools/context.js';
import { processesWithDaemon } from '../tools/process-view.js';
import { PROCESSES_URI } from './uris.js';

export function registerProcessesResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'processes',
    PROCESSES_URI,
    {
      title: 'PM2 processes',
      description: 'The PM2 process list with status, CPU, memory and restarts, as JSON. Subscribe to hear of crashes and restarts.',
      mimeType: 'application/json',
    },
    async (uri) => {
      const { processes, daemon } = await processesWithDaemon(deps.engine);
      const { value } = trimToBudget({ processes }, ['processes'], deps.replyBudgetChars - 1_000);
      const body = { ...value, total: processes.length, truncated: value.processes.length < processes.length, ...(daemon ? { daemon } : {}) };
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body) }] };
    },
  );
}
