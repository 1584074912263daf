// Template miner benchmark on the Loghub-2k development set: Grouping Accuracy per system and the
// mean, with the miner's one default configuration for every system, next to a baseline run in the
// same process ("mask digit runs, group by the masked line"); then throughput of both.
// Usage: node --import tsx bench/analysis.ts [loghub2k-dir]   (default ../shared/loghub2k-dev)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TemplateMiner } from '../src/analysis/miner/template-miner.js';
import { groupingAccuracy, type LabelledSystem, loadFormats, loadSystem } from './loghub.js';

const SYSTEMS = ['HDFS', 'Spark', 'BGL', 'Thunderbird', 'Linux', 'HealthApp', 'Proxifier', 'Mac'];

/** Template ids per line as they stand at the end of the input. */
export function mineIds(contents: readonly string[]): string[] {
  const miner = new TemplateMiner();
  const ids = contents.map((c) => miner.add(c).id);
  return ids.map((id) => miner.resolveId(id) ?? id);
}

export function baselineIds(contents: readonly string[]): string[] {
  return contents.map((c) => c.replace(/\d+/g, '0'));
}

/**
 * Lines per CPU-second of this process (user + system) over one pass on every system, best of
 * `rounds` passes: CPU time leaves out waiting for other work on the machine, and the best pass is
 * the least disturbed one.
 */
function linesPerCpuSecond(systems: readonly LabelledSystem[], run: (contents: readonly string[]) => unknown, rounds = 9): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let lines = 0;
    const cpu0 = process.cpuUsage();
    for (const s of systems) {
      run(s.contents);
      lines += s.contents.length;
    }
    const cpu = process.cpuUsage(cpu0);
    best = Math.max(best, lines / ((cpu.user + cpu.system) / 1e6));
  }
  return best;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export async function runMinerBench(root: string, out: (line: string) => void): Promise<void> {
  const formats = await loadFormats(root);
  const systems: LabelledSystem[] = [];
  for (const name of SYSTEMS) systems.push(await loadSystem(root, name, formats[name]));

  out(`Template miner: Grouping Accuracy on Loghub-2k (${root})`);
  out('Headers stripped with each system\'s given log format (standard for GA); miner: one default config for all.');
  out('Baseline: digit runs replaced by 0, lines grouped by the result.');
  out('');
  out(`${pad('system', 13)}${pad('miner GA', 10)}${pad('baseline GA', 13)}${pad('templates', 11)}truth`);
  let sumMiner = 0;
  let sumBase = 0;
  for (const s of systems) {
    const mined = mineIds(s.contents);
    const ga = groupingAccuracy(mined, s.events);
    const base = groupingAccuracy(baselineIds(s.contents), s.events);
    sumMiner += ga;
    sumBase += base;
    const note = s.unmatched > 0 ? `  (${s.unmatched} lines without a header match)` : '';
    out(`${pad(s.name, 13)}${pad(ga.toFixed(3), 10)}${pad(base.toFixed(3), 13)}${pad(String(new Set(mined).size), 11)}${new Set(s.events).size}${note}`);
  }
  const meanMiner = sumMiner / systems.length;
  const meanBase = sumBase / systems.length;
  out(`${pad('mean', 13)}${pad(meanMiner.toFixed(3), 10)}${pad(meanBase.toFixed(3), 13)}`);
  out('');

  // Fresh: a new miner per system, learning every template from nothing. Warm: one miner that has
  // already seen these systems, as on the capture path once an application's events are known.
  const fresh = linesPerCpuSecond(systems, (c) => {
    const miner = new TemplateMiner();
    for (const line of c) miner.add(line);
  });
  const warmMiner = new TemplateMiner();
  for (const s of systems) for (const line of s.contents) warmMiner.add(line);
  const warm = linesPerCpuSecond(systems, (c) => {
    for (const line of c) warmMiner.add(line);
  });
  const base = linesPerCpuSecond(systems, baselineIds);
  const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} lines/s`;
  out('throughput per CPU-second, one thread, best of 9 passes over the 16,000 lines:');
  out(`  miner, warm (templates known)   ${rate(warm)}  (${(warm / base).toFixed(2)} x baseline)`);
  out(`  miner, fresh (learning all)     ${rate(fresh)}  (${(fresh / base).toFixed(2)} x baseline)`);
  out(`  baseline (mask digits, group)   ${rate(base)}`);
  out(`mean GA ratio miner/baseline: ${(meanMiner / meanBase).toFixed(2)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../../shared/loghub2k-dev'));
  await runMinerBench(root, (line) => process.stdout.write(`${line}\n`));
}
