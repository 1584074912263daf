import { describe, expect, it } from 'vitest';
import { detectLatency, latencyOf } from '../../../src/analysis/detectors/latency.js';
import { extractLatency, routeTemplate } from '../../../src/analysis/detectors/latency-extract.js';
import type { LogEntry } from '../../../src/core/types.js';
import { SEC, Window } from './fixtures.js';

function entry(message: string, fields?: Record<string, unknown>): LogEntry {
  return { seq: 1, timestamp: 0, process: 'api', pmId: 0, stream: 'out', level: 'info', message, raw: message, ...(fields ? { fields } : {}) };
}

describe('extractLatency', () => {
  it.each([
    ['GET /api/x 200 12.3 ms - 13', { ms: 12.3, method: 'GET', route: '/api/x', status: 200 }],
    ['GET /users/42?expand=1 404 13 - 0.871 ms', { ms: 0.871, method: 'GET', route: '/users/<*>', status: 404 }],
    ['::1 - POST /orders/3f2a9c1e77 HTTP/1.1 201 52 - 1.2 s', { ms: 1200, method: 'POST', route: '/orders/<*>', status: 201 }],
    ['report job took 1.2s', { ms: 1200 }],
    ['request completed duration=340', { ms: 340 }],
    ['cache refresh finished in 850µs', { ms: 0.85 }],
  ])('%s', (message, expected) => {
    expect(extractLatency(entry(message))).toEqual(expected);
  });

  it('reads JSON fields of pino-http and friends', () => {
    expect(extractLatency(entry('request completed', { responseTime: 87, req: { method: 'get', url: '/users/7' }, res: { statusCode: 200 } }))).toEqual({
      ms: 87,
      method: 'GET',
      route: '/users/<*>',
      status: 200,
    });
    expect(extractLatency(entry('done', { response_time: '45ms' }))).toEqual({ ms: 45 });
    expect(extractLatency(entry('GET /health 200 1.1 ms', { duration: 3 }))).toEqual({ ms: 3, method: 'GET', route: '/health', status: 200 });
  });

  it('does not take any number with a unit for a latency', () => {
    expect(extractLatency(entry('retrying in 500ms'))).toBeUndefined();
    expect(extractLatency(entry('migration took 3 attempts'))).toBeUndefined();
    expect(extractLatency(entry('::1 - - [04/Dec/2026:12:00:00 +0000] "GET /x HTTP/1.1" 200 13 "-" "curl/8.0"'))).toBeUndefined();
  });

  it('masks ids in routes', () => {
    expect(routeTemplate('/users/42/orders/9b2c7a1e-3f4d-4a5b-8c6d-0e1f2a3b4c5d')).toBe('/users/<*>/orders/<*>');
    expect(routeTemplate('/files/report.pdf')).toBe('/files/report.pdf');
  });
});

describe('detectLatency', () => {
  function slowApp(): Window {
    const w = new Window();
    // GET /users/<*>: 10, 20, ... 200 ms -> p50 100, p95 190, p99 200 (nearest rank over 20 values).
    for (let i = 1; i <= 20; i++) w.log({ at: i * SEC, message: `GET /users/${i} 200 ${i * 10} ms - 512` });
    // POST /orders: eighteen at 100 ms, then 1500 and 2500 -> p50 100, p95 1500, p99 2500.
    for (let i = 1; i <= 18; i++) w.log({ at: 30 * SEC + i * SEC, message: 'POST /orders 201 100 ms - 64' });
    w.log({ at: 50 * SEC, message: 'POST /orders 201 1500 ms - 64' });
    w.log({ at: 51 * SEC, message: 'POST /orders 201 2500 ms - 64' });
    return w;
  }

  it('computes percentiles per route and per process', () => {
    const latency = latencyOf(slowApp().context()).get('api');
    expect(latency?.routes.map((r) => [r.route, r.stats])).toEqual([
      ['GET /users/<*>', { count: 20, avgMs: 105, p50Ms: 100, p95Ms: 190, p99Ms: 200, maxMs: 200 }],
      ['POST /orders', { count: 20, avgMs: 290, p50Ms: 100, p95Ms: 1500, p99Ms: 2500, maxMs: 2500 }],
    ]);
    expect(latency?.stats).toEqual({ count: 40, avgMs: 197.5, p50Ms: 100, p95Ms: 200, p99Ms: 2500, maxMs: 2500 });
  });

  it('flags the slow route with its slow requests as evidence', () => {
    const w = slowApp();
    const findings = detectLatency(w.context());
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f.id).toBe('latency:api:POST_/orders');
    expect(f.title).toBe('Slow route POST /orders in api: p95 1500 ms (p50 100 ms, 20 requests)');
    expect(f.severity).toBe('warning');
    expect(f.evidence.seqs).toEqual([39, 40]);
    expect(f.evidence.count).toBe(2);
    expect(f.data).toMatchObject({ route: 'POST /orders', p95Ms: 1500, p99Ms: 2500, slowRequests: 2 });
  });

  it('is critical when p95 passes the critical threshold, and notes outliers of fast routes', () => {
    const w = new Window();
    for (let i = 0; i < 10; i++) w.log({ at: i * SEC, message: `took ${6 + i / 10}s to build report` });
    for (let i = 0; i < 50; i++) w.log({ at: i * SEC, message: `GET /search 200 ${i === 7 ? 4200 : 20} ms - 9` });
    const findings = detectLatency(w.context());
    expect(findings.map((f) => [f.title, f.severity])).toEqual([
      ['Slow operations in api: p95 6900 ms (p50 6400 ms, 10 requests)', 'critical'],
      ['1 slow outlier request in api (GET /search)', 'info'],
    ]);
    expect(findings[1].evidence.seqs).toEqual([18]);
  });
});
