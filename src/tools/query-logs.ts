import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fitPrefix, lineLimit } from './budget.js';
import { knownList, UNTRUSTED_NOTE, unknownProcess, type ToolDeps } from './context.js';
import { entryViewSchema, presentEntry } from './entries.js';
import { asList, checkRegex, levelSchema, oneOrMany, parseTimeRange, processName, sinceField, streamSchema, untilField } from './fields.js';
import { decodeCursor, encodeCursor, pageQuery, type CursorFilter } from './log-cursor.js';
import { dataResult, guarded, ToolInputError } from './results.js';

const inputSchema = {
  process: oneOrMany(processName, 100).optional().describe('PM2 app name, or a list of names'),
  level: oneOrMany(levelSchema, 4).optional().describe('Level or list of levels: error, warn, info, debug'),
  stream: oneOrMany(streamSchema, 3).optional().describe('out, err (the process pipes) or pm2 (daemon messages)'),
  since: sinceField.optional(),
  until: untilField.optional(),
  search: z.string().min(1).max(500).optional().describe('Case-insensitive text to find in the message, or a regex when regex is true'),
  regex: z.boolean().optional().describe('Treat search as a JavaScript regular expression'),
  patternId: z.string().min(1).max(200).optional().describe('Only lines of this pattern (see list_patterns)'),
  order: z.enum(['asc', 'desc']).optional().describe('desc (default): newest first; asc: oldest first'),
  limit: z.number().int().min(1).max(500).optional().describe('Most entries to return (default 50); fewer when the reply budget is reached'),
  cursor: z
    .string()
    .min(1)
    .max(8_000)
    .optional()
    .describe('nextCursor of a previous reply: continues that query (its filters are kept; the other fields here are ignored)'),
};

const outputSchema = {
  note: z.string(),
  entries: z.array(entryViewSchema),
  returned: z.number().describe('Entries in this reply'),
  matched: z.number().describe('Entries matching the filter from this page on (on the first page: all matches)'),
  total: z.number().describe('Entries in the buffer'),
  truncated: z.boolean().describe('True when more matches exist than this reply carries'),
  nextCursor: z.string().optional().describe('Pass as cursor to get the next page'),
  cutForBudget: z.number().optional().describe('Entries within limit left out to keep the reply within its size budget'),
};

export function registerQueryLogsTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    'query_logs',
    {
      title: 'Query logs',
      description:
        'Search the monitor\'s log buffer by process, level, stream, time window, text or regex, and pattern. ' +
        'Newest first by default. Replies are bounded: follow nextCursor for more.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        let filter: CursorFilter;
        let after: number | undefined;
        if (args.cursor !== undefined) {
          ({ filter, after } = decodeCursor(args.cursor));
        } else {
          if (args.regex && args.search !== undefined) {
            const problem = checkRegex(args.search, 'search');
            if (problem) throw new ToolInputError(problem, 'escape special characters, or set regex to false for plain text');
          }
          filter = {
            processes: asList(args.process),
            levels: asList(args.level),
            streams: asList(args.stream),
            ...parseTimeRange(args, deps.now()),
            search: args.search,
            regex: args.regex,
            patternId: args.patternId,
            order: args.order ?? 'desc',
          };
        }
        const limit = args.limit ?? 50;
        const result = deps.engine.queryLogs(pageQuery(filter, limit, after));
        if (result.matched === 0 && after === undefined && filter.processes) {
          await rejectUnknownProcesses(deps, filter.processes);
        }
        const maxLine = lineLimit(deps.replyBudgetChars);
        const views = result.entries.map((entry) => presentEntry(entry, deps.redact, maxLine));
        const { kept, omitted } = fitPrefix(views, deps.replyBudgetChars - 1_000);
        const last = kept[kept.length - 1];
        const truncated = result.matched > kept.length;
        return dataResult({
          note: UNTRUSTED_NOTE,
          entries: kept,
          returned: kept.length,
          matched: result.matched,
          total: result.total,
          truncated,
          ...(truncated && last ? { nextCursor: encodeCursor(filter, last.seq) } : {}),
          ...(omitted > 0 ? { cutForBudget: omitted } : {}),
        });
      }),
  );
}

async function rejectUnknownProcesses(deps: ToolDeps, names: string[]): Promise<void> {
  const unknown = await unknownProcess(deps.engine, names);
  if (unknown) throw new ToolInputError(`no process named '${unknown.name}'`, `${knownList(unknown.known)}; call list_processes to see them`);
}
