import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MinerStateError, TemplateMiner } from '../../../src/analysis/miner/template-miner.js';

const LINES = [
  'GET /api/users/42 200 12.3 ms',
  'GET /api/orders/7 500 3.1 ms',
  'session opened for user alice',
  'session opened for user bob',
  'session opened for user carol',
  'session opened for user dave',
  'worker 3 exited with code 1',
  'proxy.example.com:443 close, 1090 bytes sent, 2880 bytes received, lifetime 00:01',
  'proxy.example.com:443 close, 1090 bytes (1.06 KB) sent, 2880 bytes received, lifetime <1 sec',
];

describe('TemplateMiner state', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'miner-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through a JSON file with the same ids, templates and figures', async () => {
    const miner = new TemplateMiner();
    const ids = LINES.map((l, i) => miner.add(l, { timestamp: 1_000_000 + i * 1000, process: 'api', level: 'info' }).id);
    const file = join(dir, 'miner.json');
    await writeFile(file, JSON.stringify(miner));
    const reloaded = TemplateMiner.fromJSON(JSON.parse(await readFile(file, 'utf8')));

    expect(reloaded.size).toBe(miner.size);
    expect(reloaded.summaries()).toEqual(miner.summaries());
    // Ids handed out before a merge still resolve after the restart.
    for (const id of ids) expect(reloaded.summary(id)).toEqual(miner.summary(id));
    // New lines of known events get the old ids; matching uses every saved shape.
    LINES.forEach((line, i) => {
      const id = reloaded.resolveId(ids[i]);
      expect(reloaded.match(line)?.id).toBe(id);
      expect(reloaded.add(line.replace(/\d+/, '9')).id).toBe(id);
    });
    expect(reloaded.size).toBe(miner.size);
    expect(JSON.parse(JSON.stringify(reloaded.toJSON()))).toEqual(reloaded.toJSON());
  });

  it('keeps recency across a restart, so the cap evicts the same template', () => {
    const miner = new TemplateMiner({ maxTemplates: 3 });
    const a = miner.add('alpha event happened').id;
    const b = miner.add('beta thing occurred').id;
    miner.add('gamma stuff took place');
    miner.add('alpha event happened');
    const reloaded = TemplateMiner.fromJSON(miner.toJSON(), { maxTemplates: 3 });
    reloaded.add('delta went wrong now');
    expect(reloaded.summary(b)).toBeUndefined();
    expect(reloaded.summary(a)).toBeDefined();
  });

  it('applies a smaller cap on load by dropping the least recent', () => {
    const miner = new TemplateMiner();
    for (const line of ['alpha event happened', 'beta thing occurred', 'gamma stuff took place', 'delta went wrong']) miner.add(line);
    const reloaded = TemplateMiner.fromJSON(miner.toJSON(), { maxTemplates: 2 });
    expect(reloaded.summaries().map((s) => s.template)).toEqual(['gamma stuff took place', 'delta went wrong']);
  });

  it.each([
    [null, 'invalid miner state at state'],
    [{ version: 2, templates: [], aliases: [] }, 'invalid miner state at version'],
    [{ version: 1, templates: [{ id: 'x' }], aliases: [] }, 'invalid miner state at templates.0.shapes'],
    [{ version: 1, templates: [], aliases: 'no' }, 'invalid miner state at aliases'],
  ])('rejects a bad state %j with a clear error', (state, message) => {
    expect(() => TemplateMiner.fromJSON(state)).toThrow(MinerStateError);
    expect(() => TemplateMiner.fromJSON(state)).toThrow(message);
  });

  it('rejects duplicate ids', () => {
    const state = new TemplateMiner().toJSON();
    const one = new TemplateMiner();
    one.add('hello world');
    const [t] = one.toJSON().templates;
    expect(() => TemplateMiner.fromJSON({ ...state, templates: [t, t] })).toThrow('duplicate template id');
  });
});
