// A real PM2 daemon under a temporary PM2_HOME, driven through PM2's own CLI so that the test
// process never imports pm2 (which would read PM2_HOME once, at import time).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PM2_BIN = resolve(import.meta.dirname, '../../node_modules/pm2/bin/pm2');
export const FIXTURE_APPS = resolve(import.meta.dirname, '../fixtures/apps');

export interface Pm2Home {
  /** The temporary PM2_HOME; also the parent of `logs/`. */
  home: string;
  /** A scratch folder removed with the home. */
  scratch: string;
  env: NodeJS.ProcessEnv;
  /** Runs `pm2 <args>` against this home and returns stdout. */
  pm2(...args: string[]): Promise<string>;
  /** `pm2 jlist`, parsed. */
  list(): Promise<Array<Record<string, any>>>;
  /** Kills the daemon and removes every file. Safe to call twice. */
  dispose(): Promise<void>;
}

export async function createPm2Home(prefix = 'plm-pm2-'): Promise<Pm2Home> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const scratch = join(home, 'scratch');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PM2_HOME: home,
    PM2_DISCRETE_MODE: 'true',
    PM2_NO_INTERACTION: 'true',
    PM2_PROGRAMMATIC: 'true',
  };
  let disposed = false;
  const pm2 = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [PM2_BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
    return stdout;
  };
  return {
    home,
    scratch,
    env,
    pm2,
    async list() {
      const out = await pm2('jlist');
      const start = out.indexOf('[');
      return JSON.parse(out.slice(start));
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await pm2('kill');
      } catch {
        // The daemon may already be gone; the folder still has to go.
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs a cleanup step but gives up after `ms`: a hung close must not keep the PM2 daemon that the
 * next cleanup step kills alive.
 */
export async function bounded(step: () => Promise<unknown>, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([step().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
