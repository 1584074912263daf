// `npm run bench`: every benchmark, one after another, each in its own process so that one's heap
// and timers do not colour the next one's figures. Pass names to run some: `npm run bench -- buffer`.
// `ingest` runs twice: the capture alone, then with the redaction the monitor applies before storing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ALL = ['ingest', 'buffer', 'analysis', 'analyze', 'context', 'mcp'];
/** Benchmarks run more than once, and the arguments of each run. */
const VARIANTS: Record<string, string[][]> = { ingest: [[], ['--redact']] };
const root = join(import.meta.dirname, '..');
const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : ALL;
let failed = 0;
for (const name of names) {
  const file = join(root, 'bench', `${name}.ts`);
  if (!existsSync(file)) {
    process.stderr.write(`bench: no benchmark named '${name}' (have: ${ALL.join(', ')})\n`);
    failed++;
    continue;
  }
  for (const args of VARIANTS[name] ?? [[]]) {
    process.stdout.write(`\n=== ${[name, ...args].join(' ')} ===\n`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file, ...args], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) failed++;
  }
}
process.exitCode = failed ? 1 : 0;
