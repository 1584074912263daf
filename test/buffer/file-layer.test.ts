import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileLayer, readTail, type FileLayer } from '../../src/buffer/file-layer.js';
import { tempDir, type TempDir } from './fixtures/entries.js';

let dir: TempDir;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await dir.dispose();
});

/** The node layer without its tail read, as a test fake would be. */
const wholeReadsOnly: FileLayer = {
  mkdir: nodeFileLayer.mkdir,
  readdir: nodeFileLayer.readdir,
  readFile: nodeFileLayer.readFile,
  open: nodeFileLayer.open,
  unlink: nodeFileLayer.unlink,
  syncDir: nodeFileLayer.syncDir,
};

describe('readTail', () => {
  it.each([
    ['its own tail read', nodeFileLayer],
    ['a whole read, on a layer without one', wholeReadsOnly],
  ])('returns the bytes from an offset to the end through %s', async (_how, files) => {
    const path = join(dir.path, 'data');
    await writeFile(path, 'abcdefghij');
    expect((await readTail(files, path, 0)).toString()).toBe('abcdefghij');
    expect((await readTail(files, path, 7)).toString()).toBe('hij');
    expect(await readTail(files, path, 10)).toHaveLength(0);
    expect(await readTail(files, path, 25)).toHaveLength(0);
  });
});
