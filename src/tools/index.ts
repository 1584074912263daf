// Every MCP tool, registered on one McpServer.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerAnalyzeBufferTool } from './analyze-buffer.js';
import type { ToolDeps } from './context.js';
import { registerListPatternsTool } from './list-patterns.js';
import { registerListProcessesTool } from './list-processes.js';
import { registerQueryLogsTool } from './query-logs.js';
import { registerStartMonitorTool } from './start-monitor.js';
import { registerStatusTool } from './status.js';
import { registerStopMonitorTool } from './stop-monitor.js';
import { registerWaitForEventTool } from './wait-for-event.js';
import { registerWriteReportTool } from './write-report.js';

export type { ToolDeps } from './context.js';

export function registerTools(server: McpServer, deps: ToolDeps): void {
  registerStartMonitorTool(server, deps);
  registerStopMonitorTool(server, deps);
  registerStatusTool(server, deps);
  registerAnalyzeBufferTool(server, deps);
  registerWriteReportTool(server, deps);
  registerQueryLogsTool(server, deps);
  registerListPatternsTool(server, deps);
  registerListProcessesTool(server, deps);
  registerWaitForEventTool(server, deps);
}
