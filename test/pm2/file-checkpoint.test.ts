import { writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FINGERPRINT_BYTES, TAIL_BYTES, fingerprintOf, readKnownBytes } from '../../src/pm2/file-checkpoint.js';

describe('readKnownBytes', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plm-file-checkpoint-'));
    path = join(dir, 'app-out.log');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the head and the bytes before the offset, as a position there keeps them', async () => {
    const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    writeFileSync(path, content);
    const handle = await open(path, 'r');
    try {
      const known = await readKnownBytes(handle, 2000);
      expect(known?.head.equals(content.subarray(0, FINGERPRINT_BYTES))).toBe(true);
      expect(known?.fingerprint).toBe(fingerprintOf(content.subarray(0, FINGERPRINT_BYTES)));
      expect(known?.tail.equals(content.subarray(2000 - TAIL_BYTES, 2000))).toBe(true);
      const short = await readKnownBytes(handle, 10);
      expect(short?.head.toString()).toBe('abcdefghij');
      expect(short?.tail.toString()).toBe('abcdefghij');
    } finally {
      await handle.close();
    }
  });

  it('gives nothing when the file is shorter than the offset', async () => {
    writeFileSync(path, 'only a little\n');
    const handle = await open(path, 'r');
    try {
      expect(await readKnownBytes(handle, 100)).toBeUndefined();
    } finally {
      await handle.close();
    }
  });
});
