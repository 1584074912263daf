import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tools/context.js';
import { processListReply } from '../tools/process-view.js';
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
      const body = await processListReply(deps.engine, deps.replyBudgetChars - 1_000);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body) }] };
    },
  );
}
