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

export const ASSERTION_WITH_CODE_FRAME = `node:assert:90
  throw new AssertionError(obj);
  ^

AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

1 !== 2

    at Object.<anonymous> (/app/assert.cjs:2:8)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)
    at Module.load (node:internal/modules/cjs/loader:1266:32)
    at Module._load (node:internal/modules/cjs/loader:1091:12)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
    at node:internal/main/run_main_module:28:49 {
  generatedMessage: true,
  code: 'ERR_ASSERTION',
  actual: 1,
  expected: 2,
  operator: 'strictEqual'
}

Node.js v20.20.2
`;

export const ESM_REQUIRE_WITH_CODE_FRAME = `file:///app/esm.mjs:1
require('x')
^

ReferenceError: require is not defined in ES module scope, you can use import instead
    at file:///app/esm.mjs:1:1
    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)
    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)
    at async asyncRunEntryPointWithESMLoader (node:internal/modules/run_main:117:5)

Node.js v20.20.2
`;

// What PM2's own uncaughtException handler prints (err.stack): a message over two lines, then frames.
export const MULTILINE_MESSAGE = `ReferenceError: require is not defined in ES module scope, you can use import instead
This file is being treated as an ES module because it has a '.js' file extension and '/app/package.json' contains "type": "module". To treat it as a CommonJS script, rename it to use the '.cjs' file extension.
    at file:///app/index.js:1:1
    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)
    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)
`;

export const ASSERTION_STACK = `AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

1 !== 2

    at Object.<anonymous> (/app/assert.cjs:2:8)
    at Module._compile (node:internal/modules/cjs/loader:1521:14) {
  generatedMessage: true,
  code: 'ERR_ASSERTION'
}
`;
