import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileLayer, type FileLayer } from '../../src/buffer/file-layer.js';
import { BufferLockedError, LogBuffer } from '../../src/buffer/log-buffer.js';
import { LOCK_NAME } from '../../src/buffer/lock.js';
import { makeEntries, makeEntry, tempDir, type TempDir } from './fixtures/entries.js';

let dir: TempDir;
const open: LogBuffer[] = [];

async function openBuffer(options: Partial<Parameters<typeof LogBuffer.open>[0]> = {}): Promise<LogBuffer> {
  const buffer = await LogBuffer.open({ dir: dir.path, fsyncIntervalMs: 60_000, ...options });
  open.push(buffer);
  return buffer;
}

async function diskBytes(): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir.path)) if (name.endsWith('.seg')) total += (await stat(join(dir.path, name))).size;
  return total;
}

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  for (const buffer of open.splice(0)) await buffer.close().catch(() => undefined);
  await dir.dispose();
});

describe('LogBuffer', () => {
  it('numbers entries, keeps them in memory at once and returns them by seq and range', async () => {
    const buffer = await openBuffer();
    const stored = buffer.append(makeEntries(0, 5));
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(buffer.get(3)).toEqual({ ...makeEntry(2), seq: 3 });
    expect(buffer.get(6)).toBeUndefined();
    expect(buffer.range(2, 4).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(buffer.range(4).map((e) => e.seq)).toEqual([4, 5]);
    expect(buffer.stats()).toMatchObject({ entries: 5, firstSeq: 1, lastSeq: 5, durableSeq: 0 });
  });

  it('evicts the oldest entries beyond maxEntries, in memory and on disk', async () => {
    const buffer = await openBuffer({ maxEntries: 1000, maxBytes: 1024 * 1024, segmentBytes: 8192 });
    for (let i = 0; i < 10; i++) {
      buffer.append(makeEntries(i * 500, 500));
      await buffer.flush();
    }
    const stats = buffer.stats();
    expect(stats.entries).toBe(1000);
    expect(stats.firstSeq).toBe(4001);
    expect(stats.lastSeq).toBe(5000);
    expect(stats.drops.evicted).toBe(4000);
    // Only segments that still hold retained entries stay: the disk does not keep the evicted past.
    expect(stats.bytesOnDisk).toBeLessThan(2 * 1000 * 80);
    await buffer.close();
    const again = await openBuffer({ maxEntries: 1000, maxBytes: 1024 * 1024, segmentBytes: 8192 });
    expect(again.stats()).toMatchObject({ entries: 1000, firstSeq: 4001, lastSeq: 5000 });
  });

  it('stays under maxBytes on disk by dropping whole oldest segments', async () => {
    const maxBytes = 64 * 1024;
    const buffer = await openBuffer({ maxEntries: 100_000, maxBytes, segmentBytes: 8192 });
    for (let i = 0; i < 20; i++) {
      buffer.append(makeEntries(i * 200, 200, { message: `payload ${'x'.repeat(100)}`, raw: `raw ${'y'.repeat(60)}` }));
      await buffer.flush();
      expect(await diskBytes()).toBeLessThanOrEqual(maxBytes);
    }
    const stats = buffer.stats();
    expect(stats.bytesOnDisk).toBe(await diskBytes());
    expect(stats.bytesOnDisk).toBeGreaterThan(maxBytes / 2);
    expect(stats.lastSeq).toBe(4000);
    expect(stats.entries).toBe(4000 - (stats.firstSeq as number) + 1);
    expect(stats.drops.evicted).toBe((stats.firstSeq as number) - 1);
    await buffer.close();
    const again = await openBuffer({ maxEntries: 100_000, maxBytes, segmentBytes: 8192 });
    expect(again.stats().firstSeq).toBeLessThanOrEqual(stats.firstSeq as number);
    expect(again.stats().lastSeq).toBe(4000);
  });

  it('applies lowered bounds at the next open', async () => {
    const buffer = await openBuffer({ maxEntries: 10_000, maxBytes: 1024 * 1024, segmentBytes: 8192 });
    buffer.append(makeEntries(0, 5000));
    await buffer.close();
    const smaller = await openBuffer({ maxEntries: 1000, maxBytes: 128 * 1024, segmentBytes: 8192 });
    expect(smaller.stats()).toMatchObject({ entries: 1000, firstSeq: 4001, lastSeq: 5000 });
    expect(await diskBytes()).toBeLessThanOrEqual(128 * 1024);
    await smaller.close();
    const tiny = await openBuffer({ maxEntries: 10_000, maxBytes: 64 * 1024, segmentBytes: 8192 });
    expect(await diskBytes()).toBeLessThanOrEqual(64 * 1024);
    expect(tiny.stats().lastSeq).toBe(5000);
    expect(tiny.stats().firstSeq).toBe(tiny.range(1)[0].seq);
  });

  it('recovers every entry after a clean restart, and continues the seq', async () => {
    const buffer = await openBuffer({ segmentBytes: 16 * 1024 });
    const written = buffer.append(makeEntries(0, 3000, { pid: 42, namespace: 'default', fields: { userId: 7 }, patternId: 'p1' }));
    buffer.append([makeEntry(9, { raw: '\u001b[31mred\u001b[0m', message: 'red', instance: 2 })]);
    await buffer.close();
    const again = await openBuffer({ segmentBytes: 16 * 1024 });
    expect(again.recovery).toMatchObject({ records: 3001, corrupt: 0, tornBytes: 0 });
    expect(again.recovery.segments).toBeGreaterThan(1);
    expect(again.range(1)).toEqual([...written, { ...makeEntry(9, { raw: '\u001b[31mred\u001b[0m', message: 'red', instance: 2 }), seq: 3001 }]);
    expect(again.append([makeEntry(1)])[0].seq).toBe(3002);
  });

  it('tells listeners the durable seq only after flush, and flush returns it', async () => {
    const buffer = await openBuffer({ clock: { now: () => 1234 } });
    const seen: number[] = [];
    const off = buffer.onDurable((seq) => seen.push(seq));
    buffer.append(makeEntries(0, 10));
    expect(seen).toEqual([]);
    expect(await buffer.flush()).toBe(10);
    expect(seen).toEqual([10]);
    expect(buffer.lastDurableAt).toBe(1234);
    off();
    buffer.append(makeEntries(10, 1));
    expect(await buffer.flush()).toBe(11);
    expect(seen).toEqual([10]);
  });

  it('keeps flushing when a durable listener throws, and reports the error', async () => {
    const errors: Error[] = [];
    const buffer = await openBuffer({ onError: (e) => errors.push(e) });
    buffer.onDurable(() => {
      throw new Error('checkpoint write failed');
    });
    buffer.append(makeEntries(0, 2));
    expect(await buffer.flush()).toBe(2);
    expect(errors.map((e) => e.message)).toEqual(['checkpoint write failed']);
  });

  it('says clearly when a read-only buffer has no folder', async () => {
    await expect(LogBuffer.open({ dir: join(dir.path, 'missing'), readOnly: true })).rejects.toThrow(/no log buffer at .*missing: the folder does not exist/);
  });

  it('flushes on its interval without being asked', async () => {
    const buffer = await openBuffer({ fsyncIntervalMs: 20 });
    const durable = new Promise<number>((resolve) => buffer.onDurable(resolve));
    buffer.append(makeEntries(0, 3));
    expect(await durable).toBe(3);
  });

  it('cuts an oversized line to a bounded record', async () => {
    const buffer = await openBuffer({ maxBytes: 1024 * 1024, segmentBytes: 64 * 1024 });
    const huge = 'z'.repeat(5 * 1024 * 1024);
    const [entry] = buffer.append([makeEntry(0, { message: huge, raw: huge })]);
    expect(entry.message.length).toBeLessThan(16 * 1024);
    expect(entry.message).toMatch(/…\[truncated \d+ chars\]$/);
    await buffer.close();
    const again = await openBuffer({ maxBytes: 1024 * 1024, segmentBytes: 64 * 1024 });
    expect(again.get(1)?.message).toBe(entry.message);
  });

  it('rejects bad options with exact messages', async () => {
    await expect(LogBuffer.open({ dir: dir.path, maxEntries: 0 })).rejects.toThrow('maxEntries must be an integer from 1 to 10000000, got 0');
    await expect(LogBuffer.open({ dir: dir.path, maxBytes: 1024 * 1024, segmentBytes: 1024 * 1024 })).rejects.toThrow(
      'segmentBytes must be an integer from 4096 to 524288, got 1048576',
    );
  });
});

describe('one writer per data directory', () => {
  it('refuses a second writer, naming the pid that holds the lock', async () => {
    await openBuffer();
    const error = await LogBuffer.open({ dir: dir.path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BufferLockedError);
    expect((error as BufferLockedError).pid).toBe(process.pid);
    expect((error as Error).message).toContain(`locked by process ${process.pid}`);
    expect((error as Error).message).toContain('readOnly: true');
  });

  it('takes over the stale lock of a dead pid, and of an empty lock file', async () => {
    await writeFile(join(dir.path, LOCK_NAME), '2147483646\n');
    const buffer = await openBuffer();
    await buffer.close();
    await writeFile(join(dir.path, LOCK_NAME), '');
    await openBuffer();
  });

  it('releases the lock on close, and writes nothing after it', async () => {
    const first = await openBuffer();
    first.append(makeEntries(0, 3));
    await first.close();
    expect(await first.flush()).toBe(3);
    expect(() => first.append(makeEntries(3, 1))).toThrow('is closed');
    await first.close();
    const second = await openBuffer();
    expect(second.stats()).toMatchObject({ entries: 3, segments: 1 });
  });

  it('opens read-only beside the writer, never writes, and reloads what the writer appended', async () => {
    const writer = await openBuffer({ maxEntries: 500, maxBytes: 1024 * 1024, segmentBytes: 8192 });
    writer.append(makeEntries(0, 300));
    await writer.flush();
    const reader = await openBuffer({ readOnly: true, maxEntries: 500, maxBytes: 1024 * 1024, segmentBytes: 8192 });
    expect(reader.stats()).toMatchObject({ entries: 300, lastSeq: 300 });
    expect(() => reader.append(makeEntries(0, 1))).toThrow('open read-only');
    writer.append(makeEntries(300, 700));
    await writer.flush();
    await reader.reload();
    expect(reader.stats()).toMatchObject({ entries: 500, firstSeq: 501, lastSeq: 1000 });
    expect(reader.range(1).map((e) => e.seq)).toEqual(writer.range(1).map((e) => e.seq));
    expect(reader.query({ search: 'request 999 ' }).entries.map((e) => e.seq)).toEqual([1000]);
    await reader.close();
    expect(await readdir(dir.path)).toContain(LOCK_NAME);
  });

  it('follows the writer by reading only what grew, and by whole reads on a layer without a tail read', async () => {
    const sizes = { maxEntries: 500, maxBytes: 1024 * 1024, segmentBytes: 8192 };
    const writer = await openBuffer(sizes);
    const tails: number[] = [];
    const counting: FileLayer = {
      ...nodeFileLayer,
      async readTail(path, offset) {
        const tail = await nodeFileLayer.readFile(path).then((buf) => buf.subarray(offset));
        tails.push(tail.length);
        return tail;
      },
    };
    const { readTail: _tailRead, ...wholeReadsOnly } = nodeFileLayer;
    const readers = [await openBuffer({ ...sizes, readOnly: true, fileLayer: counting }), await openBuffer({ ...sizes, readOnly: true, fileLayer: wholeReadsOnly })];
    for (let round = 0; round < 40; round++) {
      writer.append(makeEntries(round * 7, 7));
      await writer.flush();
      for (const reader of readers) {
        await reader.reload();
        expect(reader.range(1).map((e) => e.seq)).toEqual(writer.range(1).map((e) => e.seq));
      }
    }
    expect(writer.stats().segments).toBeGreaterThan(2);
    expect(readers[1].stats()).toMatchObject({ entries: 280, lastSeq: 280, drops: { corrupt: 0 } });
    tails.length = 0;
    await readers[0].reload();
    expect(tails).toEqual([0]);
    expect(readers[0].stats()).toMatchObject({ entries: 280, lastSeq: 280, drops: { corrupt: 0 } });
  });
});
