// A monitor started with persistAs keeps its trigger state across engine restarts; a damaged state
// file is not fatal. No PM2 daemon runs here: the engine reports it and carries on.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTriggerState } from '../../src/buffer/triggers.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createMonitor } from '../../src/monitor.js';

describe('persistent monitor state', () => {
  let work: string;
  let config: Config;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'plm-persist-'));
    config = loadConfig({ env: {}, cwd: work, flags: { pm2Home: join(work, 'no-daemon'), dataDir: join(work, 'data'), report: { root: work }, llm: { mode: 'none' } } });
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('saves the trigger state of a persistent monitor on close and reads it back', async () => {
    const statePath = join(work, 'data', 'triggers-background.json');
    const first = await createMonitor(config);
    await first.startMonitor({}, { persistAs: 'background' });
    await first.startMonitor({});
    const status = await first.status();
    expect(status.daemon.alive).toBe(false);
    await first.close();
    const saved = JSON.parse(await readFile(statePath, 'utf8'));
    expect(isTriggerState(saved)).toBe(true);

    await writeFile(statePath, '{"not": "a trigger state"');
    const second = await createMonitor(config);
    const view = await second.startMonitor({}, { persistAs: 'background' });
    expect(view.id).toMatch(/^mon-/);
    await second.close();
    expect(isTriggerState(JSON.parse(await readFile(statePath, 'utf8')))).toBe(true);
  });

  it('writes no pattern state when nothing was ingested', async () => {
    const monitor = await createMonitor(config);
    await monitor.startMonitor({});
    await monitor.close();
    expect(existsSync(join(work, 'data', 'telemetry.json'))).toBe(true);
    expect(existsSync(join(work, 'data', 'miner.json'))).toBe(false);
  });

  it('refuses invalid trigger patterns with a clear error', async () => {
    const monitor = await createMonitor(config);
    try {
      await expect(monitor.startMonitor({ patterns: ['(unclosed'] })).rejects.toThrow(/invalid trigger settings/);
    } finally {
      await monitor.close();
    }
  });
});
