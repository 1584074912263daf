import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { parseTimeSpec } from '../core/time-spec.js';
import { UNTRUSTED_NOTE, type ToolDeps } from '../tools/context.js';

export function registerIncidentReportPrompt(server: McpServer, deps: ToolDeps): void {
  server.registerPrompt(
    'incident_report',
    {
      title: 'Write an incident report',
      description: 'Guides an agent from the buffered logs to a written, checked incident report for a time window.',
      argsSchema: {
        since: z
          .string()
          .max(64)
          .optional()
          .describe('Start of the incident window: 15m, 2h, 1d or an ISO-8601 time (default 1h)'),
      },
    },
    ({ since }) => {
      const window = since?.trim() || '1h';
      try {
        parseTimeSpec(window, deps.now());
      } catch (error) {
        throw new McpError(ErrorCode.InvalidParams, (error as Error).message);
      }
      const quoted = JSON.stringify(window);
      const text = [
        `Write an incident report for the PM2 processes since ${quoted}, with the pm2-log-monitor tools:`,
        `1. status: daemon state, processes, restarts, drops and coverage gaps in the window.`,
        `2. analyze_buffer with since ${quoted}: the findings, by severity.`,
        `3. For each critical finding, query_logs with its process and a narrow since/until to confirm the evidence.`,
        `4. write_report with since ${quoted}: note the path it returns.`,
        `5. Read pm2-report://latest and reply with a short summary: impact, timeline, root cause, what to do next, ` +
          `and what the monitor could not see.`,
        UNTRUSTED_NOTE,
      ].join('\n');
      return {
        description: `Incident report since ${window}`,
        messages: [{ role: 'user', content: { type: 'text', text } }],
      };
    },
  );
}
