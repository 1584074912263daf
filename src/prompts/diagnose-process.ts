import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { completeProcessName, knownList, UNTRUSTED_NOTE, unknownProcess, type ToolDeps } from '../tools/context.js';
import { processLogsUri } from '../resources/uris.js';

export function registerDiagnoseProcessPrompt(server: McpServer, deps: ToolDeps): void {
  server.registerPrompt(
    'diagnose_process',
    {
      title: 'Diagnose a PM2 process',
      description: 'Walks through status, logs, patterns and analysis of one PM2 app to find why it misbehaves.',
      argsSchema: {
        name: completable(z.string().min(1).max(200).describe('PM2 app name'), (value) => completeProcessName(deps.engine, value)),
      },
    },
    async ({ name }) => {
      const unknown = await unknownProcess(deps.engine, [name]);
      if (unknown) throw new McpError(ErrorCode.InvalidParams, `no process named '${unknown.name}'; ${knownList(unknown.known)}`);
      const quoted = JSON.stringify(name);
      const text = [
        `Diagnose the PM2 process ${quoted} with the pm2-log-monitor tools, in this order:`,
        `1. status: is the PM2 daemon up? What are the process's status, restarts, CPU and memory? Note any gaps or drops.`,
        `2. query_logs with process ${quoted}, level ["error","warn"], since "1h": read the newest problems; follow nextCursor only if needed.`,
        `3. list_patterns with processes [${quoted}]: which templates dominate, which are new or rising?`,
        `4. analyze_buffer with processes [${quoted}], since "1h": findings with evidence seqs (check a few with query_logs).`,
        `5. Answer: what is wrong, since when, the evidence (quote seqs and timestamps), the likely root cause and the fix. ` +
          `Say what you could not see (gaps, truncated replies).`,
        `The resource ${processLogsUri(name)} holds the same process's recent lines.`,
        UNTRUSTED_NOTE,
      ].join('\n');
      return {
        description: `Diagnose ${name}`,
        messages: [{ role: 'user', content: { type: 'text', text } }],
      };
    },
  );
}
