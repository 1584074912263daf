import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStateFile, writeStateFile } from '../../src/buffer/state-file.js';
import { tempDir, type TempDir } from './fixtures/entries.js';

let dir: TempDir;
let path: string;

const isCounter = (v: unknown): v is { n: number } => typeof (v as { n?: unknown } | null)?.n === 'number';

beforeEach(async () => {
  dir = await tempDir('plm-state-');
  path = join(dir.path, 'state.json');
});

afterEach(async () => {
  await dir.dispose();
});

describe('state files', () => {
  it('writes JSON atomically and keeps the previous good copy', async () => {
    expect(await readStateFile(path)).toBeUndefined();
    await writeStateFile(path, { n: 1 });
    await writeStateFile(path, { n: 2 });
    expect(await readStateFile(path, isCounter)).toEqual({ n: 2 });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toEqual({ n: 1 });
    expect((await readdir(dir.path)).sort()).toEqual(['state.json', 'state.json.bak']);
  });

  it.each([
    ['zero-byte', ''],
    ['truncated', '{"n": 2'],
    ['wrong shape', '{"m": 2}'],
  ])('falls back to the copy when the file is %s', async (_, content) => {
    await writeStateFile(path, { n: 1 });
    await writeStateFile(path, { n: 2 });
    await writeFile(path, content);
    expect(await readStateFile(path, isCounter)).toEqual({ n: 1 });
  });

  it('does not let a damaged file replace the good copy', async () => {
    await writeStateFile(path, { n: 1 });
    await writeStateFile(path, { n: 2 });
    await writeFile(path, '');
    await writeStateFile(path, { n: 3 });
    expect(JSON.parse(await readFile(`${path}.bak`, 'utf8'))).toEqual({ n: 1 });
    expect(await readStateFile(path, isCounter)).toEqual({ n: 3 });
  });

  it('reads the copy when the main file is missing (a crash between the two renames)', async () => {
    await writeFile(`${path}.bak`, '{"n": 7}');
    expect(await readStateFile(path, isCounter)).toEqual({ n: 7 });
  });

  it('returns undefined when neither copy is usable, and keeps concurrent writes in order', async () => {
    await writeFile(path, '');
    await writeFile(`${path}.bak`, 'nope');
    expect(await readStateFile(path)).toBeUndefined();
    await Promise.all(Array.from({ length: 20 }, (_, n) => writeStateFile(path, { n })));
    expect(await readStateFile(path, isCounter)).toEqual({ n: 19 });
    expect((await readdir(dir.path)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses data that is not JSON', async () => {
    await expect(writeStateFile(path, undefined)).rejects.toThrow('is not JSON-serialisable');
  });
});
