import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanStaleTempFiles, ReportPathError, resolveReportPath, writeFileAtomic } from '../../src/report/safe-write.js';

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'plm-report-')));
  root = join(base, 'docs');
  outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function rejected(requested: string, roots: string | string[] = root): Promise<string> {
  try {
    await resolveReportPath(roots, requested);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportPathError);
    return (error as Error).message;
  }
  throw new Error(`'${requested}' was accepted`);
}

describe('resolveReportPath', () => {
  it('resolves a relative path inside the root and creates missing folders', async () => {
    expect(await resolveReportPath(root, 'report.md')).toBe(join(root, 'report.md'));
    expect(await resolveReportPath(root, 'incidents/2026/12/api.md')).toBe(join(root, 'incidents/2026/12/api.md'));
    expect((await stat(join(root, 'incidents/2026/12'))).isDirectory()).toBe(true);
    expect(await resolveReportPath([root], './a/../b.md')).toBe(join(root, 'b.md'));
  });

  it('accepts an absolute path inside any of several roots, and creates a missing root', async () => {
    const second = join(base, 'reports');
    expect(await resolveReportPath([root, second], join(second, 'x.md'))).toBe(join(second, 'x.md'));
    expect((await stat(second)).isDirectory()).toBe(true);
  });

  it('rejects .. escapes, naming the root', async () => {
    expect(await rejected('../outside/x.md')).toContain(`outside the allowed root ${root}`);
    expect(await rejected('a/../../x.md')).toContain(root);
    expect(await rejected('../../../../../../etc/x.md')).toContain(root);
  });

  it('rejects absolute paths outside every root', async () => {
    expect(await rejected(join(outside, 'x.md'))).toContain(`outside the allowed root ${root}`);
    expect(await rejected('/etc/x.md', [root, outside + '/sub'])).toContain(`the allowed roots ${root}, ${outside}/sub`);
  });

  it('rejects a sibling folder that shares the root as a prefix', async () => {
    await mkdir(`${root}-evil`);
    expect(await rejected(`${root}-evil/x.md`)).toContain(`outside the allowed root ${root}`);
    expect(await rejected('../docs-evil/x.md')).toContain(root);
  });

  it('rejects a symlinked folder inside the root that points out', async () => {
    await symlink(outside, join(root, 'link'));
    expect(await rejected('link/x.md')).toMatch(/symbolic link 'link' in .*docs/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('rejects a symlink deeper on the way, even one that points back inside', async () => {
    await mkdir(join(root, 'a/b'), { recursive: true });
    await symlink(join(root, 'a'), join(root, 'a/b/up'));
    expect(await rejected('a/b/up/x.md')).toContain("symbolic link 'a/b/up'");
  });

  it('rejects a final file that is a symlink, dangling or not', async () => {
    await writeFile(join(outside, 'target.md'), 'precious');
    await symlink(join(outside, 'target.md'), join(root, 'report.md'));
    await symlink(join(outside, 'missing.md'), join(root, 'dangling.md'));
    expect(await rejected('report.md')).toContain("symbolic link 'report.md'");
    expect(await rejected('dangling.md')).toContain("symbolic link 'dangling.md'");
    expect(await readFile(join(outside, 'target.md'), 'utf8')).toBe('precious');
  });

  it('follows links in the configured root itself, which is trusted', async () => {
    const linkedRoot = join(base, 'linked-root');
    await symlink(root, linkedRoot);
    expect(await resolveReportPath(linkedRoot, 'x.md')).toBe(join(root, 'x.md'));
    expect(await resolveReportPath(linkedRoot, join(linkedRoot, 'y.md'))).toBe(join(root, 'y.md'));
    expect(await resolveReportPath(linkedRoot, join(root, 'z.md'))).toBe(join(root, 'z.md'));
  });

  it('rejects NUL bytes, non-.md names, folders and empty paths', async () => {
    expect(await rejected('x.md\0.txt')).toContain('NUL byte');
    expect(await rejected('report.txt')).toContain('.md file');
    expect(await rejected('report.md.sh')).toContain('.md file');
    expect(await rejected('.md')).toContain('.md file');
    expect(await rejected('dir.md/')).toContain('.md file');
    expect(await rejected('')).toContain('empty');
    await mkdir(join(root, 'folder.md'));
    expect(await rejected('folder.md')).toContain('is not a regular file');
    await writeFile(join(root, 'file'), '');
    expect(await rejected('file/x.md')).toContain("'file'");
    expect(await rejected('x.md', [])).toContain('no report root');
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const path = join(root, 'r.md');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new ✓');
    expect(await readFile(path, 'utf8')).toBe('new ✓');
    expect(await readdir(root)).toEqual(['r.md']);
  });

  it('replaces a symlink itself instead of writing through it', async () => {
    await writeFile(join(outside, 'target.md'), 'precious');
    const path = join(root, 'r.md');
    await symlink(join(outside, 'target.md'), path);
    await writeFileAtomic(path, 'report');
    expect((await lstat(path)).isFile()).toBe(true);
    expect(await readFile(join(outside, 'target.md'), 'utf8')).toBe('precious');
  });

  it('fails without leaving a temporary file when the folder is missing', async () => {
    await expect(writeFileAtomic(join(root, 'missing/r.md'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('cleanStaleTempFiles', () => {
  it('removes temporaries of dead writers and old ones, keeps live ones and other files', async () => {
    const deadPid = 2 ** 22 + 12_345;
    const dead = join(root, `.r.md.${deadPid}.0123456789ab.plm-tmp`);
    const live = join(root, `.r.md.${process.pid}.0123456789ab.plm-tmp`);
    const oldLive = join(root, `.s.md.${process.pid}.0123456789ab.plm-tmp`);
    await writeFile(dead, 'partial');
    await writeFile(live, 'partial');
    await writeFile(oldLive, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(oldLive, twoHoursAgo, twoHoursAgo);
    await writeFile(join(root, 'r.md'), 'report');
    await writeFile(join(root, 'notes.plm-tmp'), 'not ours');
    expect(await cleanStaleTempFiles(root)).toBe(2);
    expect((await readdir(root)).sort()).toEqual([`.r.md.${process.pid}.0123456789ab.plm-tmp`, 'notes.plm-tmp', 'r.md']);
    expect(await cleanStaleTempFiles(join(root, 'missing'))).toBe(0);
  });
});
