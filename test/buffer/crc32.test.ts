import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/buffer/crc32.js';

describe('crc32', () => {
  it('agrees with zlib on every length and alignment, short and long', () => {
    const buf = Buffer.alloc(10_000);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 7919 + (i >> 5)) & 0xff;
    for (const start of [0, 1, 3, 7]) {
      for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 150, 4095, 4096, 9000]) {
        expect(crc32(buf, start, start + length), `${start}+${length}`).toBe(zlibCrc32(buf.subarray(start, start + length)));
      }
    }
    expect(crc32(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
  });
});
