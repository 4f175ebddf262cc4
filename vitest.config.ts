import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

/**
 * The test files that take most of `npm test`'s time, each for long on its own: hundreds of
 * SIGKILLs, property runs, the packed package installed, real worker processes and threads waiting
 * out schedules, deadlines and heap limits, Chromium, a CLI under a file descriptor limit, and
 * cycles over the whole hostile farm or capped farms, the built package or PostgreSQL.
 * `npm run test:fast` (the `fast` project) runs everything else.
 */
const SLOW_TESTS = [
  'test/hostile/hard-stops.test.ts',
  'test/**/*.property.test.ts',
  'test/hostile/publish-under-fd-limit.test.ts',
  'test/e2e/install.test.ts',
  'test/e2e/health.test.ts',
  'test/e2e/demo-serve.test.ts',
  'test/e2e/sources.test.ts',
  'test/cli/built-cli-threads.test.ts',
  'test/publish/html-pages.test.ts',
  'test/schedule/worker-reload.test.ts',
  'test/schedule/worker-metrics.test.ts',
  'test/threads/create-thread-pool.test.ts',
  'test/pipeline/parse-threads.test.ts',
  'test/sources/share/create-article-extractor.test.ts',
  'test/e2e/queue-workers.test.ts',
  'test/pipeline/source-caps.test.ts',
  'test/package/embed.test.ts',
  'test/hostile/hostile-cycle.test.ts',
  'test/hostile/bounded-resources.test.ts',
  'test/pipeline/article-limits.test.ts',
  'test/store/postgres-store.test.ts',
  'test/cluster/*.test.ts',
]

/**
 * The fast files share one module graph per worker (no isolation): loading the sources again for
 * each file cost more than most files' tests. They must leave no state behind them: a test that
 * changes process-wide state (timers, a builtin's export) puts it back after itself. About half
 * their time is spent waiting on local servers, deadlines and child processes, so they run on every
 * core, two at least (vitest's default leaves one core idle). The slow files follow, isolated, with
 * vitest's default number of workers.
 */
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts'],
          exclude: SLOW_TESTS,
          isolate: false,
          maxWorkers: Math.max(2, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS, sequence: { groupOrder: 1 } } },
    ],
  },
})
