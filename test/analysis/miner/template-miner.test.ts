import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../../src/analysis/miner/template-miner.js';

/** Mines `lines` and returns, per line, the template it ends up in. */
function templatesOf(lines: string[], miner = new TemplateMiner()): string[] {
  const ids = lines.map((l) => miner.add(l).id);
  return ids.map((id) => miner.summary(id)?.template ?? '?');
}

describe('TemplateMiner golden templates', () => {
  it('express / morgan access lines', () => {
    const lines = [
      'GET /api/users/42 200 12.345 ms - 27',
      'GET /api/orders/7 200 3.101 ms - 1024',
      'POST /api/login 401 5.2 ms - 44',
      'GET /health 200 0.512 ms - 2',
      'POST /api/orders 500 120.7 ms - 87',
    ];
    expect(templatesOf(lines)).toEqual([
      'GET <*> <*> <*> <*> - <*>',
      'GET <*> <*> <*> <*> - <*>',
      'POST <*> <*> <*> <*> - <*>',
      'GET <*> <*> <*> <*> - <*>',
      'POST <*> <*> <*> <*> - <*>',
    ]);
  });

  it('keeps the five HTTP verbs apart in the first position', () => {
    const verbs = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
    expect(new Set(templatesOf(verbs.map((v) => `${v} /api/items/1 200 2.0 ms - 10`))).size).toBe(5);
  });

  it('pino messages and application errors', () => {
    const lines = [
      'user 8f14e45f-ceea-467f-a9b5-1f8c2c1c2a10 logged in from 192.168.1.20',
      'user 3c59dc04-8f1e-4a0e-b6f4-2b1d9b0e7f11 logged in from 10.0.0.3',
      'Connected to postgres at db.internal:5432 in 45ms',
      'Connected to postgres at 10.0.0.9:5432 in 120ms',
      "TypeError: Cannot read properties of undefined (reading 'id')\n    at handler (/app/src/routes/users.js:42:17)",
      "TypeError: Cannot read properties of undefined (reading 'name')\n    at render (/app/src/view.js:9:3)",
      'Error: connect ECONNREFUSED 127.0.0.1:6379',
      'Sent email to alice@example.com (id=abc123)',
      'Sent email to bob@example.org (id=def456)',
      'request completed',
    ];
    expect(templatesOf(lines)).toEqual([
      'user <*> logged in from <*>',
      'user <*> logged in from <*>',
      'Connected to postgres at <*> in <*>',
      'Connected to postgres at <*> in <*>',
      "TypeError: Cannot read properties of undefined (reading '<*>')",
      "TypeError: Cannot read properties of undefined (reading '<*>')",
      'Error: connect ECONNREFUSED <*>',
      'Sent email to <*> (id=<*>)',
      'Sent email to <*> (id=<*>)',
      'request completed',
    ]);
  });

  it('postgres server errors', () => {
    const lines = [
      'ERROR:  duplicate key value violates unique constraint "users_email_key"',
      'ERROR:  duplicate key value violates unique constraint "orders_pkey"',
      'ERROR:  relation "sessions" does not exist at character 15',
      'ERROR:  relation "audit_log" does not exist at character 22',
      'FATAL:  password authentication failed for user "app"',
      'LOG:  checkpoint complete: wrote 42 buffers (0.3%); 0 WAL file(s) added, 0 removed, 1 recycled',
      'LOG:  checkpoint complete: wrote 7 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled',
    ];
    expect(templatesOf(lines)).toEqual([
      'ERROR: duplicate key value violates unique constraint "<*>"',
      'ERROR: duplicate key value violates unique constraint "<*>"',
      'ERROR: relation "<*>" does not exist at character <*>',
      'ERROR: relation "<*>" does not exist at character <*>',
      'FATAL: password authentication failed for user "<*>"',
      'LOG: checkpoint complete: wrote <*> buffers (<*>); <*> WAL file(s) added, <*> removed, <*> recycled',
      'LOG: checkpoint complete: wrote <*> buffers (<*>); <*> WAL file(s) added, <*> removed, <*> recycled',
    ]);
  });

  it('PM2 daemon lines keep distinct events apart', () => {
    const lines = [
      'PM2        | App [api:0] starting in -fork mode-',
      'PM2        | App [api:0] online',
      'PM2        | App [worker:1] starting in -fork mode-',
      'PM2        | App [worker:1] online',
      'PM2        | App [api:0] exited with code [1] via signal [SIGINT]',
      'PM2        | App [worker:1] exited with code [0] via signal [SIGINT]',
      'PM2        | Stopping app:api id:0',
      'PM2        | Stopping app:worker id:1',
    ];
    const t = templatesOf(lines);
    expect(t[0]).toBe('PM2 | App [<*>] starting in -fork mode-');
    expect(t[1]).toBe('PM2 | App [<*>] online');
    expect(t[2]).toBe(t[0]);
    expect(t[3]).toBe(t[1]);
    expect(t[4]).toBe('PM2 | App [<*>] exited with code [<*>] via signal [SIGINT]');
    expect(t[5]).toBe(t[4]);
    expect(new Set(t).size).toBe(5);
  });

  it('generalizes a word position after enough distinct values, keeping the first id', () => {
    const miner = new TemplateMiner();
    const first = miner.add('session opened for user alice');
    expect(first.isNew).toBe(true);
    miner.add('session opened for user bob');
    miner.add('session opened for user carol');
    expect(miner.size).toBe(3);
    const fourth = miner.add('session opened for user dave');
    expect(fourth.id).toBe(first.id);
    expect(fourth.template).toBe('session opened for user <*>');
    expect(fourth.params).toEqual(['dave']);
    expect(miner.size).toBe(1);
    expect(miner.summary(first.id)?.count).toBe(4);
    // Two words in one position are two events.
    miner.add('session closed for user alice');
    expect(miner.add('session opened for user erin').id).toBe(first.id);
    expect(miner.size).toBe(2);
  });

  it('joins shapes of one event whose variable part has more tokens', () => {
    const miner = new TemplateMiner();
    const a = miner.add('proxy.example.com:443 close, 1090 bytes sent, 2880 bytes received, lifetime 00:01');
    const b = miner.add('proxy.example.com:443 close, 1090 bytes (1.06 KB) sent, 2880 bytes received, lifetime <1 sec');
    expect(b.id).toBe(a.id);
    expect(miner.size).toBe(1);
  });

  it('bounds the shapes of one pattern', () => {
    const miner = new TemplateMiner();
    const ids = new Set<string>();
    for (let n = 1; n <= 40; n++) ids.add(miner.add(`failed to resolve data source name ${Array.from({ length: n }, (_, k) => `h${k}x${k}`).join(' ')}`).id);
    expect(ids.size).toBe(2);
    expect(miner.toJSON().templates.map((t) => t.shapes.length).sort((a, b) => a - b)).toEqual([8, 32]);
  });

  it('keeps old ids resolving after merges, and reports isNew only for a surviving new pattern', () => {
    const miner = new TemplateMiner();
    const ids = ['alice', 'bob', 'carol'].map((u) => miner.add(`session opened for user ${u}`));
    expect(ids.map((r) => r.isNew)).toEqual([true, true, true]);
    const merged = miner.add('session opened for user dave');
    expect(merged.isNew).toBe(false);
    for (const r of ids) expect(miner.resolveId(r.id)).toBe(ids[0].id);
    expect(miner.summary(ids[2].id)?.template).toBe('session opened for user <*>');
  });

  it('match() finds without learning or counting', () => {
    const miner = new TemplateMiner();
    const added = miner.add('Listening on port 3000');
    expect(miner.match('Listening on port 8080')).toEqual({ id: added.id, template: 'Listening on port <*>', isNew: false, params: ['8080'] });
    expect(miner.match('something else')).toBeUndefined();
    expect(miner.size).toBe(1);
    expect(miner.summary(added.id)?.count).toBe(1);
  });

  it('gives the same id to the same template in two miners', () => {
    expect(new TemplateMiner().add('Listening on port 3000').id).toBe(new TemplateMiner().add('Listening on port 9').id);
  });

  it('mines huge lines by their first tokens, with bounded examples', () => {
    const miner = new TemplateMiner();
    const blob = 'x1'.repeat(500_000);
    const a = miner.add(`payload ${blob} rejected ${'word '.repeat(100_000)}`);
    const b = miner.add(`payload ${blob.slice(2)} rejected ${'word '.repeat(10)}`);
    expect(a.template.startsWith('payload <*> rejected word')).toBe(true);
    expect(a.template.length).toBeLessThan(400);
    expect(miner.summary(a.id)?.examples[0].length).toBeLessThanOrEqual(300);
    expect(b.id).not.toBe('');
  });

  it('cuts long messages to maxTokens for mining', () => {
    const miner = new TemplateMiner({ maxTokens: 4 });
    const a = miner.add('a b c d e f');
    const b = miner.add('a b c x y z w');
    expect(b.id).toBe(a.id);
    expect(a.template).toBe('a b c <*>');
  });
});

describe('TemplateMiner bounds and figures', () => {
  it('evicts the least recently used template beyond maxTemplates', () => {
    const miner = new TemplateMiner({ maxTemplates: 3 });
    const a = miner.add('alpha event happened').id;
    const b = miner.add('beta thing occurred').id;
    const c = miner.add('gamma stuff took place').id;
    miner.add('alpha event happened');
    const d = miner.add('delta went wrong now').id;
    expect(miner.size).toBe(3);
    expect(miner.summary(b)).toBeUndefined();
    expect(miner.summary(a)?.count).toBe(2);
    expect(miner.summary(c)).toBeDefined();
    expect(miner.summary(d)).toBeDefined();
    expect(miner.add('beta thing occurred').isNew).toBe(true);
    expect(miner.summary(c)).toBeUndefined();
  });

  it('records counts, times, processes, levels, examples, wildcard values and minutes', () => {
    const miner = new TemplateMiner({ stats: { examples: 2, minutes: 3 } });
    const t0 = Date.UTC(2026, 11, 4, 12, 0, 10);
    const routes = ['/a', '/b', '/a', '/c', '/a'];
    let id = '';
    routes.forEach((route, i) => {
      id = miner.add(`GET ${route} 500 ${i + 1}.0 ms`, {
        timestamp: t0 + i * 60_000,
        process: i % 2 === 0 ? 'api' : 'worker',
        level: i === 4 ? 'warn' : 'error',
      }).id;
    });
    const s = miner.summary(id);
    expect(s).toMatchObject({
      template: 'GET <*> <*> <*> <*>',
      count: 5,
      firstSeen: t0,
      lastSeen: t0 + 4 * 60_000,
      processes: ['api', 'worker'],
      levels: { error: 4, warn: 1 },
      examples: ['GET /a 500 1.0 ms', 'GET /b 500 2.0 ms'],
    });
    expect(s?.wildcards[0]).toEqual({
      position: 1,
      values: [
        { value: '/a', count: 3 },
        { value: '/b', count: 1 },
        { value: '/c', count: 1 },
      ],
    });
    expect(s?.wildcards[1].values).toEqual([{ value: '500', count: 5 }]);
    const minute = (k: number) => t0 - 10_000 + k * 60_000;
    expect(s?.perMinute).toEqual([
      [minute(2), 1],
      [minute(3), 1],
      [minute(4), 1],
    ]);
  });

  it('filters and orders summaries', () => {
    let now = 1000;
    const miner = new TemplateMiner({ now: () => now });
    for (let i = 0; i < 3; i++) miner.add(`job ${i} done`, { process: 'worker' });
    now = 5000;
    miner.add('cache warmed', { process: 'api' });
    expect(miner.summaries().map((s) => s.count)).toEqual([3, 1]);
    expect(miner.summaries({ limit: 1 })).toHaveLength(1);
    expect(miner.summaries({ processes: ['api'] }).map((s) => s.template)).toEqual(['cache warmed']);
    expect(miner.summaries({ since: 2000 }).map((s) => s.template)).toEqual(['cache warmed']);
    expect(miner.summary('p00000000')).toBeUndefined();
  });

  it('bounds wildcard values and examples however many distinct values arrive', () => {
    const miner = new TemplateMiner({ stats: { valuesTracked: 4 } });
    let id = '';
    for (let i = 0; i < 1000; i++) id = miner.add(`request ${i} failed`, { timestamp: i * 60_000 }).id;
    const s = miner.summary(id);
    for (const w of s?.wildcards ?? []) expect(w.values.length).toBeLessThanOrEqual(4);
    expect(s?.examples.length).toBeLessThanOrEqual(3);
    expect(s?.perMinute.length).toBe(120);
    expect(s?.perMinute.at(-1)).toEqual([999 * 60_000, 1]);
  });

  it('rejects bad options with exact messages', () => {
    expect(() => new TemplateMiner({ maxTemplates: 0 })).toThrow('maxTemplates must be an integer >= 1, got 0');
    expect(() => new TemplateMiner({ minSiblings: 1.5 })).toThrow('minSiblings must be an integer >= 2, got 1.5');
    expect(() => new TemplateMiner({ stats: { examples: -1 } })).toThrow('stats.examples must be an integer >= 1, got -1');
  });
});
