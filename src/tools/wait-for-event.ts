import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { EngineEventKind } from '../core/engine.js';
import { cutText, lineLimit } from './budget.js';
import { UNTRUSTED_NOTE, type ToolDeps } from './context.js';
import { progressFor } from './progress.js';
import { dataResult, guarded } from './results.js';

const KINDS = ['error', 'crash', 'restart', 'new_pattern', 'report'] as const satisfies readonly EngineEventKind[];
/** Progress while waiting keeps clients that reset their timeout on progress from giving up. */
const HEARTBEAT_MS = 10_000;

const outputSchema = {
  note: z.string(),
  timedOut: z.boolean().describe('True when nothing happened within the timeout'),
  event: z
    .object({
      kind: z.enum(KINDS),
      at: z.string(),
      process: z.string().optional(),
      summary: z.string(),
      seq: z.number().optional().describe('Buffer seq of the line, for query_logs'),
      patternId: z.string().optional(),
      reportPath: z.string().optional(),
    })
    .optional(),
};

export function registerWaitForEventTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'wait_for_event',
    {
      title: 'Wait for an event',
      description:
        'Long-poll: returns as soon as one of the given kinds happens (an error line, a crash, a restart, a new error ' +
        'pattern, a report written), or after the timeout with timedOut true. Call again to keep watching.',
      inputSchema: {
        kinds: z.array(z.enum(KINDS)).min(1).max(KINDS.length).optional().describe('Events to wait for; all kinds when absent'),
        timeout: z
          .number()
          .int()
          .min(1)
          .max(60)
          .optional()
          .describe('Seconds to wait, 1 to 60 (default 25); keep it below your client\'s request timeout'),
      },
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args, extra) =>
      guarded(async () => {
        const timeoutMs = (args.timeout ?? 25) * 1_000;
        const progress = progressFor(extra);
        const started = deps.now();
        const heartbeat = setInterval(() => {
          const waited = deps.now() - started;
          progress(waited, timeoutMs, `waiting ${Math.round(waited / 1_000)} s`);
        }, HEARTBEAT_MS);
        try {
          const event = await deps.engine.waitForEvent([...(args.kinds ?? KINDS)], timeoutMs, extra.signal);
          if (!event) return dataResult({ note: UNTRUSTED_NOTE, timedOut: true });
          const maxLine = lineLimit(deps.replyBudgetChars);
          return dataResult({
            note: UNTRUSTED_NOTE,
            timedOut: false,
            event: {
              kind: event.kind,
              at: new Date(event.at).toISOString(),
              ...(event.process !== undefined ? { process: event.process } : {}),
              summary: cutText(deps.redact(event.summary), maxLine),
              ...(event.seq !== undefined ? { seq: event.seq } : {}),
              ...(event.patternId !== undefined ? { patternId: event.patternId } : {}),
              ...(event.reportPath !== undefined ? { reportPath: event.reportPath } : {}),
            },
          });
        } finally {
          clearInterval(heartbeat);
        }
      }),
  );
}
