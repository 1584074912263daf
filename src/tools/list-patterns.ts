import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { PatternSummary } from '../core/types.js';
import { cutText, lineLimit, trimToBudget } from './budget.js';
import { UNTRUSTED_NOTE, type ToolDeps } from './context.js';
import { parseOptionalTime, processList, sinceField } from './fields.js';
import { dataResult, guarded } from './results.js';

const outputSchema = {
  note: z.string(),
  patterns: z
    .array(z.record(z.string(), z.unknown()))
    .describe('Templates with <*> wildcards: id, count, first/last seen (ms), processes, levels, examples, trend'),
  returned: z.number(),
  total: z.number().describe('Patterns the engine knows'),
  truncated: z.boolean().describe('True when the budget or the limit left patterns out; raise limit or narrow the filter'),
};

/** Redacts and cuts every text a pattern carries; perMinute is dropped past the last 60 minutes. */
export function presentPattern(p: PatternSummary, redact: (s: string) => string, maxLine: number): PatternSummary {
  return {
    ...p,
    template: cutText(redact(p.template), maxLine),
    examples: p.examples.slice(0, 3).map((e) => cutText(redact(e), maxLine)),
    wildcards: p.wildcards.map((w) => ({
      position: w.position,
      values: w.values.slice(0, 5).map((v) => ({ value: cutText(redact(v.value), 200), count: v.count })),
    })),
    perMinute: p.perMinute.slice(-60),
  };
}

/**
 * Patterns as a reply shows them, trimmed from the end until they fit `budgetChars` together with
 * the reply's other fields `around` (counted in the size, not returned).
 */
export function fitPatterns(
  patterns: readonly PatternSummary[],
  deps: Pick<ToolDeps, 'redact' | 'replyBudgetChars'>,
  budgetChars: number,
  around: object = {},
): PatternSummary[] {
  const maxLine = lineLimit(deps.replyBudgetChars);
  const shown = patterns.map((p) => presentPattern(p, deps.redact, maxLine));
  return trimToBudget({ ...around, patterns: shown }, ['patterns'], budgetChars).value.patterns;
}

export function registerListPatternsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'list_patterns',
    {
      title: 'List log patterns',
      description:
        'Log templates mined from the buffer (variable parts shown as <*>), most frequent first, with counts, ' +
        'processes, levels, examples and trend. Use a pattern id with query_logs to see its lines.',
      inputSchema: {
        limit: z.number().int().min(1).max(200).optional().describe('Most patterns to return (default 20)'),
        processes: processList.optional().describe('Only patterns seen in these PM2 apps'),
        since: sinceField.optional(),
      },
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(() => {
        const since = parseOptionalTime(args.since, deps.now());
        const limit = args.limit ?? 20;
        const { patterns, total } = deps.engine.listPatterns({ limit, processes: args.processes, since });
        const shown = fitPatterns(patterns, deps, deps.replyBudgetChars - 1_000);
        return dataResult({
          note: UNTRUSTED_NOTE,
          patterns: shown,
          returned: shown.length,
          total,
          truncated: shown.length < patterns.length || (patterns.length === limit && total > limit),
        });
      }),
  );
}
