// Stand-in for `pm2-log-monitor mcp [--http --host H --port P]` over the MemoryEngine, so that the
// CI's Inspector and conformance commands can be tried without a built CLI or a PM2 daemon.
// Run: node --import tsx test/helpers/mcp-fixture-server.ts [--http] [--port 0]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runHttp, runStdio, type ServerDeps } from '../../src/server.js';
import { entry, MemoryEngine, processInfo } from './memory-engine.js';

const { values } = parseArgs({
  options: { http: { type: 'boolean' }, host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' } },
});
const dir = mkdtempSync(join(tmpdir(), 'mcp-fixture-'));
const engine = new MemoryEngine(dir);
engine.processes = [processInfo('api', 0), processInfo('worker', 1)];
engine.append([entry({ message: 'listening on 3000' }), entry({ message: 'db timeout after 3000 ms', level: 'error' })]);
const log = (level: string, message: string) => process.stderr.write(`fixture ${level}: ${message}\n`);
const deps: ServerDeps = { engine, version: '0.0.0-fixture', log };

const stop = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
if (values.http) {
  const server = await runHttp(deps, { host: values.host, port: Number(values.port ?? 0), token: values.token });
  log('info', `MCP server listening on ${server.url}`);
  await stop;
  await server.close();
} else {
  const server = await runStdio(deps);
  await Promise.race([stop, server.closed]);
  await server.close();
}
rmSync(dir, { recursive: true, force: true });
