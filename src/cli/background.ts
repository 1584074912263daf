// The background monitor that survives the terminal closing: a detached child running `run`, its
// pid in the data directory, its diagnostics in a log file beside it.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../buffer/lock.js';

export interface BackgroundPaths {
  pidFile: string;
  logFile: string;
}

export function backgroundPaths(dataDir: string): BackgroundPaths {
  return { pidFile: join(dataDir, 'monitor.pid'), logFile: join(dataDir, 'monitor.log') };
}

/** The pid of the running background monitor, or undefined (a stale pid file is removed). */
export async function runningPid(dataDir: string): Promise<number | undefined> {
  const { pidFile } = backgroundPaths(dataDir);
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (isAlive(pid)) return pid;
  await rm(pidFile, { force: true });
  return undefined;
}

export async function writePidFile(dataDir: string, pid: number): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(backgroundPaths(dataDir).pidFile, `${pid}\n`);
}

export async function removePidFile(dataDir: string, pid: number): Promise<void> {
  if ((await runningPid(dataDir)) === pid) await rm(backgroundPaths(dataDir).pidFile, { force: true });
}

/** Starts `node <cli> run <args>` detached from this terminal; returns its pid. */
export async function spawnBackground(cliPath: string, args: string[], dataDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  await mkdir(dataDir, { recursive: true });
  const { logFile } = backgroundPaths(dataDir);
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [cliPath, 'run', ...args], { detached: true, stdio: ['ignore', out, out], env });
    child.unref();
    if (child.pid === undefined) throw new Error('the background monitor did not start');
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Sends SIGTERM and waits for the process to go; SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<'stopped' | 'killed'> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
  return 'killed';
}
