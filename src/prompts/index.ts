// Every MCP prompt, registered on one McpServer.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tools/context.js';
import { registerDiagnoseProcessPrompt } from './diagnose-process.js';
import { registerIncidentReportPrompt } from './incident-report.js';

export function registerPrompts(server: McpServer, deps: ToolDeps): void {
  registerDiagnoseProcessPrompt(server, deps);
  registerIncidentReportPrompt(server, deps);
}
