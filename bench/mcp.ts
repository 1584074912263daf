// MCP face benchmark: latency of query_logs and status through the SDK's real Client and the
// InMemory transport, over a full LogBuffer, against an empty tool on the same server and run (the
// cost of the protocol itself), and against the same engine query called directly (the cost of the
// buffer). Run: node --import tsx --expose-gc bench/mcp.ts [--quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LogBuffer } from '../src/buffer/log-buffer.js';
import type { EngineStatus } from '../src/core/engine.js';
import type { Level, LogQuery, NewEntry, QueryResult } from '../src/core/types.js';
import { createServer } from '../src/server.js';
import { MemoryEngine, processInfo } from '../test/helpers/memory-engine.js';

const quick = process.argv.includes('--quick');
const CAPACITY = quick ? 20_000 : 100_000;
const CALLS = quick ? 300 : 2_000;
const PROCESSES = ['api', 'worker', 'billing', 'mailer', 'scheduler'];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function makeEntry(i: number): NewEntry {
  const r = (i * 2654435761) % 100;
  const level: Level = r < 80 ? 'info' : r < 90 ? 'warn' : 'error';
  const message =
    level === 'error'
      ? `connection to db-primary:5432 timed out after ${1000 + (i % 4000)} ms, retrying (${i % 5}/5)`
      : `GET /api/v1/users/${i % 9973}/orders?page=${i % 17} 200 ${i % 431}ms - ${(i * 7919) % 65536} bytes`;
  return {
    timestamp: 1_760_000_000_000 + i * 10,
    process: PROCESSES[i % PROCESSES.length],
    pmId: i % PROCESSES.length,
    stream: level === 'error' ? 'err' : 'out',
    level,
    message,
    raw: message,
  };
}

/** The test engine with the real ring buffer underneath its queries and buffer figures. */
class BufferEngine extends MemoryEngine {
  constructor(
    dir: string,
    private readonly buffer: LogBuffer,
  ) {
    super(dir);
  }
  override queryLogs(query: LogQuery): QueryResult {
    return this.buffer.query(query);
  }
  override async status(monitorId?: string): Promise<EngineStatus> {
    return { ...(await super.status(monitorId)), buffer: this.buffer.stats() };
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Timing {
  p50: number;
  p99: number;
  chars: number;
}

async function measure(run: () => unknown): Promise<Timing> {
  let chars = 0;
  for (let i = 0; i < Math.min(50, CALLS); i++) await run();
  gc();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = process.hrtime.bigint();
    const result = await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (i === 0) chars = JSON.stringify(result).length;
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), chars };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mcp-'));
  const buffer = await LogBuffer.open({ dir: join(dir, 'buffer'), maxEntries: CAPACITY, fsyncIntervalMs: 60_000 });
  try {
    for (let i = 0; i < CAPACITY * 1.2; i += 1_000) {
      buffer.append(Array.from({ length: 1_000 }, (_, k) => makeEntry(i + k)));
    }
    await buffer.flush();
    const engine = new BufferEngine(dir, buffer);
    engine.processes = PROCESSES.map((name, i) => processInfo(name, i));

    const handle = createServer({ engine, version: 'bench', log: () => undefined });
    handle.server.registerTool('noop', { description: 'does nothing' }, () => ({ content: [] }));
    const client = new Client({ name: 'bench', version: '1' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await handle.server.connect(b);
    await client.connect(a);

    const tool = (name: string, args: Record<string, unknown>) => () => client.callTool({ name, arguments: args });
    const direct = (query: LogQuery) => () => engine.queryLogs(query);
    const rows: Array<[string, Timing, Timing | undefined]> = [
      ['noop (baseline)', await measure(tool('noop', {})), undefined],
      ['query_logs limit 50', await measure(tool('query_logs', { limit: 50 })), await measure(direct({ order: 'desc', limit: 50 }))],
      ['query_logs limit 500', await measure(tool('query_logs', { limit: 500 })), await measure(direct({ order: 'desc', limit: 500 }))],
      [
        'query_logs error+search',
        await measure(tool('query_logs', { level: 'error', search: 'timed out', limit: 50 })),
        await measure(direct({ order: 'desc', levels: ['error'], search: 'timed out', limit: 50 })),
      ],
      ['status', await measure(tool('status', {})), undefined],
    ];
    const base = rows[0][1].p50;
    process.stdout.write(`MCP over InMemory, ${buffer.stats().entries} entries buffered, ${CALLS} calls each\n`);
    process.stdout.write(
      `${'call'.padEnd(26)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'x noop'.padStart(9)}${'engine p50'.padStart(12)}${'reply chars'.padStart(13)}\n`,
    );
    for (const [name, r, engineOnly] of rows) {
      process.stdout.write(
        `${name.padEnd(26)}${r.p50.toFixed(3).padStart(9)}${r.p99.toFixed(3).padStart(9)}${(r.p50 / base).toFixed(1).padStart(9)}` +
          `${(engineOnly ? engineOnly.p50.toFixed(3) : '-').padStart(12)}${String(r.chars).padStart(13)}\n`,
      );
    }
    await client.close();
    await handle.close();
  } finally {
    await buffer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
