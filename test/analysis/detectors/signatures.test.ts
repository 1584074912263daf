import { describe, expect, it } from 'vitest';
import { detectSignatures, knownSignatureOf } from '../../../src/analysis/detectors/signatures.js';
import { econnrefusedStack, MIN, SEC, Window } from './fixtures.js';

function byId(w: Window) {
  return Object.fromEntries(detectSignatures(w.context()).map((f) => [f.id, f]));
}

describe('detectSignatures', () => {
  it('names the database an express app cannot reach (ECONNREFUSED 127.0.0.1:5432)', () => {
    const w = new Window();
    const seqs: number[] = [];
    for (let i = 0; i < 12; i++) {
      w.log({ at: i * 5 * SEC, message: `GET /users/${i} 500 3.1 ms - 21` });
      seqs.push(w.log({ at: i * 5 * SEC + 1, stream: 'err', message: econnrefusedStack() }));
    }
    const f = byId(w)['signature:ECONNREFUSED:127.0.0.1:5432'];
    expect(f.title).toBe('Connection refused to 127.0.0.1:5432 (PostgreSQL) in api (12 times)');
    expect(f.severity).toBe('critical');
    expect(f.processes).toEqual(['api']);
    expect(f.evidence.count).toBe(12);
    expect(f.evidence.seqs).toEqual(seqs);
    expect(f.evidence.samples).toEqual([econnrefusedStack()]);
    expect(f.recommendation).toContain('`pg_isready -h 127.0.0.1 -p 5432`');
    expect(f.data).toEqual({ signature: 'ECONNREFUSED', target: '127.0.0.1:5432', service: 'PostgreSQL' });
  });

  it('keeps a few refusals a warning and groups processes hitting the same target', () => {
    const w = new Window();
    w.log({ at: 0, process: 'api', stream: 'err', message: 'Redis connection error: connect ECONNREFUSED 10.0.0.7:6379' });
    w.log({ at: SEC, process: 'worker', stream: 'err', message: 'Redis connection error: connect ECONNREFUSED 10.0.0.7:6379' });
    const f = byId(w)['signature:ECONNREFUSED:10.0.0.7:6379'];
    expect(f.title).toBe('Connection refused to 10.0.0.7:6379 (Redis) in api, worker (2 times)');
    expect(f.severity).toBe('warning');
    expect(f.recommendation).toContain('redis-cli -h 10.0.0.7 -p 6379 ping');
  });

  it('reports EADDRINUSE on restart with the port', () => {
    const w = new Window();
    const text = [
      'Error: listen EADDRINUSE: address already in use :::3000',
      '    at Server.setupListenHandle [as _listen2] (node:net:1817:16)',
      '    at listenInCluster (node:net:1865:12)',
      '    at Object.<anonymous> (/app/src/server.js:31:8)',
    ].join('\n');
    w.log({ at: 0, stream: 'err', message: text });
    w.log({ at: 2 * SEC, stream: 'err', message: text });
    const f = byId(w)['signature:EADDRINUSE:3000'];
    expect(f.title).toBe('Port 3000 already in use (EADDRINUSE) in api (2 times)');
    expect(f.severity).toBe('critical');
    expect(f.recommendation).toContain('lsof -i :3000');
  });

  it('recognises heap exhaustion, EMFILE, missing modules, DNS failures and timeouts', () => {
    const w = new Window();
    w.log({ at: 0, process: 'worker', stream: 'err', message: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' });
    w.log({ at: SEC, stream: 'err', message: "Error: EMFILE: too many open files, open '/app/uploads/a.png'" });
    w.log({ at: 2 * SEC, process: 'cron', stream: 'err', message: "Error: Cannot find module 'dayjs'\nRequire stack:\n- /app/src/cron.js" });
    w.log({ at: 3 * SEC, stream: 'err', message: 'Error: getaddrinfo ENOTFOUND db.internal' });
    w.log({ at: 4 * SEC, stream: 'err', message: 'Error: connect ETIMEDOUT 10.1.2.3:443' });
    const found = detectSignatures(w.context()).map((f) => [f.id, f.severity, f.title]);
    expect(found).toEqual([
      ['signature:HEAP_OOM', 'critical', 'JavaScript heap out of memory in worker (once)'],
      ['signature:EMFILE', 'warning', 'Too many open files (EMFILE) in api (once)'],
      ['signature:MODULE_NOT_FOUND:dayjs', 'critical', "Cannot find module 'dayjs' in cron (once)"],
      ['signature:ENOTFOUND:db.internal', 'warning', 'DNS lookup failed for db.internal (ENOTFOUND) in api (once)'],
      ['signature:ETIMEDOUT:10.1.2.3:443', 'info', 'Connection timed out to 10.1.2.3:443 in api (once)'],
    ]);
  });

  it('counts SIGKILL exits from events once, not again from the daemon line, and ignores manual stops', () => {
    const w = new Window();
    w.event(MIN, 'worker', 'exit', { exitCode: null, signal: 'SIGKILL' });
    w.event(2 * MIN, 'worker', 'exit', { exitCode: 137 });
    w.event(3 * MIN, 'worker', 'exit', { exitCode: null, signal: 'SIGKILL', manually: true });
    w.log({ at: MIN, process: 'worker', stream: 'pm2', level: 'warn', message: 'App [worker:0] exited with code [null] via signal [SIGKILL]' });
    const [f] = detectSignatures(w.context());
    expect(f.title).toBe('Killed by SIGKILL (out-of-memory killer or kill -9) in worker (2 times)');
    expect(f.evidence.count).toBe(2);
    expect(f.evidence.seqs).toEqual([]);
  });

  it('stays quiet on a healthy app and on an occasional reset', () => {
    const w = new Window();
    for (let i = 0; i < 200; i++) w.log({ at: i * SEC, message: `GET /items/${i} 200 4.2 ms - 310` });
    w.log({ at: 300 * SEC, level: 'warn', message: 'client aborted: Error: socket hang up' });
    const findings = detectSignatures(w.context());
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['signature:ECONNRESET', 'info']]);
  });

  it('tells which known signature a text shows', () => {
    expect(knownSignatureOf('Error: connect ECONNREFUSED 127.0.0.1:5432')).toBe('ECONNREFUSED');
    expect(knownSignatureOf('TypeError: x is not a function')).toBeUndefined();
  });
});
