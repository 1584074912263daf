import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonState } from '../../src/core/engine.js';
import { parseArg } from '../../src/pm2/amp-socket.js';
import { DaemonDownError, Pm2Connection, pingDaemon } from '../../src/pm2/pm2-connection.js';
import { createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from '../helpers/pm2-home.js';

describe('Pm2Connection against a real daemon', () => {
  let pm2: Pm2Home;
  let connection: Pm2Connection | undefined;
  const states: DaemonState[] = [];
  const frames: Array<{ topic: string; packet: unknown }> = [];

  beforeAll(async () => {
    pm2 = await createPm2Home();
  });
  afterAll(async () => {
    await connection?.close();
    await pm2?.dispose();
  });

  it('finds no daemon in an empty home, fails calls at once, and starts none', async () => {
    expect(await pingDaemon(pm2.home)).toBe(false);
    connection = new Pm2Connection({ pm2Home: pm2.home, callTimeoutMs: 2000, retryMaxMs: 200, onState: (s) => states.push(s) });
    connection.subscribe({ onFrame: (topic, payload) => frames.push({ topic, packet: payload && parseArg(payload) }) });
    const state = await connection.start();
    expect(state).toMatchObject({ pm2Home: pm2.home, alive: false });
    await expect(connection.list()).rejects.toBeInstanceOf(DaemonDownError);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(pm2.home, 'rpc.sock'))).toBe(false);
    expect(existsSync(join(pm2.home, 'pm2.pid'))).toBe(false);
  });

  it('notices a daemon that starts later, lists and describes, and hears the bus', async () => {
    await pm2.pm2('start', join(FIXTURE_APPS, 'hello.cjs'), '--name', 'hello');
    await waitFor(() => connection!.state().alive, 10_000, 'daemon seen alive');
    const list = await connection!.list();
    expect(list.map((p) => [p.name, p.pm_id])).toEqual([['hello', 0]]);
    expect(list[0].pid).toBeGreaterThan(0);
    expect((await connection!.describe('hello')).length).toBe(1);
    expect(await connection!.describe(7)).toEqual([]);
    await waitFor(() => connection!.busConnected, 5000, 'bus connected');
    await pm2.pm2('restart', 'hello');
    await waitFor(() => frames.some((f) => f.topic === 'log:out'), 10_000, 'a log line on the bus');
    expect(frames.some((f) => f.topic === 'process:event' && (f.packet as { event: string }).event === 'online')).toBe(true);
    expect(frames.find((f) => f.topic === 'log:out')?.packet).toMatchObject({ process: { pm_id: 0, name: 'hello' }, data: 'hello from out 1\n' });
  });

  it('reports the daemon going away and coming back, and works again', async () => {
    const before = states.length;
    await pm2.pm2('kill');
    await waitFor(() => !connection!.state().alive, 10_000, 'daemon seen down');
    expect(connection!.state().lastSeen).toBeGreaterThan(0);
    await expect(connection!.list()).rejects.toBeInstanceOf(DaemonDownError);
    await pm2.pm2('start', join(FIXTURE_APPS, 'hello.cjs'), '--name', 'again');
    await waitFor(() => connection!.state().alive, 10_000, 'daemon seen alive again');
    expect((await connection!.list()).map((p) => p.name)).toEqual(['again']);
    expect(states.slice(before).map((s) => s.alive)).toEqual([false, true]);
  });
});
