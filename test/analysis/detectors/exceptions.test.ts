import { describe, expect, it } from 'vitest';
import { detectExceptions } from '../../../src/analysis/detectors/exceptions.js';
import { parseStack } from '../../../src/analysis/detectors/stack.js';
import { econnrefusedStack, HANDLER_TYPE_ERROR, PG_REJECTION, SEC, Window } from './fixtures.js';

describe('parseStack', () => {
  it('reads name, message and the top application frame', () => {
    expect(parseStack(HANDLER_TYPE_ERROR)).toEqual({
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
      frame: '/app/src/handler.js:42',
      appFrame: true,
      frames: 5,
      rejection: false,
      fatalRejection: false,
    });
  });

  it('skips node_modules and node:internal frames', () => {
    const p = parseStack(PG_REJECTION);
    expect(p?.frame).toBe('/app/src/repo/users.js:17');
    expect(p?.rejection).toBe(true);
    expect(p?.name).toBe('UnhandledRejection');
    expect(p?.message).toBe('error: relation "users" does not exist');
  });

  it("reads Node's own crash banner for a rejection with a non-Error reason", () => {
    const text = [
      'node:internal/process/promises:289',
      '            triggerUncaughtException(err, true /* fromPromise */);',
      '            ^',
      '',
      '[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "boom".] {',
      "  code: 'ERR_UNHANDLED_REJECTION'",
      '}',
    ].join('\n');
    expect(parseStack(text)).toMatchObject({ name: 'UnhandledPromiseRejection', message: 'boom', rejection: true, fatalRejection: true, frames: 0 });
  });

  it('keeps the code of a Node system error and takes the top frame when no application frame exists', () => {
    expect(parseStack(econnrefusedStack())).toMatchObject({ name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', frame: 'node:net:1595', appFrame: false });
    expect(parseStack('Error [ERR_HTTP_HEADERS_SENT]: Cannot set headers after they are sent to the client\n    at file:///app/src/a.mjs:3:9')).toMatchObject({
      name: 'Error',
      message: 'Cannot set headers after they are sent to the client',
      frame: '/app/src/a.mjs:3',
    });
  });

  it('ignores lines without frames or rejection markers', () => {
    expect(parseStack('GET /users/1 404 2.1 ms - 9')).toBeUndefined();
    expect(parseStack('Error: something failed')).toBeUndefined();
  });
});

describe('detectExceptions', () => {
  it('groups an uncaught TypeError by signature and counts each crash once (log line and process:exception event)', () => {
    const w = new Window();
    const seqs: number[] = [];
    for (const at of [10 * SEC, 70 * SEC, 130 * SEC]) {
      w.log({ at: at - 5, message: 'GET /profile 200 3.2 ms - 120' });
      seqs.push(w.log({ at, stream: 'err', message: HANDLER_TYPE_ERROR.replace("'id'", "'email'") }));
      w.event(at + 2, 'api', 'exception', { errorName: 'TypeError', message: "Cannot read properties of undefined (reading 'email')", stack: HANDLER_TYPE_ERROR.replace("'id'", "'email'") });
      w.event(at + 50, 'api', 'exit', { exitCode: 1, signal: 'SIGINT' });
    }
    const findings = detectExceptions(w.context());
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f.title).toBe("Uncaught TypeError in api (3 times) at /app/src/handler.js:42: Cannot read properties of undefined (reading 'email')");
    expect(f.severity).toBe('critical');
    expect(f.id).toMatch(/^exception:api:TypeError@\/app\/src\/handler\.js:42~[0-9a-f]{8}$/);
    expect(f.evidence.count).toBe(3);
    expect(f.evidence.seqs).toEqual(seqs);
    expect(f.evidence.firstSeen).toBe(w.entries[1].timestamp);
    expect(f.data).toMatchObject({ kind: 'uncaught', fromLogs: 3, fromEvents: 3, crashes: 3, frame: '/app/src/handler.js:42', appFrame: true });
    expect(f.data?.signature).toBe("TypeError: Cannot read properties of undefined (reading '<*>') @ /app/src/handler.js:42");
  });

  it('reports unhandled rejections by their application frame, a warning when the process survives', () => {
    const w = new Window();
    for (let i = 0; i < 4; i++) w.log({ at: i * 20 * SEC, process: 'worker', stream: 'err', message: PG_REJECTION });
    const [f] = detectExceptions(w.context());
    expect(f.title).toBe('Unhandled promise rejection in worker (4 times) at /app/src/repo/users.js:17: UnhandledRejection: error: relation "users" does not exist');
    expect(f.severity).toBe('warning');
    expect(f.evidence.count).toBe(4);
    expect(f.data?.kind).toBe('rejection');
  });

  it('leaves logged (handled) connection errors to the signature detector and keeps other logged stacks as info', () => {
    const w = new Window();
    w.log({ at: 0, stream: 'err', message: econnrefusedStack() });
    w.log({ at: SEC, stream: 'err', message: 'Error: invalid signature\n    at verify (/app/src/auth.js:88:11)' });
    const findings = detectExceptions(w.context());
    expect(findings.map((f) => [f.title, f.severity])).toEqual([['Logged Error in api (once) at /app/src/auth.js:88: invalid signature', 'info']]);
  });

  it('gives the same id to the same problem in two analyses', () => {
    const make = (message: string) => {
      const w = new Window(100);
      w.log({ at: 0, stream: 'err', message });
      w.event(10, 'api', 'exit', { exitCode: 1 });
      return detectExceptions(w.context())[0].id;
    };
    expect(make(HANDLER_TYPE_ERROR)).toBe(make(HANDLER_TYPE_ERROR.replace("'id'", "'name'")));
  });
});
