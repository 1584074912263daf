// Real output of Node 20.20.2 (stderr), captured from small scripts; paths shortened to /app.

export const UNCAUGHT_WITH_CODE_FRAME = `/app/uncaught.js:2
  throw new Error('boom');
  ^

Error: boom
    at handler (/app/uncaught.js:2:9)
    at Object.<anonymous> (/app/uncaught.js:4:1)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
    at Module.load (node:internal/modules/cjs/loader:1266:32)
    at Module._load (node:internal/modules/cjs/loader:1091:12)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
    at node:internal/main/run_main_module:28:49

Node.js v20.20.2
`;

export const ERROR_WITH_CAUSE = `Error: fetch failed
    at Object.<anonymous> (/app/cause.js:3:13)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    ... 4 lines matching cause stack trace ...
    at node:internal/main/run_main_module:28:49 {
  [cause]: Error: socket hang up
      at Object.<anonymous> (/app/cause.js:1:15)
      at Module._compile (node:internal/modules/cjs/loader:1521:14)
      at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
      at Module.load (node:internal/modules/cjs/loader:1266:32)
      at Module._load (node:internal/modules/cjs/loader:1091:12)
      at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
      at node:internal/main/run_main_module:28:49 {
    code: 'ECONNRESET'
  }
}
`;

export const AGGREGATE_ERROR = `[AggregateError: All promises were rejected] {
  [errors]: [
    Error: a failed
        at Object.<anonymous> (/app/aggregate.js:1:29)
        at Module._compile (node:internal/modules/cjs/loader:1521:14)
        at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
        at Module.load (node:internal/modules/cjs/loader:1266:32)
        at Module._load (node:internal/modules/cjs/loader:1091:12)
        at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
        at node:internal/main/run_main_module:28:49,
    TypeError: b failed
        at Object.<anonymous> (/app/aggregate.js:1:68)
        at Module._compile (node:internal/modules/cjs/loader:1521:14)
        at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
        at Module.load (node:internal/modules/cjs/loader:1266:32)
        at Module._load (node:internal/modules/cjs/loader:1091:12)
        at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
        at node:internal/main/run_main_module:28:49
  ]
}
`;

export const ECONNREFUSED_WITH_PROPERTIES = `Error: connect ECONNREFUSED 127.0.0.1:1
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16) {
  errno: -111,
  code: 'ECONNREFUSED',
  syscall: 'connect',
  address: '127.0.0.1',
  port: 1
}
`;

export const UNHANDLED_REJECTION = `node:internal/process/promises:389
      new UnhandledPromiseRejection(reason);
      ^

UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "boom".
    at throwUnhandledRejectionsMode (node:internal/process/promises:389:7)
    at processPromiseRejections (node:internal/process/promises:470:17)
    at process.processTicksAndRejections (node:internal/process/task_queues:96:32) {
  code: 'ERR_UNHANDLED_REJECTION'
}

Node.js v20.20.2
`;

export const ASYNC_THROW_WITH_CODE_FRAME = `/app/rejerr.js:1
async function main() { throw new RangeError('out of range'); }
                              ^

RangeError: out of range
    at main (/app/rejerr.js:1:31)
    at Object.<anonymous> (/app/rejerr.js:2:1)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
    at Module.load (node:internal/modules/cjs/loader:1266:32)
    at Module._load (node:internal/modules/cjs/loader:1091:12)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
    at node:internal/main/run_main_module:28:49

Node.js v20.20.2
`;

export const UNCAUGHT_STRING = `
/app/str.js:2
  throw 'boom';
  ^
boom
(Use \`node --trace-uncaught ...\` to show where the exception was thrown)

Node.js v20.20.2
`;

export const PROCESS_WARNINGS = `(node:4242) MaxListenersExceededWarning: Possible EventEmitter memory leak detected
(Use \`node --trace-warnings ...\` to show where the warning was created)
(node:4242) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues. Please use the Buffer.alloc(), Buffer.allocUnsafe(), or Buffer.from() methods instead.
`;
