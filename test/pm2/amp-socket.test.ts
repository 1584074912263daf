import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmpSocket, decodeFrame, encodeFrame, frameLength, jsonArg, parseArg, stringArg } from '../../src/pm2/amp-socket.js';
import { waitFor } from '../helpers/pm2-home.js';

describe('AMP frames', () => {
  it('round-trips string, JSON and raw arguments', () => {
    const frame = encodeFrame([stringArg('log:out'), jsonArg({ a: 1, s: 'é' }), Buffer.from([1, 2, 3])]);
    expect(frame[0]).toBe(0x13);
    expect(frameLength(frame, 0)).toBe(frame.length);
    const args = decodeFrame(frame, 0);
    expect(args.map(parseArg)).toEqual(['log:out', { a: 1, s: 'é' }, Buffer.from([1, 2, 3])]);
  });

  it('does not know the length of a frame whose headers have not all arrived', () => {
    const frame = encodeFrame([stringArg('t'), jsonArg({ big: 'x'.repeat(100) })]);
    expect(frameLength(frame.subarray(0, 3), 0)).toBe(-1);
    expect(frameLength(frame.subarray(0, 10), 0)).toBe(-1);
    expect(frameLength(frame.subarray(0, 12), 0)).toBe(frame.length);
  });
});

describe('AmpSocket', () => {
  let dir: string;
  let server: Server | undefined;
  let peers: Socket[] = [];
  let client: AmpSocket | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plm-amp-'));
    peers = [];
  });
  afterEach(async () => {
    client?.close();
    for (const p of peers) p.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const listen = (path: string) =>
    new Promise<Server>((resolve) => {
      const s = createServer((peer) => peers.push(peer));
      s.listen(path, () => resolve(s));
    });

  it('reassembles frames split at every byte and reports the first failed attempt', async () => {
    const path = join(dir, 'pub.sock');
    const frames: unknown[][] = [];
    const statuses: boolean[] = [];
    client = new AmpSocket({ path, retryMs: 20, retryMaxMs: 50, onFrame: (a) => frames.push(a.map(parseArg)), onStatus: (up) => statuses.push(up) });
    client.open();
    await waitFor(() => statuses.length > 0, 2000, 'first status');
    expect(statuses).toEqual([false]);
    server = await listen(path);
    await waitFor(() => client!.connected, 5000, 'reconnect');
    const sent = [
      [stringArg('log:out'), jsonArg({ data: 'a'.repeat(70_000) })],
      [stringArg('process:event'), jsonArg({ event: 'online' })],
      [stringArg('log:err'), jsonArg({ data: 'b\n' })],
    ];
    const bytes = Buffer.concat(sent.map(encodeFrame));
    const peer = peers[0];
    for (let i = 0; i < bytes.length; i += i < 40 ? 1 : 4093) peer.write(bytes.subarray(i, Math.min(bytes.length, i + (i < 40 ? 1 : 4093))));
    await waitFor(() => frames.length === 3, 5000, 'three frames');
    expect(frames).toEqual(sent.map((f) => f.map(parseArg)));
    expect(statuses).toEqual([false, true]);
  });

  it('refuses to send while disconnected and notices the peer going away', async () => {
    const path = join(dir, 'rpc.sock');
    const statuses: boolean[] = [];
    client = new AmpSocket({ path, retryMs: 20, retryMaxMs: 50, onFrame: () => {}, onStatus: (up) => statuses.push(up) });
    expect(client.send([stringArg('x')])).toBe(false);
    server = await listen(path);
    client.open();
    await waitFor(() => client!.connected, 2000, 'connect');
    expect(client.send([stringArg('x')])).toBe(true);
    for (const p of peers) p.destroy();
    await waitFor(() => statuses.length === 3, 2000, 'disconnect and reconnect');
    expect(statuses).toEqual([true, false, true]);
  });
});
