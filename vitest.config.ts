import { defineConfig } from 'vitest/config';

// Two layers: fast unit tests (pure functions, in-process servers) run in parallel;
// Docker tests run one file at a time against the real engine (never mocked, never skipped).
export default defineConfig({
  test: {
    projects: [
      {
        // The reference store's own tests (in-process clusters, no Docker).
        test: {
          name: 'graph-agent',
          root: 'packages/graph-agent',
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.docker.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'docker',
          include: ['test/**/*.docker.test.ts'],
          globalSetup: ['test/support/docker-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
