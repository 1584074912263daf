#!/usr/bin/env node
// The CLI: `pm2-log-monitor <command>`. The only module that prints to stdout (with `patterns`).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runPatternsCommand } from './cli/patterns.js';
import { backgroundPaths, removePidFile, runningPid, spawnBackground, stopProcess, writePidFile } from './cli/background.js';
import { formatBytes, formatDuration, formatTime, table } from './cli/format.js';
import { ConfigError, loadConfig, splitList, type Config } from './config.js';
import { EngineError } from './core/errors.js';
import { parseOptionalTime, TimeSpecError } from './core/time-spec.js';
import type { Level } from './core/types.js';
import { createMonitor, type LogFn, type Monitor } from './monitor.js';

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

const HELP = `pm2-log-monitor ${VERSION}: watch PM2 logs, find what goes wrong, write markdown reports

Usage: pm2-log-monitor <command> [options]

Commands:
  start             start the background monitor (survives the terminal closing)
  stop              stop the background monitor
  status            PM2 daemon, processes, buffer, background monitor
  report            analyse and write a markdown report (default docs/report.md)
  logs              print stored log entries (newest last)
  patterns [FILE…]  mine log templates from files or stdin (any log format)
  mcp               run the MCP server on stdio (--http for Streamable HTTP)
  run               run the monitor in the foreground (what \`start\` runs)

Common options:
  --pm2-home DIR       PM2 home to watch (default: $PM2_HOME or ~/.pm2)
  --data-dir DIR       where the buffer and state live (default: <pm2 home>/log-monitor)
  --config FILE        JSON config file (default: ./pm2-log-monitor.config.json when present)
  --processes a,b      only these PM2 apps
  -h, --help           this help;  -v, --version   the version

report:  --output FILE  --since 1h|ISO  --until …  --template FILE  --no-llm
logs:    --lines N  --level error,warn  --search TEXT  --regex  --since …
mcp:     --http  --host 127.0.0.1  --port 8765  (--token or $PM2_LOG_MONITOR_MCP_TOKEN beyond loopback)
status:  --json
Run 'pm2-log-monitor patterns --help' for the pattern miner's options.`;

const OPTIONS = {
  'pm2-home': { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  processes: { type: 'string' },
  output: { type: 'string', short: 'o' },
  since: { type: 'string' },
  until: { type: 'string' },
  template: { type: 'string' },
  'no-llm': { type: 'boolean' },
  lines: { type: 'string', short: 'n' },
  level: { type: 'string' },
  search: { type: 'string' },
  regex: { type: 'boolean' },
  json: { type: 'boolean' },
  http: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  'no-daemon': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

const stderrLog: LogFn = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
};

function configFrom(flags: Flags): Config {
  const overrides: Record<string, unknown> = {};
  if (flags['pm2-home']) overrides.pm2Home = flags['pm2-home'];
  if (flags['data-dir']) overrides.dataDir = flags['data-dir'];
  if (flags.processes) overrides.capture = { processes: splitList(flags.processes) };
  if (flags['no-llm']) overrides.llm = { mode: 'none' };
  if (flags.host || flags.port || flags.token) {
    overrides.mcp = { host: flags.host, port: flags.port === undefined ? undefined : intFlag('port', flags.port), token: flags.token };
  }
  return loadConfig({ file: flags.config, flags: overrides });
}

function intFlag(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(value)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'patterns') return runPatternsCommand(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  const { values: flags, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  if (flags.version || command === '--version' || command === '-v') return print(VERSION);
  if (!command || flags.help || command === '--help' || command === '-h' || command === 'help') return print(HELP);
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const config = configFrom(flags);
  switch (command) {
    case 'start':
      return flags['no-daemon'] ? runForeground(config) : startBackground(config, rest);
    case 'run':
      return runForeground(config);
    case 'stop':
      return stopBackground(config);
    case 'status':
      return status(config, flags.json ?? false);
    case 'report':
      return report(config, flags);
    case 'logs':
      return logs(config, flags);
    case 'mcp':
      return mcp(config, flags.http ?? false);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

async function startBackground(config: Config, args: string[]): Promise<number> {
  const dataDir = config.dataDir!;
  const running = await runningPid(dataDir);
  if (running) return print(`pm2-log-monitor is already running (pid ${running}); 'pm2-log-monitor stop' stops it`);
  const pid = await spawnBackground(fileURLToPath(import.meta.url), args, dataDir, process.env);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await runningPid(dataDir)) === pid) {
      return print(`pm2-log-monitor started (pid ${pid})\n  PM2 home: ${config.pm2Home}\n  data:     ${dataDir}\n  reports:  ${config.report.root}/${config.report.output}\n  log:      ${backgroundPaths(dataDir).logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write(`the background monitor did not come up; see ${backgroundPaths(dataDir).logFile}\n`);
  return 1;
}

async function stopBackground(config: Config): Promise<number> {
  const pid = await runningPid(config.dataDir!);
  if (!pid) return print('pm2-log-monitor is not running');
  const how = await stopProcess(pid);
  return print(how === 'stopped' ? `pm2-log-monitor stopped (pid ${pid})` : `pm2-log-monitor did not stop in time and was killed (pid ${pid})`);
}

/** The monitor itself, until SIGINT/SIGTERM. */
async function runForeground(config: Config): Promise<number> {
  const monitor = await createMonitor(config, { log: stderrLog });
  if (monitor.readOnly) {
    await monitor.close();
    throw new EngineError(`another monitor already writes to ${config.dataDir}`, "'pm2-log-monitor status' shows it; 'pm2-log-monitor stop' stops it");
  }
  await writePidFile(config.dataDir!, process.pid);
  const view = await monitor.startMonitor({ processes: config.capture.processes.length ? config.capture.processes : undefined }, { persistAs: 'background' });
  stderrLog('info', `monitoring ${view.spec.processes?.join(', ') ?? 'all processes'} at PM2_HOME=${config.pm2Home} (monitor ${view.id})`);
  const scheduled = config.report.schedule ? await scheduleReports(monitor, config) : undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  scheduled?.stop();
  stderrLog('info', 'stopping');
  await monitor.close();
  await removePidFile(config.dataDir!, process.pid);
  return 0;
}

async function scheduleReports(monitor: Monitor, config: Config) {
  const { scheduleReports: schedule } = await import('./report/report-schedule.js');
  return schedule(
    config.report.schedule!,
    async () => {
      const record = await monitor.writeReport();
      stderrLog('info', `scheduled report written to ${record.path}`);
    },
    { timezone: config.report.timeZone },
  );
}

/** Opens the engine over the data directory: read-only when the background monitor holds it. */
async function withMonitor<T>(config: Config, work: (monitor: Monitor) => Promise<T>, readOnly = false): Promise<T> {
  const monitor = await createMonitor(config, { log: stderrLog, readOnly });
  try {
    return await work(monitor);
  } finally {
    await monitor.close();
  }
}

async function status(config: Config, json: boolean): Promise<number> {
  const background = await runningPid(config.dataDir!);
  const { state, latest } = await withMonitor(config, async (m) => ({ state: await m.status(), latest: await m.latestReport() }), true);
  if (json) return print(JSON.stringify({ background: background ? { pid: background } : null, ...state, latestReport: latest?.record ?? null }, null, 2));
  const b = state.buffer;
  const lines = [
    `PM2 daemon:  ${state.daemon.alive ? 'online' : 'not running'} (PM2_HOME=${state.daemon.pm2Home})`,
    `monitor:     ${background ? `running in the background (pid ${background})` : "not running ('pm2-log-monitor start' starts it)"}`,
    `buffer:      ${b.entries} entries, ${formatBytes(b.bytesOnDisk)} on disk in ${state.dataDir}` +
      (b.oldestTimestamp ? `, ${formatTime(b.oldestTimestamp)} .. ${formatTime(b.newestTimestamp)}` : ''),
    `drops:       ${b.drops.evicted} evicted, ${b.drops.rejected} rejected, ${b.drops.corrupt} corrupt`,
    `last report: ${latest ? `${latest.record.path} at ${formatTime(latest.record.generatedAt)}` : 'none yet'}`,
  ];
  if (state.processes.length) {
    lines.push(
      table(
        ['id', 'name', 'mode', 'pid', 'status', '↺', 'uptime', 'cpu', 'mem'],
        state.processes.map((p) => [p.pmId, p.name, p.execMode, p.pid ?? '-', p.status, p.restarts, p.uptimeSince ? formatDuration(Date.now() - p.uptimeSince) : '-', `${p.cpu}%`, formatBytes(p.memory)]),
      ),
    );
  }
  if (state.gaps.length) lines.push(`coverage gaps: ${state.gaps.length}, latest: ${state.gaps[state.gaps.length - 1].detail}`);
  return print(lines.join('\n'));
}

async function report(config: Config, flags: Flags): Promise<number> {
  const options = {
    output: flags.output,
    template: flags.template,
    since: parseOptionalTime(flags.since, Date.now()),
    until: parseOptionalTime(flags.until, Date.now()),
    useLlm: flags['no-llm'] ? false : ('auto' as const),
  };
  const background = await runningPid(config.dataDir!);
  const record = await withMonitor(config, async (monitor) => {
    // Without a background monitor, catch up on what PM2 wrote to its log files first.
    if (!background && !monitor.readOnly) await monitor.catchUp();
    const { daemon } = await monitor.status();
    if (!daemon.alive) {
      process.stderr.write(`pm2-log-monitor: no PM2 daemon is running at PM2_HOME=${config.pm2Home}; the report covers only what the buffer already holds (set PM2_HOME or --pm2-home if your apps run elsewhere)\n`);
    }
    return monitor.writeReport(options);
  });
  const s = record.summary;
  return print(`report written to ${record.path}\n  ${s.entries} entries, error rate ${(s.errorRate * 100).toFixed(2)}%, ${s.critical} critical, ${s.warnings} warnings (${s.mode})`);
}

async function logs(config: Config, flags: Flags): Promise<number> {
  const result = await withMonitor(
    config,
    async (monitor) =>
      monitor.queryLogs({
        processes: config.capture.processes.length ? config.capture.processes : undefined,
        levels: flags.level ? (splitList(flags.level) as Level[]) : undefined,
        search: flags.search,
        regex: flags.regex,
        since: parseOptionalTime(flags.since, Date.now()),
        until: parseOptionalTime(flags.until, Date.now()),
        order: 'desc',
        limit: flags.lines ? intFlag('lines', flags.lines) : 50,
      }),
    true,
  );
  for (const entry of result.entries.reverse()) {
    process.stdout.write(`${formatTime(entry.timestamp)} ${entry.process}|${entry.pmId} ${entry.level.toUpperCase().padEnd(5)} ${entry.message}\n`);
  }
  process.stderr.write(`${result.entries.length} of ${result.matched} matching entries (${result.total} stored)\n`);
  return 0;
}

async function mcp(config: Config, http: boolean): Promise<number> {
  const { runHttp, runStdio } = await import('./server.js');
  const monitor = await createMonitor(config, { log: stderrLog });
  const deps = { engine: monitor, version: VERSION, replyBudgetChars: config.mcp.replyBudgetTokens * 4, redact: monitor.redactor.redact, log: stderrLog };
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (http) {
    const server = await runHttp(deps, { host: config.mcp.host, port: config.mcp.port, token: config.mcp.token });
    stderrLog('info', `MCP server listening on ${server.url}`);
    await stopSignal;
    await server.close();
  } else {
    const server = await runStdio(deps);
    await Promise.race([stopSignal, server.closed]);
    await server.close();
  }
  await monitor.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof EngineError || error instanceof TimeSpecError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pm2-log-monitor: ${message}\n`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write("run 'pm2-log-monitor --help' for usage\n");
    else if (!known && error instanceof Error && process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  },
);
