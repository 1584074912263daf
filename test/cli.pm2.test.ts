// The CLI as a person runs it: the built dist/cli.js in a temporary folder, against a real PM2 daemon.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../src/buffer/lock.js';
import { createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from './helpers/pm2-home.js';

const CLI = resolve(import.meta.dirname, '../dist/cli.js');
const run = promisify(execFile);

describe('pm2-log-monitor CLI', () => {
  let pm2: Pm2Home;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let backgroundPid: number | undefined;

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: work, env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    pm2 = await createPm2Home();
    work = await mkdtemp(join(tmpdir(), 'plm-cli-'));
    env = { ...process.env, PM2_HOME: pm2.home, PM2_LOG_MONITOR_LLM: 'none' };
    await pm2.pm2('start', join(FIXTURE_APPS, 'api-sim.cjs'), '--name', 'api');
    await waitFor(async () => (await readFile(join(pm2.home, 'logs', 'api-out.log'), 'utf8').catch(() => '')).includes('api ready'), 20_000, 'api output');
  });

  afterAll(async () => {
    if (backgroundPid && isAlive(backgroundPid)) process.kill(backgroundPid, 'SIGKILL');
    await pm2?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('prints help and its version, and rejects unknown commands and flags with exit code 2', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pm2-log-monitor <command>');
    const version = await cli('--version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const badFlag = await cli('status', '--bogus');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--help");
  });

  it('explains a bad config file instead of crashing', async () => {
    await writeFile(join(work, 'bad.json'), '{"buffer": {"maxEntries": 3}}');
    const bad = await cli('status', '--config', 'bad.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('buffer.maxEntries');
  });

  it('shows status and logs where no monitor ever ran, without failing', async () => {
    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('PM2 daemon:  online');
    expect(status.stdout).toContain('buffer:      0 entries');
    expect(status.stdout).toContain('last report: none yet');
    const logs = await cli('logs');
    expect(logs.code).toBe(0);
    expect(logs.stderr).toContain('0 of 0 matching entries');
  });

  it('writes a report from the log files PM2 already has, with no background monitor', async () => {
    const out = await cli('report');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`report written to ${join(work, 'docs', 'report.md')}`);
    const markdown = await readFile(join(work, 'docs', 'report.md'), 'utf8');
    expect(markdown).toContain('Connection refused to 127.0.0.1:5432');
    expect(markdown).not.toContain('Pg-S3cr3t-2024');
  });

  it('starts a background monitor that outlives the command, shows it, and stops it', async () => {
    const started = await cli('start');
    expect(started.code).toBe(0);
    const pid = Number(/started \(pid (\d+)\)/.exec(started.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    backgroundPid = pid;
    expect(isAlive(pid)).toBe(true);

    const again = await cli('start');
    expect(again.stdout).toContain(`already running (pid ${pid})`);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running in the background (pid ${pid})`);
    expect(status.stdout).toMatch(/│ 0\s+│ api\s+│ fork/);

    const json = JSON.parse((await cli('status', '--json')).stdout);
    expect(json.background.pid).toBe(pid);
    expect(json.daemon.alive).toBe(true);

    await waitFor(async () => (await cli('logs', '--lines', '3')).stdout.includes('GET /'), 20_000, 'logs through the background monitor');
    const errors = await cli('logs', '--level', 'error', '--lines', '2');
    expect(errors.stdout).toContain('ECONNREFUSED');

    const stopped = await cli('stop');
    expect(stopped.stdout).toContain(`pm2-log-monitor stopped (pid ${pid})`);
    expect(isAlive(pid)).toBe(false);
    expect((await cli('stop')).stdout).toContain('not running');
  });
});
