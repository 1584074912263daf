// MCP progress notifications for long tool calls, sent only when the caller asked for them.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export type ProgressFn = (done: number, total: number | undefined, message: string) => void;

/**
 * A progress callback for this request, or a no-op without a progressToken. Progress must increase
 * with every notification (spec), so repeated or backward steps are dropped, not sent.
 */
export function progressFor(extra: ToolExtra): ProgressFn {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => undefined;
  let last = -Infinity;
  return (done, total, message) => {
    if (!(done > last)) return;
    last = done;
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: done, ...(total !== undefined ? { total } : {}), message },
      })
      .catch(() => undefined);
  };
}
