import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { completeProcessName, knownList, listedNames, unknownProcess, type ToolDeps } from '../tools/context.js';
import { logsText } from './logs-text.js';
import { PROCESS_LOGS_TEMPLATE, processLogsUri, processOfUri } from './uris.js';

export function registerProcessLogsResource(server: McpServer, deps: ToolDeps): void {
  const template = new ResourceTemplate(PROCESS_LOGS_TEMPLATE, {
    list: async () => ({
      resources: (await listedNames(deps.engine)).map((name) => ({
        uri: processLogsUri(name),
        name: `logs-${name}`,
        title: `Logs of ${name}`,
        mimeType: 'text/plain',
      })),
    }),
    complete: { name: (value) => completeProcessName(deps.engine, value) },
  });
  server.registerResource(
    'process-logs',
    template,
    {
      title: 'Logs of one process',
      description: 'The newest buffered log lines of one PM2 app, oldest first, bounded in size. Subscribe for its new errors.',
      mimeType: 'text/plain',
    },
    async (uri) => {
      const name = processOfUri(uri.href);
      const refuse = (shown: string, known: string[]) => new McpError(ErrorCode.InvalidParams, `no process named '${shown}'; ${knownList(known)}`);
      if (name === undefined) throw refuse(uri.href, await listedNames(deps.engine));
      const unknown = await unknownProcess(deps.engine, [name]);
      if (unknown) throw refuse(name, unknown.known);
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: logsText(deps, { processes: [name] }) }] };
    },
  );
}
