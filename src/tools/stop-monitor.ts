import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { knownList, type ToolDeps } from './context.js';
import { dataResult, guarded, ToolInputError } from './results.js';

export function registerStopMonitorTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'stop_monitor',
    {
      title: 'Stop a monitor',
      description: 'Stop one monitor by id, or every monitor with "all". Buffered logs and reports stay.',
      inputSchema: {
        monitorId: z.string().min(1).max(100).describe('Monitor id from start_monitor, or "all"'),
      },
      outputSchema: { stopped: z.array(z.string()).describe('Ids of the monitors stopped') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const stopped = await deps.engine.stopMonitor(args.monitorId);
        if (stopped.length === 0 && args.monitorId !== 'all') {
          const running = (await deps.engine.status()).monitors.map((m) => m.id);
          throw new ToolInputError(`no monitor '${args.monitorId}'`, `${knownList(running, 'monitors')}; pass one of them or "all"`);
        }
        return dataResult({ stopped });
      }),
  );
}
