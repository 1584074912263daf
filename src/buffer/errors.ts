// Typed errors of the buffer: callers (tools, CLI) turn them into messages with a recovery hint, so
// each one carries the facts that hint needs (pid, path, code) rather than only a sentence.

/** Another live process holds the data directory. */
export class BufferLockedError extends Error {
  override readonly name = 'BufferLockedError';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${dir} is locked by process ${pid}, which is still running; ` +
        'stop that process, use another data directory, or open the buffer with readOnly: true',
    );
  }
}

/** A segment written by a format this build does not read. Refused rather than guessed at. */
export class BufferFormatError extends Error {
  override readonly name = 'BufferFormatError';
  constructor(
    readonly path: string,
    readonly version: number,
    readonly supported: number,
  ) {
    super(
      `segment ${path} has format version ${version}, but this build reads version ${supported} only; ` +
        'upgrade pm2-log-monitor or point it at another data directory',
    );
  }
}

/** Writing to disk failed (disk full, I/O error). What was stored before stays readable. */
export class BufferWriteError extends Error {
  override readonly name = 'BufferWriteError';
  constructor(
    readonly path: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(
      `cannot write the log buffer at ${path} (${code}): ${cause instanceof Error ? cause.message : String(cause)}; ` +
        (code === 'ENOSPC' ? 'free some disk space or lower maxBytes' : 'check the disk and the folder permissions'),
      { cause },
    );
  }
}

/** A query the buffer cannot run: a bad regex, cursor or limit. The message says which field. */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
  constructor(
    readonly field: 'search' | 'cursor' | 'limit' | 'pattern',
    message: string,
  ) {
    super(message);
  }
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}
