import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { UNTRUSTED_NOTE, type ToolDeps } from '../tools/context.js';
import { fitPatterns } from '../tools/list-patterns.js';
import { PATTERNS_URI } from './uris.js';

const RESOURCE_PATTERNS = 100;

export function registerPatternsResource(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    'patterns',
    PATTERNS_URI,
    {
      title: 'Log patterns',
      description: 'Mined log templates, most frequent first, as JSON. Subscribe to hear of new error patterns.',
      mimeType: 'application/json',
    },
    (uri) => {
      const { patterns, total } = deps.engine.listPatterns({ limit: RESOURCE_PATTERNS });
      const shown = fitPatterns(patterns, deps, deps.replyBudgetChars, { note: UNTRUSTED_NOTE, total });
      const body = { note: UNTRUSTED_NOTE, total, patterns: shown, returned: shown.length, truncated: shown.length < total };
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body) }] };
    },
  );
}
