// Damaged segment files: each kind of damage must cost at most the records it touched.
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferFormatError, LogBuffer } from '../../src/buffer/log-buffer.js';
import { makeEntries, tempDir, type TempDir } from './fixtures/entries.js';

let dir: TempDir;
const open: LogBuffer[] = [];
const OPTIONS = { maxEntries: 10_000, maxBytes: 1024 * 1024, segmentBytes: 8192, fsyncIntervalMs: 60_000 };
const COUNT = 600;

async function openBuffer(): Promise<LogBuffer> {
  const buffer = await LogBuffer.open({ dir: dir.path, ...OPTIONS });
  open.push(buffer);
  return buffer;
}

async function segments(): Promise<string[]> {
  return (await readdir(dir.path)).filter((n) => n.endsWith('.seg')).sort().map((n) => join(dir.path, n));
}

/** Byte offsets of each frame (its CRC; the length follows at +4) in a segment file. */
async function frames(path: string): Promise<number[]> {
  const buf = await readFile(path);
  const offsets: number[] = [];
  for (let offset = 16; offset + 8 <= buf.length; offset += 8 + buf.readUInt32LE(offset + 4)) offsets.push(offset);
  return offsets;
}

async function patch(path: string, offset: number, bytes: Buffer): Promise<void> {
  const buf = await readFile(path);
  bytes.copy(buf, offset);
  await writeFile(path, buf);
}

function seqs(buffer: LogBuffer): number[] {
  return buffer.range(1).map((e) => e.seq);
}

function allBut(...missing: number[]): number[] {
  return Array.from({ length: COUNT }, (_, i) => i + 1).filter((seq) => !missing.includes(seq));
}

beforeEach(async () => {
  dir = await tempDir();
  const buffer = await LogBuffer.open({ dir: dir.path, ...OPTIONS });
  buffer.append(makeEntries(0, COUNT));
  await buffer.close();
  expect((await segments()).length).toBeGreaterThan(3);
});

afterEach(async () => {
  for (const buffer of open.splice(0)) await buffer.close().catch(() => undefined);
  await dir.dispose();
});

describe('recovery', () => {
  it('cuts a torn tail back to the last whole record, once', async () => {
    const last = (await segments()).at(-1) as string;
    const size = (await stat(last)).size;
    await truncate(last, size - 5);
    const buffer = await openBuffer();
    expect(buffer.recovery).toMatchObject({ corrupt: 0, records: COUNT - 1 });
    expect(buffer.recovery.tornBytes).toBeGreaterThan(0);
    expect(seqs(buffer)).toEqual(allBut(COUNT));
    expect(buffer.append(makeEntries(0, 1))[0].seq).toBe(COUNT);
    await buffer.close();
    const again = await openBuffer();
    expect(again.recovery).toMatchObject({ corrupt: 0, tornBytes: 0, records: COUNT });
  });

  it('treats a zeroed tail (a crash before the data reached the disk) as torn', async () => {
    const last = (await segments()).at(-1) as string;
    await writeFile(last, Buffer.concat([await readFile(last), Buffer.alloc(4096)]));
    const buffer = await openBuffer();
    expect(buffer.recovery).toMatchObject({ corrupt: 0, tornBytes: 4096, records: COUNT });
  });

  it('skips a bit-flipped record in the middle, counts it, and keeps the records after it', async () => {
    const [, second] = await segments();
    const offsets = await frames(second);
    const target = offsets[3];
    const buf = await readFile(second);
    const seq = Number(/^\[(\d+),/.exec(buf.toString('utf8', target + 8, target + 30))?.[1]);
    buf[target + 20] ^= 0x04;
    await writeFile(second, buf);
    const buffer = await openBuffer();
    expect(buffer.recovery).toMatchObject({ corrupt: 1, tornBytes: 0 });
    expect(buffer.stats().drops.corrupt).toBe(1);
    expect(seqs(buffer)).toEqual(allBut(seq));
  });

  it('resyncs after a zeroed stretch in the middle', async () => {
    const [, second] = await segments();
    const offsets = await frames(second);
    await patch(second, offsets[2] + 3, Buffer.alloc(offsets[4] - offsets[2]));
    const buffer = await openBuffer();
    expect(buffer.recovery.corrupt).toBe(1);
    const kept = seqs(buffer);
    expect(kept.length).toBeGreaterThanOrEqual(COUNT - 3);
    expect(kept.at(-1)).toBe(COUNT);
  });

  it('never trusts an absurd or zero length', async () => {
    const [, second, third] = await segments();
    const absurd = Buffer.alloc(4);
    absurd.writeUInt32LE(0xfffffff0);
    await patch(second, (await frames(second))[1] + 4, absurd);
    await patch(third, (await frames(third))[1] + 4, Buffer.alloc(4));
    const buffer = await openBuffer();
    expect(buffer.recovery.corrupt).toBe(2);
    expect(seqs(buffer).length).toBe(COUNT - 2);
  });

  it('skips a segment whose header is garbage and counts it', async () => {
    const [, second] = await segments();
    const lost = (await frames(second)).length;
    await patch(second, 0, Buffer.from('garbage!'));
    const buffer = await openBuffer();
    expect(buffer.recovery.corrupt).toBe(1);
    expect(seqs(buffer).length).toBe(COUNT - lost);
    expect(seqs(buffer).at(-1)).toBe(COUNT);
  });

  it('counts damage at the end of an older segment as corruption, not as a torn tail', async () => {
    const [first] = await segments();
    await truncate(first, (await stat(first)).size - 3);
    const buffer = await openBuffer();
    expect(buffer.recovery).toMatchObject({ corrupt: 1, tornBytes: 0 });
    expect(seqs(buffer).length).toBe(COUNT - 1);
  });

  it('removes a zero-byte last segment left by a crash at creation', async () => {
    await writeFile(join(dir.path, `${String(COUNT + 1).padStart(16, '0')}.seg`), '');
    const buffer = await openBuffer();
    expect(buffer.recovery).toMatchObject({ corrupt: 0, tornBytes: 0, records: COUNT });
    expect(buffer.append(makeEntries(0, 1))[0].seq).toBe(COUNT + 1);
    await buffer.close();
    const again = await openBuffer();
    expect(again.get(COUNT + 1)).toBeDefined();
  });

  it('refuses an unknown format version with a clear message', async () => {
    const [, second] = await segments();
    const version = Buffer.alloc(2);
    version.writeUInt16LE(99);
    await patch(second, 4, version);
    const error = await LogBuffer.open({ dir: dir.path, ...OPTIONS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BufferFormatError);
    expect((error as Error).message).toMatch(/has format version 99, but this build reads version 1/);
    // The refusal released the lock: after fixing the file, the buffer opens.
    version.writeUInt16LE(1);
    await patch(second, 4, version);
    await openBuffer();
  });
});
