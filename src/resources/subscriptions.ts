// resources/subscribe for this server's addresses, fed by engine events and throttled per address:
// an error storm must not become a notification storm.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { EngineEvent } from '../core/engine.js';
import type { ToolDeps } from '../tools/context.js';
import {
  LATEST_REPORT_URI,
  PATTERNS_URI,
  PROCESSES_URI,
  RECENT_LOGS_URI,
  REPORT_HISTORY_URI,
  STATIC_URIS,
  processLogsUri,
  processOfUri,
} from './uris.js';

/** At most one notifications/resources/updated per address in this interval. */
const DEFAULT_UPDATE_INTERVAL_MS = 2_000;

/** Addresses whose content an event changes. */
function urisForEvent(event: EngineEvent): string[] {
  const perProcess = event.process !== undefined ? [processLogsUri(event.process)] : [];
  switch (event.kind) {
    case 'report':
      return [LATEST_REPORT_URI, REPORT_HISTORY_URI];
    case 'new_pattern':
      return [PATTERNS_URI];
    case 'error':
      return [RECENT_LOGS_URI, ...perProcess];
    case 'crash':
    case 'restart':
      return [RECENT_LOGS_URI, PROCESSES_URI, ...perProcess];
  }
}

/**
 * Declares the subscribe capability and answers (un)subscribe requests. Call before connect.
 * Returns the function that detaches from the engine and cancels pending notifications.
 */
export function enableSubscriptions(server: McpServer, deps: ToolDeps, intervalMs = DEFAULT_UPDATE_INTERVAL_MS): () => void {
  const subscribed = new Set<string>();
  const lastSent = new Map<string, number>();
  const pending = new Map<string, NodeJS.Timeout>();

  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    const { uri } = request.params;
    if (!STATIC_URIS.includes(uri) && processOfUri(uri) === undefined) {
      throw new McpError(ErrorCode.InvalidParams, `cannot subscribe to '${uri}'; try ${STATIC_URIS.join(', ')} or pm2-logs://process/{name}`);
    }
    subscribed.add(uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const send = (uri: string) => {
    pending.delete(uri);
    lastSent.set(uri, Date.now());
    if (!server.isConnected() || !subscribed.has(uri)) return;
    server.server.sendResourceUpdated({ uri }).catch((error: unknown) => {
      deps.diagnose('warn', `resource update for ${uri} not sent: ${(error as Error).message}`);
    });
  };

  const schedule = (uri: string) => {
    if (!subscribed.has(uri) || pending.has(uri)) return;
    const wait = (lastSent.get(uri) ?? -Infinity) + intervalMs - Date.now();
    if (wait <= 0) send(uri);
    // Trailing edge: changes inside the interval are announced once when it ends, never lost.
    else pending.set(uri, setTimeout(() => send(uri), wait));
  };

  const unsubscribe = deps.engine.subscribe((event) => {
    for (const uri of urisForEvent(event)) schedule(uri);
  });

  return () => {
    unsubscribe();
    for (const timer of pending.values()) clearTimeout(timer);
    pending.clear();
    subscribed.clear();
  };
}
