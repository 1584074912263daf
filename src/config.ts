// One schema for every setting. Sources are merged in this order, later ones winning:
// embedded defaults < config file < environment < command-line flags.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const level = z.enum(['error', 'warn', 'info', 'debug']);

export const configSchema = z
  .object({
    /** The PM2 home to watch; PM2's own default when PM2_HOME is unset. */
    pm2Home: z.string().min(1),
    /** Buffer segments, checkpoints, miner and trigger state, report history. Default: <pm2Home>/log-monitor. */
    dataDir: z.string().min(1).optional(),
    capture: z
      .object({
        processes: z.array(z.string().min(1)).max(200).default([]),
        namespaces: z.array(z.string().min(1)).max(200).default([]),
        sampleIntervalMs: z.number().int().min(500).max(3_600_000).default(5_000),
        maxLineBytes: z.number().int().min(1_024).max(16 * 1024 * 1024).default(64 * 1024),
      })
      .prefault({}),
    buffer: z
      .object({
        maxEntries: z.number().int().min(100).max(10_000_000).default(100_000),
        maxBytes: z.number().int().min(1024 * 1024).max(64 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
        fsyncIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
        // 'block' keeps accepting in memory but stops advancing durability, so log file checkpoints hold
        // and nothing is lost once space returns; 'drop-newest' rejects and counts new entries.
        onDiskFull: z.enum(['drop-newest', 'block']).default('block'),
      })
      .prefault({}),
    triggers: z
      .object({
        flushIntervalMs: z.number().int().min(1_000).max(86_400_000).default(300_000),
        sizeThreshold: z.number().int().min(1).max(10_000_000).default(1_000),
        patterns: z.array(z.string().min(1).max(1_000)).max(100).default([]),
        burst: z
          .object({ errors: z.number().int().min(1).default(20), windowMs: z.number().int().min(100).default(10_000) })
          .prefault({}),
        crashLoop: z
          .object({ restarts: z.number().int().min(1).default(3), windowMs: z.number().int().min(1_000).default(60_000) })
          .prefault({}),
        debounceMs: z.number().int().min(0).max(600_000).default(2_000),
        cooldownMs: z.number().int().min(0).max(86_400_000).default(60_000),
        /** Write a report each time a trigger fires (analysis always runs). */
        report: z.boolean().default(true),
      })
      .prefault({}),
    report: z
      .object({
        /** Reports may only be written under this folder. Default: the current directory. */
        root: z.string().min(1).optional(),
        output: z.string().min(1).default('docs/report.md'),
        template: z.string().min(1).optional(),
        includeMetrics: z.boolean().default(true),
        includeRecommendations: z.boolean().default(true),
        historyMax: z.number().int().min(1).max(10_000).default(50),
        /** A cron expression for scheduled reports, e.g. "0 * * * *". */
        schedule: z.string().min(1).optional(),
        timeZone: z.string().min(1).default('UTC'),
      })
      .prefault({}),
    llm: z
      .object({
        mode: z.enum(['auto', 'openai', 'sampling', 'none']).default('auto'),
        baseUrl: z.string().url().optional(),
        model: z.string().min(1).default('gpt-4o-mini'),
        /** Read from the environment (OPENAI_API_KEY or PM2_LOG_MONITOR_LLM_API_KEY), never from a file. */
        apiKey: z.string().min(1).optional(),
        timeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
        maxCallsPerHour: z.number().int().min(0).max(10_000).default(20),
        contextTokens: z.number().int().min(500).max(200_000).default(6_000),
        maxOutputTokens: z.number().int().min(100).max(32_000).default(1_500),
      })
      .prefault({}),
    redaction: z
      .object({
        extraPatterns: z.array(z.string().min(1).max(1_000)).max(100).default([]),
        emails: z.boolean().default(false),
        ips: z.boolean().default(false),
      })
      .prefault({}),
    mcp: z
      .object({
        replyBudgetTokens: z.number().int().min(1_000).max(200_000).default(20_000),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8_765),
        token: z.string().min(16).optional(),
      })
      .prefault({}),
    logLevel: level.default('info'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated. */
export function mergeConfig(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    out[key] = isPlain(value) && isPlain(out[key]) ? mergeConfig(out[key] as Plain, value) : value;
  }
  return out;
}

/** A comma-separated list, as env variables and CLI flags give one. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function numberFrom(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(`${name}=${JSON.stringify(value)} is not a number`);
  return n;
}

/** The settings the environment can carry. Secrets only ever come from here or flags. */
export function configFromEnv(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {};
  const set = (path: string[], value: unknown) => {
    let node = out;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Plain;
    node[path[path.length - 1]] = value;
  };
  if (env.PM2_HOME) set(['pm2Home'], env.PM2_HOME);
  if (env.PM2_LOG_MONITOR_DATA_DIR) set(['dataDir'], env.PM2_LOG_MONITOR_DATA_DIR);
  if (env.PM2_LOG_MONITOR_PROCESSES) set(['capture', 'processes'], splitList(env.PM2_LOG_MONITOR_PROCESSES));
  if (env.PM2_LOG_MONITOR_REPORT_ROOT) set(['report', 'root'], env.PM2_LOG_MONITOR_REPORT_ROOT);
  if (env.PM2_LOG_MONITOR_REPORT) set(['report', 'output'], env.PM2_LOG_MONITOR_REPORT);
  if (env.PM2_LOG_MONITOR_LLM) set(['llm', 'mode'], env.PM2_LOG_MONITOR_LLM);
  if (env.PM2_LOG_MONITOR_LLM_BASE_URL ?? env.OPENAI_BASE_URL) set(['llm', 'baseUrl'], env.PM2_LOG_MONITOR_LLM_BASE_URL ?? env.OPENAI_BASE_URL);
  if (env.PM2_LOG_MONITOR_LLM_MODEL) set(['llm', 'model'], env.PM2_LOG_MONITOR_LLM_MODEL);
  const apiKey = env.PM2_LOG_MONITOR_LLM_API_KEY ?? env.OPENAI_API_KEY;
  if (apiKey) set(['llm', 'apiKey'], apiKey);
  if (env.PM2_LOG_MONITOR_MCP_TOKEN) set(['mcp', 'token'], env.PM2_LOG_MONITOR_MCP_TOKEN);
  if (env.PM2_LOG_MONITOR_BUFFER_SIZE) set(['buffer', 'maxEntries'], numberFrom('PM2_LOG_MONITOR_BUFFER_SIZE', env.PM2_LOG_MONITOR_BUFFER_SIZE));
  if (env.PM2_LOG_MONITOR_LOG_LEVEL) set(['logLevel'], env.PM2_LOG_MONITOR_LOG_LEVEL);
  return out;
}

/** Reads a JSON config file; a missing default file is fine, a missing named file is an error. */
export function readConfigFile(path: string, required: boolean): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlain(parsed)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  if ('apiKey' in ((parsed.llm as Plain | undefined) ?? {})) {
    throw new ConfigError(`config file ${path} holds llm.apiKey: keep secrets out of files; set OPENAI_API_KEY instead`);
  }
  return parsed;
}

export const DEFAULT_CONFIG_FILE = 'pm2-log-monitor.config.json';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** An explicit config file (--config); otherwise ./pm2-log-monitor.config.json when present. */
  file?: string;
  flags?: Plain;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const filePath = options.file ?? env.PM2_LOG_MONITOR_CONFIG;
  const fromFile = filePath ? readConfigFile(resolve(cwd, filePath), true) : readConfigFile(join(cwd, DEFAULT_CONFIG_FILE), false);
  const merged = [fromFile, configFromEnv(env), options.flags ?? {}].reduce(mergeConfig, { pm2Home: join(homedir(), '.pm2') } as Plain);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = parsed.data;
  config.pm2Home = resolve(cwd, config.pm2Home);
  config.dataDir = resolve(cwd, config.dataDir ?? join(config.pm2Home, 'log-monitor'));
  config.report.root = resolve(cwd, config.report.root ?? '.');
  return config;
}
