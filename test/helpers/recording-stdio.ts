// A client transport over a spawned server's stdin/stdout that keeps every stdout line as it came,
// so a test can check that stdout carried MCP messages and nothing else.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export class RecordingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Every line the server wrote to stdout, verbatim. */
  readonly stdoutLines: string[] = [];
  /** Bytes after the last newline when the server exited: a partial write. */
  trailing = '';
  stderr = '';
  private child?: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  private markExited!: (code: number | null) => void;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
  }

  async start(): Promise<void> {
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const text = this.trailing + chunk.toString('utf8');
      const lines = text.split('\n');
      this.trailing = lines.pop() ?? '';
      for (const line of lines) {
        this.stdoutLines.push(line);
        const parsed = JSONRPCMessageSchema.safeParse(safeJson(line));
        if (parsed.success) this.onmessage?.(parsed.data);
        else this.onerror?.(new Error(`stdout line is not an MCP message: ${line.slice(0, 200)}`));
      }
    });
    child.on('exit', (code) => {
      this.markExited(code);
      this.onclose?.();
    });
    child.on('error', (error) => this.onerror?.(error));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child?.stdin.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.child?.stdin.end();
    const timer = setTimeout(() => this.child?.kill('SIGTERM'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
