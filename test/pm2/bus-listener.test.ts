import { describe, expect, it } from 'vitest';
import { jsonArg } from '../../src/pm2/amp-socket.js';
import { BusListener, peekPmId, type BusChunk } from '../../src/pm2/bus-listener.js';
import type { BusSubscriber } from '../../src/pm2/pm2-connection.js';
import type { ProcessEvent } from '../../src/core/types.js';

function fakeConnection() {
  const subs = new Set<BusSubscriber>();
  return {
    subscribe(s: BusSubscriber) {
      subs.add(s);
      return () => subs.delete(s);
    },
    publish(topic: string, packet: unknown) {
      for (const s of subs) s.onFrame(topic, jsonArg(packet));
    },
    status(up: boolean) {
      for (const s of subs) s.onStatus?.(up);
    },
    get size() {
      return subs.size;
    },
  };
}

const logPacket = (pmId: number | string, data: string) => ({ process: { pm_id: pmId, name: 'api', rev: null, namespace: 'default' }, at: 1000, data });

describe('peekPmId', () => {
  it('reads the pm_id where pm2 serialises it', () => {
    expect(peekPmId(jsonArg(logPacket(12, 'x')))).toBe(12);
    expect(peekPmId(jsonArg(logPacket('PM2', 'x')))).toBeUndefined();
    expect(peekPmId(jsonArg({ at: 1, data: 'x'.repeat(100), process: { pm_id: 3 } }))).toBeUndefined();
  });
});

describe('BusListener', () => {
  it('maps log packets, daemon messages, events and exceptions; skips unwanted lines', () => {
    const conn = fakeConnection();
    const chunks: BusChunk[] = [];
    const events: ProcessEvent[] = [];
    const statuses: boolean[] = [];
    const bus = new BusListener({
      connection: conn,
      wantsLines: (pmId, stream) => pmId === 1 && stream === 'out',
      onChunk: (c) => chunks.push(c),
      onEvent: (e) => events.push(e),
      onStatus: (up) => statuses.push(up),
    });
    bus.start();
    conn.publish('log:out', logPacket(0, 'from a file\n'));
    conn.publish('log:out', logPacket(1, 'partial'));
    conn.publish('log:err', logPacket(1, 'err side\n'));
    conn.publish('log:PM2', { process: { pm_id: 'PM2', name: 'PM2', rev: null }, at: 1001, data: 'App [api:1] online\n' });
    conn.publish('process:event', { event: 'exit', manually: false, at: 1002, process: { name: 'api', pm_id: 1, exit_code: 1 } });
    conn.publish('process:event', { event: 'something-new', at: 1002, process: { name: 'api', pm_id: 1 } });
    conn.publish('process:exception', { at: 1003, data: { name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at x' }, process: { name: 'api', pm_id: 1 } });
    conn.publish('application:dependencies', { at: 1 });
    conn.status(false);
    expect(chunks).toEqual([
      { pmId: 1, process: 'api', namespace: 'default', stream: 'out', data: 'partial', at: 1000 },
      { pmId: -1, process: 'PM2', stream: 'pm2', data: 'App [api:1] online\n', at: 1001 },
    ]);
    expect(events).toEqual([
      { at: 1002, kind: 'exit', pmId: 1, process: 'api', manually: false, exitCode: 1 },
      { at: 1003, kind: 'exception', pmId: 1, process: 'api', errorName: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at x' },
    ]);
    expect(statuses).toEqual([false]);
    expect(bus.stats()).toEqual({ frames: 8, skipped: 2, chunks: 2, events: 2 });
    bus.stop();
    expect(conn.size).toBe(0);
  });

  it('reports an undecodable packet instead of throwing into the socket', () => {
    const subs: BusSubscriber[] = [];
    const errors: Error[] = [];
    new BusListener({ connection: { subscribe: (s) => (subs.push(s), () => {}) }, onError: (e) => errors.push(e) }).start();
    subs[0].onFrame('process:event', Buffer.from('j:{not json'));
    expect(errors[0].message).toMatch(/undecodable process:event packet/);
  });
});
