// Log entries as a text resource: an untrusted-data preface, then one line per entry, oldest first,
// as many of the newest entries as the reply budget holds, and a closing line on what was left out.
import type { LogQuery } from '../core/types.js';
import { lineLimit } from '../tools/budget.js';
import { UNTRUSTED_NOTE, type ToolDeps } from '../tools/context.js';
import { entryLine, presentEntry } from '../tools/entries.js';

/** Entries a resource read asks the engine for; the budget usually stops earlier. */
const RESOURCE_ENTRIES = 500;

export function logsText(deps: ToolDeps, filter: Omit<LogQuery, 'limit' | 'order'>): string {
  const result = deps.engine.queryLogs({ ...filter, order: 'desc', limit: RESOURCE_ENTRIES });
  const maxLine = lineLimit(deps.replyBudgetChars);
  const lines: string[] = [];
  let used = UNTRUSTED_NOTE.length + 200;
  for (const entry of result.entries) {
    const line = entryLine(presentEntry(entry, deps.redact, maxLine));
    if (used + line.length + 1 > deps.replyBudgetChars) break;
    used += line.length + 1;
    lines.push(line);
  }
  lines.reverse();
  const footer =
    lines.length < result.matched
      ? `# ${lines.length} newest of ${result.matched} matching entries (${result.total} buffered); query_logs pages through the rest`
      : `# ${lines.length} entries (${result.total} buffered)`;
  return [`# ${UNTRUSTED_NOTE}`, ...lines, footer].join('\n');
}
