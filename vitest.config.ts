import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: { provider: 'v8', include: ['src/**'], reporter: ['text-summary', 'text'] },
    projects: [
      {
        extends: true,
        test: {
          name: 'critical',
          include: ['__test__/unit/**/*.test.ts', '__test__/conformance/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['__test__/integration/**/*.test.ts'],
          globalSetup: ['__test__/support/redis-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['__test__/contract/**/*.test.ts'],
          globalSetup: ['__test__/support/redis-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Real redis-servers behind a fault proxy, one fault at a time: files run one after another
          // so that their latencies are not each other's load.
          name: 'fault',
          include: ['__test__/fault/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // A real Redis Cluster and a real Sentinel set per file, each killing a primary: files run
          // one after another (the failover timings are measured) and each is bounded to about 60 s.
          name: 'topology',
          include: ['__test__/topology/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'legacy-decorators',
          include: ['__test__/legacy-decorators/**/*.test.ts'],
        },
      },
    ],
  },
})
