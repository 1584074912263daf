// What a log tailer reports besides bytes: a gap for what it could not deliver, an error for a
// condition it keeps retrying. Both name the log's path: a monitor follows many files at once.

/**
 * Bytes the tailer could not deliver. `truncated`: cut in place with no readable copy; `replaced`: the
 * checkpoint's file is gone; `rotated`: recovered from a rotated copy, but what PM2 wrote between its
 * copy and its truncation is unseen. `lostBytes`: the loss when known (a lower bound).
 */
export interface TailGap {
  path: string;
  kind: 'truncated' | 'replaced' | 'rotated';
  lostBytes?: number;
  detail: string;
}

/** Reported through onError; `code` is the errno code, or ENOTREG / ECONSUMER. */
export class LogTailerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LogTailerError';
  }
}

/** Any failure as a LogTailerError whose message says what failed at `path` and that it is retried. */
export function toTailerError(error: unknown, path: string, retry: string): LogTailerError {
  if (error instanceof LogTailerError) return error;
  const code = codeOf(error) ?? 'EUNKNOWN';
  const message =
    code === 'EACCES' || code === 'EPERM'
      ? `cannot read ${path}: permission denied (${code}); ${retry}`
      : `cannot read ${path}: ${messageOf(error)}; ${retry}`;
  return new LogTailerError(message, code, path, { cause: error });
}

export function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
