import { defineConfig } from 'vitest/config';

// Files that start a PM2 daemon or spawn the built server are named *.pm2.test.ts: they run one at a
// time, after the pure tests, so that two daemons never fight over the machine's two cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.pm2.test.ts', 'node_modules/**'],
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'pm2',
          include: ['test/**/*.pm2.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
