// A disk that fills up at an exact byte, through the injectable file layer: the error is clear,
// what was stored stays intact, and the policy for new entries is explicit and counted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileLayer, type FileLayer } from '../../src/buffer/file-layer.js';
import { BufferWriteError, LogBuffer } from '../../src/buffer/log-buffer.js';
import { makeEntries, tempDir, type TempDir } from './fixtures/entries.js';

let dir: TempDir;
const open: LogBuffer[] = [];
const OPTIONS = { maxEntries: 10_000, maxBytes: 1024 * 1024, segmentBytes: 16 * 1024, fsyncIntervalMs: 60_000 };

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** The real file layer with a budget of bytes: past it, writes land partly and then fail. */
function fullDisk(): FileLayer & { budget: number; failures: number } {
  const layer = {
    budget: Infinity,
    failures: 0,
    ...nodeFileLayer,
    async open(path: string, mode: 'create' | 'append') {
      if (mode === 'create' && layer.budget <= 0) {
        layer.failures++;
        throw enospc();
      }
      const file = await nodeFileLayer.open(path, mode);
      return {
        ...file,
        async append(data: Uint8Array) {
          if (data.length <= layer.budget) {
            layer.budget -= data.length;
            return file.append(data);
          }
          const prefix = Math.max(0, Math.floor(layer.budget));
          layer.budget = 0;
          layer.failures++;
          if (prefix > 0) await file.append(data.subarray(0, prefix));
          throw enospc();
        },
      };
    },
  };
  return layer;
}

async function openBuffer(options: Partial<Parameters<typeof LogBuffer.open>[0]> = {}): Promise<LogBuffer> {
  const buffer = await LogBuffer.open({ dir: dir.path, ...OPTIONS, ...options });
  open.push(buffer);
  return buffer;
}

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  for (const buffer of open.splice(0)) await buffer.close().catch(() => undefined);
  await dir.dispose();
});

describe.each(['drop-newest', 'block'] as const)('disk full, policy %s', (policy) => {
  it('fails the flush clearly, keeps stored data intact and accounts for new entries', async () => {
    const disk = fullDisk();
    const errors: Error[] = [];
    const buffer = await openBuffer({ fileLayer: disk, onDiskFull: policy, onError: (e) => errors.push(e) });
    buffer.append(makeEntries(0, 200));
    expect(await buffer.flush()).toBe(200);

    disk.budget = 1500;
    buffer.append(makeEntries(200, 100));
    const error = await buffer.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BufferWriteError);
    expect((error as BufferWriteError).code).toBe('ENOSPC');
    expect((error as Error).message).toMatch(/cannot write the log buffer .* \(ENOSPC\).*free some disk space/);
    expect(errors).toHaveLength(1);
    expect(buffer.diskError).toBe(error);
    expect(buffer.stats().durableSeq).toBe(200);

    const accepted = buffer.append(makeEntries(300, 50));
    if (policy === 'drop-newest') {
      expect(accepted).toEqual([]);
      expect(buffer.stats().drops.rejected).toBe(50);
      expect(buffer.stats().lastSeq).toBe(300);
    } else {
      expect(accepted).toHaveLength(50);
      expect(buffer.stats().drops.rejected).toBe(0);
      expect(buffer.stats().lastSeq).toBe(350);
    }

    // Data already stored survives a restart untouched, without corruption from the partial write.
    const reader = await openBuffer({ readOnly: true });
    expect(reader.recovery.corrupt).toBe(0);
    expect(reader.range(1, 200)).toEqual(buffer.range(1, 200));
    await reader.close();

    // Space comes back: the held entries are written, nothing twice, and new entries are accepted.
    disk.budget = Infinity;
    const lastSeq = buffer.stats().lastSeq as number;
    expect(await buffer.flush()).toBe(lastSeq);
    expect(buffer.diskError).toBeUndefined();
    expect(buffer.append(makeEntries(400, 1))).toHaveLength(1);
    await buffer.close();
    const again = await openBuffer();
    expect(again.recovery).toMatchObject({ corrupt: 0, tornBytes: 0 });
    expect(again.range(1).map((e) => e.seq)).toEqual(Array.from({ length: lastSeq + 1 }, (_, i) => i + 1));
  });

  it('survives a disk that is full when a new segment must be created', async () => {
    const disk = fullDisk();
    const buffer = await openBuffer({ fileLayer: disk, onDiskFull: policy, onError: () => undefined });
    buffer.append(makeEntries(0, 100));
    await buffer.flush();
    disk.budget = 0;
    buffer.append(makeEntries(100, 400));
    await expect(buffer.flush()).rejects.toThrow(BufferWriteError);
    expect(disk.failures).toBeGreaterThan(0);
    disk.budget = Infinity;
    const lastSeq = buffer.stats().lastSeq as number;
    expect(await buffer.flush()).toBe(lastSeq);
    await buffer.close();
    const again = await openBuffer();
    expect(again.recovery.corrupt).toBe(0);
    expect(again.stats().lastSeq).toBe(lastSeq);
    expect(again.stats().entries).toBe(lastSeq);
  });
});

it('keeps memory bounded while the disk stays full under the block policy', async () => {
  const disk = fullDisk();
  const buffer = await openBuffer({ fileLayer: disk, onDiskFull: 'block', maxEntries: 1000, onError: () => undefined });
  disk.budget = 0;
  for (let i = 0; i < 20; i++) {
    buffer.append(makeEntries(i * 1000, 1000));
    await buffer.flush().catch(() => undefined);
  }
  const stats = buffer.stats();
  expect(stats.entries).toBe(1000);
  expect(stats.drops.evicted).toBe(19_000);
  expect(stats.durableSeq).toBe(0);
  disk.budget = Infinity;
  expect(await buffer.flush()).toBe(20_000);
  await buffer.close();
  const again = await openBuffer({ maxEntries: 1000 });
  expect(again.stats()).toMatchObject({ entries: 1000, firstSeq: 19_001, lastSeq: 20_000 });
});
