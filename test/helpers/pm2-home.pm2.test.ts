import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from './pm2-home.js';

describe('temporary PM2 home', () => {
  let pm2: Pm2Home;
  beforeAll(async () => {
    pm2 = await createPm2Home();
  });
  afterAll(async () => {
    await pm2?.dispose();
  });

  it('runs an app whose log files land under the temporary home', async () => {
    await pm2.pm2('start', join(FIXTURE_APPS, 'hello.cjs'), '--name', 'hello');
    const [app] = await pm2.list();
    expect(app.name).toBe('hello');
    const outPath: string = app.pm2_env.pm_out_log_path;
    expect(outPath.startsWith(pm2.home)).toBe(true);
    const text = await waitFor(async () => {
      const t = await readFile(outPath, 'utf8').catch(() => '');
      return t.includes('hello from out 1') ? t : '';
    });
    expect(text).toContain('hello from out 1');
  });
});
