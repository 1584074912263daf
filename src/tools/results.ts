// The shapes of tool replies: data as structuredContent with the same JSON as text (for clients that
// read only text), and errors as isError results that end with a hint the model can act on.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export function dataResult<T extends object>(structured: T): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(structured) }],
    structuredContent: structured as Record<string, unknown>,
  };
}

/** A problem the agent can fix: `hint` says how. */
export class ToolInputError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ToolInputError';
  }
}

function errorResult(message: string, hint?: string): CallToolResult {
  return {
    content: [{ type: 'text', text: hint ? `${message}\nHint: ${hint}` : message }],
    isError: true,
  };
}

function hintOf(error: Error): string | undefined {
  const hint = (error as { hint?: unknown }).hint;
  return typeof hint === 'string' ? hint : undefined;
}

/** Turns anything a handler throws into an isError result, keeping the engine's own hint if it has one. */
function errorFromException(error: unknown): CallToolResult {
  if (error instanceof Error) {
    const hint = hintOf(error);
    // EngineError already folds its hint into the message.
    return errorResult(error.message, hint !== undefined && !error.message.includes(hint) ? hint : undefined);
  }
  return errorResult(String(error));
}

/** Runs a handler and converts what it throws, so that every tool fails the same way. */
export async function guarded(run: () => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    return errorFromException(error);
  }
}
