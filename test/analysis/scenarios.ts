// Realistic windows for the analysis tests: an incident (postgres down, a crash loop, a leak, a slow
// route, an uncaught TypeError, EADDRINUSE on restart) and a healthy busy app.
import { HANDLER_TYPE_ERROR, MB, MIN, PG_REJECTION, SEC, Window, econnrefusedStack, processInfo } from './detectors/fixtures.js';

export const EADDRINUSE_STACK = [
  'Error: listen EADDRINUSE: address already in use :::3000',
  '    at Server.setupListenHandle [as _listen2] (node:net:1817:16)',
  '    at listenInCluster (node:net:1865:12)',
  '    at Object.<anonymous> (/app/src/server.js:31:8)',
].join('\n');

const MODULE_STACK = [
  "Error: Cannot find module 'dayjs'",
  'Require stack:',
  '- /app/src/jobs.js',
  '    at Module._resolveFilename (node:internal/modules/cjs/loader:1140:15)',
  '    at Module._load (node:internal/modules/cjs/loader:981:27)',
  '    at Object.<anonymous> (/app/src/jobs.js:2:15)',
].join('\n');

export function incident(): Window {
  const w = new Window();
  // Normal traffic: 300 requests at 10..100 ms (30 of each value).
  for (let i = 0; i < 300; i++) w.log({ at: i * 4 * SEC, pmId: 0, pid: 3101, message: `GET /users/${1000 + i} 200 ${(i % 10) * 10 + 10} ms - 512` });
  // Postgres goes down at minute 20: 30 failed requests, each with the driver's error.
  for (let i = 0; i < 30; i++) {
    w.log({ at: 20 * MIN + i * 2 * SEC, pmId: 0, pid: 3101, stream: 'err', message: econnrefusedStack() });
    w.log({ at: 20 * MIN + i * 2 * SEC + 1, pmId: 0, pid: 3101, message: `GET /users/${2000 + i} 500 2.1 ms - 21` });
  }
  // A slow checkout: p95 1500 ms.
  for (let i = 0; i < 20; i++) w.log({ at: 5 * MIN + i * 10 * SEC, pmId: 0, pid: 3101, message: `POST /checkout 200 ${i === 18 ? 1500 : i === 19 ? 2500 : 100} ms - 48` });
  // Two unhandled rejections from the users repository.
  for (const at of [8 * MIN, 9 * MIN]) w.log({ at, pmId: 0, pid: 3101, stream: 'err', message: PG_REJECTION });
  // An uncaught TypeError kills api at minute 25; the restarted api finds port 3000 still taken.
  w.log({ at: 25 * MIN, pmId: 0, pid: 3101, stream: 'err', message: HANDLER_TYPE_ERROR });
  w.event(25 * MIN + 5, 'api', 'exception', { errorName: 'TypeError', message: "Cannot read properties of undefined (reading 'id')", stack: HANDLER_TYPE_ERROR });
  w.event(25 * MIN + 20, 'api', 'exit', { exitCode: 1, signal: 'SIGINT' });
  w.event(25 * MIN + 120, 'api', 'start');
  w.log({ at: 25 * MIN + 900, pmId: 0, pid: 3150, stream: 'err', message: EADDRINUSE_STACK });
  w.event(25 * MIN + 950, 'api', 'exit', { exitCode: 1, signal: 'SIGINT' });
  // worker: crash loop on a missing module, every minute from minute 2 to 5.
  for (const m of [2, 3, 4, 5]) {
    w.log({ at: m * MIN - 300, process: 'worker', pmId: 1, message: 'worker booting' });
    w.log({ at: m * MIN - 200, process: 'worker', pmId: 1, stream: 'err', message: MODULE_STACK });
    w.event(m * MIN, 'worker', 'exit', { pmId: 1, exitCode: 1, signal: 'SIGINT' });
  }
  // cache: +2 MB per minute for 30 minutes.
  for (let i = 0; i <= 30; i++) w.sample(i * MIN, 'cache', 100 * MB + 2 * MB * i, { pmId: 2, cpu: 12 });
  for (let i = 0; i <= 30; i++) w.sample(i * MIN, 'api', 120 * MB, { cpu: 30 + (i % 3) });
  return w;
}

export const INCIDENT_PROCESSES = [processInfo('api'), processInfo('worker', { pmId: 1 }), processInfo('cache', { pmId: 2 })];

/** Deterministic pseudo-random numbers, so the healthy app is the same in every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A busy, healthy app: thousands of requests, an occasional 404, handled warnings, one expired token. */
export function healthy(): Window {
  const w = new Window();
  const rnd = lcg(7);
  const routes = ['/products', '/products/', '/cart', '/orders/', '/search?q='];
  for (let i = 0; i < 6000; i++) {
    const at = i * 300;
    const r = rnd();
    if (r < 0.01) w.log({ at, message: `GET /favicon.ico 404 0.${Math.floor(rnd() * 9)} ms - 150` });
    else if (r < 0.12) w.log({ at, message: `Order ${Math.floor(rnd() * 1e6)} created for customer ${Math.floor(rnd() * 1e4)}` });
    else if (r < 0.125) w.log({ at, level: 'warn', message: 'DeprecationWarning: Buffer() is deprecated due to security and usability issues.' });
    else if (r < 0.127) w.log({ at, level: 'warn', message: `Rate limit close for client 10.0.${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 200)}` });
    else {
      const route = routes[Math.floor(rnd() * routes.length)];
      const path = route.endsWith('/') || route.endsWith('=') ? `${route}${Math.floor(rnd() * 5000)}` : route;
      w.log({ at, message: `GET ${path} 200 ${(2 + rnd() * 60).toFixed(3)} ms - ${Math.floor(200 + rnd() * 4000)}` });
    }
  }
  for (let i = 0; i < 3; i++) {
    w.log({
      at: (i + 1) * 500 * SEC,
      level: 'error',
      stream: 'err',
      message: 'JsonWebTokenError: jwt expired\n    at /app/node_modules/jsonwebtoken/verify.js:190:21\n    at authenticate (/app/src/auth.js:20:5)',
    });
  }
  w.log({ at: 700 * SEC, level: 'warn', message: 'client aborted request: Error: socket hang up' });
  for (let i = 0; i < 1500; i++) w.log({ at: i * 1200, process: 'worker', pmId: 1, message: `job ${i} done (email.send) in ${Math.floor(rnd() * 40)}ms` });
  for (let i = 0; i <= 30; i++) {
    w.sample(i * MIN, 'api', 120 * MB + Math.floor(rnd() * 6 * MB), { cpu: 20 + rnd() * 25 });
    w.sample(i * MIN, 'worker', 80 * MB + Math.floor(rnd() * 4 * MB), { pmId: 1, cpu: 5 + rnd() * 10 });
  }
  // A deploy: a manual restart is not a problem.
  w.event(15 * MIN, 'api', 'exit', { exitCode: 0, manually: true });
  w.event(15 * MIN + 500, 'api', 'start', { manually: true });
  return w;
}
