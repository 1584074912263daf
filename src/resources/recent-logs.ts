import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tools/context.js';
import { logsText } from './logs-text.js';
import { RECENT_LOGS_URI } from './uris.js';

export function registerRecentLogsResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'recent-logs',
    RECENT_LOGS_URI,
    {
      title: 'Recent logs',
      description: 'The newest buffered log lines of every process, oldest first, bounded in size. Subscribe for new errors.',
      mimeType: 'text/plain',
    },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: logsText(deps, {}) }] }),
  );
}
