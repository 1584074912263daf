// Every MCP resource, registered on one McpServer, with subscriptions to their updates.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tools/context.js';
import { registerPatternsResource } from './patterns.js';
import { registerProcessLogsResource } from './process-logs.js';
import { registerProcessesResource } from './processes.js';
import { registerRecentLogsResource } from './recent-logs.js';
import { registerLatestReportResource, registerReportHistoryResource } from './reports.js';
import { enableSubscriptions } from './subscriptions.js';

/** Registers the resources; returns the function that stops their update notifications. */
export function registerResources(server: McpServer, deps: ToolDeps, updateIntervalMs?: number): () => void {
  registerRecentLogsResource(server, deps);
  registerProcessLogsResource(server, deps);
  registerPatternsResource(server, deps);
  registerProcessesResource(server, deps);
  registerLatestReportResource(server, deps);
  registerReportHistoryResource(server, deps);
  return enableSubscriptions(server, deps, updateIntervalMs);
}
