// Typed errors the engine throws. Each carries a hint that says what to do next, so that both the
// CLI and the MCP tools can show it without knowing the cause.

export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}; ${hint}` : message);
  }
}

export class UnknownMonitorError extends EngineError {
  override name = 'UnknownMonitorError';
  constructor(id: string, known: string[]) {
    super(`no monitor with id '${id}'`, known.length ? `running: ${known.join(', ')}` : 'none is running: call start_monitor first');
  }
}

export class UnknownProcessError extends EngineError {
  override name = 'UnknownProcessError';
  constructor(names: string[], known: string[]) {
    super(
      `no process named ${names.map((n) => `'${n}'`).join(', ')}`,
      known.length ? `known: ${known.join(', ')}` : 'PM2 lists no process at all (pm2 ls)',
    );
  }
}

export class ReadOnlyError extends EngineError {
  override name = 'ReadOnlyError';
  constructor(what: string, holderPid?: number) {
    super(
      `cannot ${what}: this monitor attached read-only`,
      holderPid ? `the data directory belongs to pid ${holderPid}; stop it (pm2-log-monitor stop) or use its results` : undefined,
    );
  }
}
