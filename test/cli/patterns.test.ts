import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPatternsCommand } from '../../src/cli/patterns.js';
import type { PatternSummary } from '../../src/core/types.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

async function run(argv: string[], stdinText = ''): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runPatternsCommand(argv, { stdin: Readable.from([stdinText]), stdout, stderr });
  return { code, stdout: out(), stderr: err() };
}

const APP_LOG = [
  '2026-12-04T19:16:21: GET /api/users/42 200 12.3 ms - 27',
  '2026-12-04T19:16:22: GET /api/orders/7 200 3.1 ms - 99',
  '{"level":50,"time":1764875782000,"pid":7,"msg":"db timeout after 5000ms"}',
  '{"level":50,"time":1764875783000,"pid":7,"msg":"db timeout after 3000ms"}',
  'Listening on port 3000',
  '2026-12-04T19:16:23: GET /health 200 0.4 ms - 2',
].join('\n');

describe('pm2-log-monitor patterns', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'patterns-cli-'));
    file = join(dir, 'app-out.log');
    await writeFile(file, `${APP_LOG}\r\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a table of the top patterns with counts', async () => {
    const r = await run([file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('│') && !l.includes('template'));
    expect(rows[0]).toMatch(/│ 3 +│ 50\.0% +│ p[0-9a-f]{8} │ GET <\*> <\*> <\*> <\*> - <\*> +│/);
    expect(rows[1]).toContain('db timeout after <*>');
    expect(r.stdout).toContain('6 lines, 3 patterns');
  });

  it('reads stdin when no file is given, and honours --top', async () => {
    const r = await run(['--top', '1'], APP_LOG);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 lines, top 1 of 3 patterns');
  });

  it('prints summaries as JSON with levels and times from the lines', async () => {
    const r = await run(['--format', 'json', file]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { lines: number; total: number; returned: number; patterns: PatternSummary[] };
    expect(parsed).toMatchObject({ lines: 6, total: 3, returned: 3 });
    const db = parsed.patterns.find((p) => p.template === 'db timeout after <*>');
    expect(db).toMatchObject({ count: 2, levels: { error: 2 }, firstSeen: 1764875782000, lastSeen: 1764875783000 });
    expect(db?.wildcards[0].values.map((v) => v.value).sort()).toEqual(['3000ms', '5000ms']);
  });

  it('--jsonl gives every line, in order, the template as it stands at the end', async () => {
    const lines = ['user alice logged in', 'user bob logged in', 'cache warmed', 'user carol logged in', 'user dave logged in'];
    const r = await run(['--jsonl'], lines.join('\n'));
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; templateId: string; template: string });
    expect(out.map((o) => o.line)).toEqual([1, 2, 3, 4, 5]);
    const users = out.filter((o) => o.template.startsWith('user'));
    expect(new Set(users.map((o) => o.templateId)).size).toBe(1);
    expect(users[0].template).toBe('user <*> logged in');
    expect(out[2]).toMatchObject({ template: 'cache warmed' });
  });

  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: pm2-log-monitor patterns');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--top', '0'], "--top must be a positive integer, got '0'"],
    [['--top', 'ten'], "--top must be a positive integer, got 'ten'"],
    [['--format', 'xml'], "--format must be 'table' or 'json', got 'xml'"],
    [['--jsonl', '--format', 'json'], '--jsonl cannot be combined with --format'],
  ])('rejects %j with exit 2', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });

  it('names an unreadable file and exits 1', async () => {
    const missing = join(dir, 'missing.log');
    let r = await run([file, missing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`cannot read ${missing}`);
    r = await run([dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read ${dir}`);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.log');
      await writeFile(locked, 'x\n');
      await chmod(locked, 0o000);
      r = await run([locked]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot read ${locked}`);
    }
  });
});
