import { describe, expect, it } from 'vitest';
import { isTriggerState, TriggerEngine, type TriggerOptions } from '../../src/buffer/triggers.js';
import type { LogEntry, ProcessEvent } from '../../src/core/types.js';
import { makeEntry, manualClock } from './fixtures/entries.js';

let seq = 0;
function entries(count: number, overrides: Partial<LogEntry> = {}): LogEntry[] {
  return Array.from({ length: count }, () => {
    seq++;
    return { ...makeEntry(seq, { level: 'info' }), seq, ...overrides };
  });
}

function event(kind: ProcessEvent['kind'], at: number, overrides: Partial<ProcessEvent> = {}): ProcessEvent {
  return { kind, at, pmId: 0, process: 'api', ...overrides };
}

const QUIET: TriggerOptions = { flushIntervalMs: 3_600_000, sizeThreshold: 1_000_000, debounceMs: 1000, cooldownMs: 10_000 };

function setup(options: TriggerOptions = {}) {
  const clock = manualClock();
  const engine = new TriggerEngine({ ...QUIET, ...options }, clock);
  /** Lets the debounce pass, then polls. */
  const fire = () => {
    clock.advance(1000);
    return engine.poll();
  };
  return { clock, engine, fire };
}

describe('TriggerEngine', () => {
  it('fires on time only when new entries arrived', () => {
    const { clock, engine } = setup({ flushIntervalMs: 60_000, debounceMs: 0 });
    clock.advance(120_000);
    expect(engine.poll()).toBeUndefined();
    const batch = entries(3);
    engine.observe(batch);
    expect(engine.poll()).toMatchObject({ cause: 'time', fromSeq: batch[0].seq, toSeq: batch[2].seq });
    engine.markAnalyzed(batch[2].seq);
    clock.advance(120_000);
    expect(engine.poll()).toBeUndefined();
  });

  it('fires on size after N new entries since the last analysis, and counts again after it', () => {
    const { engine, fire } = setup({ sizeThreshold: 100 });
    engine.observe(entries(99));
    expect(fire()).toBeUndefined();
    const [one] = entries(1);
    engine.observe([one]);
    const firing = fire();
    expect(firing).toMatchObject({ cause: 'size', toSeq: one.seq });
    expect(firing?.detail).toContain('100 new entries');
    engine.observe(entries(40));
    engine.markAnalyzed(firing!.toSeq);
    expect(engine.state().newEntries).toBe(40);
  });

  it('fires on a configured pattern, naming it', () => {
    const { engine, fire } = setup({ patterns: ['out of memory', '/ECONN[A-Z]+/'] });
    engine.observe(entries(5));
    expect(fire()).toBeUndefined();
    engine.observe(entries(1, { message: 'FATAL: Out Of Memory in heap' }));
    expect(fire()).toMatchObject({ cause: 'pattern', detail: expect.stringContaining('/out of memory/') });
    expect(() => new TriggerEngine({ patterns: ['(x'] }, manualClock())).toThrow(/invalid regular expression "\(x"/);
  });

  it('fires on an uncaught exception: an event, or an error entry with a stack trace', () => {
    const a = setup();
    a.engine.observeEvents([event('exception', 1, { errorName: 'TypeError', message: 'x is undefined' })]);
    expect(a.fire()).toMatchObject({ cause: 'exception', detail: 'api: TypeError: x is undefined' });
    const b = setup();
    b.engine.observe(entries(1, { level: 'error', message: 'Error: boom\n    at main (/app/index.js:3:9)' }));
    expect(b.fire()).toMatchObject({ cause: 'exception', detail: expect.stringContaining('api: Error: boom') });
    const c = setup();
    c.engine.observe(entries(1, { level: 'error', message: 'plain failure' }));
    expect(c.fire()).toBeUndefined();
  });

  it('fires on a restart, and on a crash loop of N unplanned restarts within W', () => {
    const { clock, engine, fire } = setup({ crashLoop: { restarts: 3, windowMs: 60_000 }, cooldownMs: 0 });
    engine.observeEvents([event('restart', clock.now(), { manually: true })]);
    expect(fire()).toBeUndefined();
    engine.observeEvents([event('exit', clock.now(), { exitCode: 1 })]);
    expect(fire()).toMatchObject({ cause: 'restart', detail: 'api exited with code 1' });
    engine.observeEvents([event('exit', clock.now() + 10_000), event('exit', clock.now() + 20_000)]);
    expect(fire()).toMatchObject({ cause: 'crash-loop', detail: 'api exited 3 times within 60 s; also: restart' });
    engine.observeEvents([event('exit', clock.now() + 200_000, { process: 'worker', signal: 'SIGKILL' })]);
    expect(fire()).toMatchObject({ cause: 'restart', detail: 'worker exited by SIGKILL' });
    engine.observeEvents([event('restart overlimit', clock.now())]);
    expect(fire()?.cause).toBe('crash-loop');
  });

  it('fires on an error burst of N errors within W seconds of entry time', () => {
    const { engine, fire } = setup({ burst: { errors: 5, windowMs: 10_000 } });
    const spread = entries(5, { level: 'error' }).map((e, i) => ({ ...e, timestamp: i * 5000 }));
    engine.observe(spread);
    expect(fire()).toBeUndefined();
    const dense = entries(5, { level: 'error', process: 'worker' }).map((e, i) => ({ ...e, timestamp: 100_000 + i * 100 }));
    engine.observe(dense);
    expect(fire()).toMatchObject({ cause: 'error-burst', detail: '5 errors within 10 s (worker: 5)' });
  });

  it('fires once for an error pattern never seen before, within a bounded known set', () => {
    const { engine, fire } = setup({ cooldownMs: 0, knownPatternsCap: 2 });
    engine.observe(entries(1, { level: 'error', patternId: 'p1' }));
    expect(fire()).toMatchObject({ cause: 'new-error-pattern', detail: expect.stringContaining('pattern p1') });
    engine.observe(entries(3, { level: 'error', patternId: 'p1' }));
    engine.observe(entries(1, { level: 'info', patternId: 'p9' }));
    expect(fire()).toBeUndefined();
    engine.observe(entries(1, { level: 'error', patternId: 'p2' }));
    engine.observe(entries(1, { level: 'error', patternId: 'p3' }));
    expect(fire()?.cause).toBe('new-error-pattern');
    expect(engine.state().knownErrorPatterns).toEqual(['p2', 'p3']);
  });

  it('turns a storm into one firing: debounce gathers, cooldown holds, the most urgent cause names it', () => {
    const { clock, engine } = setup({ burst: { errors: 3, windowMs: 1000 }, debounceMs: 2000, cooldownMs: 30_000 });
    const fired = [];
    for (let t = 0; t < 60_000; t += 100) {
      engine.observe(entries(5, { level: 'error', patternId: `p${t % 700}`, timestamp: clock.now() }));
      engine.observeEvents([event('exit', clock.now())]);
      const firing = engine.poll();
      if (firing) fired.push({ ...firing, t });
      clock.advance(100);
    }
    expect(fired.map((f) => f.t)).toEqual([2000, 32000]);
    expect(fired[0].cause).toBe('crash-loop');
    expect(fired[0].detail).toMatch(/; also: error-burst, new-error-pattern, restart$/);
    expect(fired[1].fromSeq).toBe(fired[0].fromSeq);
    expect(fired.every((f) => f.toSeq >= f.fromSeq)).toBe(true);
  });

  it('gives each firing its window: from the last analysed seq to the newest seen', () => {
    const { engine, fire } = setup({ sizeThreshold: 10, cooldownMs: 0 });
    const first = entries(10);
    engine.observe(first);
    const one = fire();
    expect(one).toMatchObject({ fromSeq: first[0].seq, toSeq: first[9].seq });
    engine.markAnalyzed(one!.toSeq);
    const second = entries(10);
    engine.observe(second);
    expect(fire()).toMatchObject({ fromSeq: second[0].seq, toSeq: second[9].seq });
  });

  it('keeps its state as JSON across a restart', () => {
    const { clock, engine, fire } = setup({ sizeThreshold: 10 });
    engine.observe(entries(10, { level: 'error', patternId: 'known' }));
    const firing = fire();
    engine.markAnalyzed(firing!.toSeq);
    engine.observe(entries(4));
    const saved = JSON.parse(JSON.stringify(engine.state()));
    expect(isTriggerState(saved)).toBe(true);
    expect(isTriggerState({ ...saved, version: 2 })).toBe(false);

    const restarted = new TriggerEngine({ ...QUIET, sizeThreshold: 10 }, clock, saved);
    expect(restarted.state()).toEqual(engine.state());
    restarted.observe(entries(1, { level: 'error', patternId: 'known' }));
    clock.advance(20_000);
    expect(restarted.poll()).toBeUndefined();
    restarted.observe(entries(5));
    clock.advance(1000);
    expect(restarted.poll()).toMatchObject({ cause: 'size', fromSeq: firing!.toSeq + 1 });
  });

  it('rejects bad options with exact messages', () => {
    expect(() => new TriggerEngine({ sizeThreshold: 0 }, manualClock())).toThrow('sizeThreshold must be an integer >= 1, got 0');
    expect(() => new TriggerEngine({ burst: { errors: 3, windowMs: -1 } }, manualClock())).toThrow('burst.windowMs must be an integer >= 1, got -1');
  });
});
