import { defineConfig } from 'vitest/config'

/**
 * The test files that take most of `npm test`'s time, each for long on its own: hundreds of
 * SIGKILLs, property runs, the packed package installed, real worker processes and threads waiting
 * out schedules, deadlines and heap limits, Chromium, a CLI under a file descriptor limit, and
 * cycles over hostile or capped farms, kramdown, the built package or PostgreSQL.
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
  'test/hostile/jekyll-markdown.test.ts',
  'test/pipeline/article-limits.test.ts',
  'test/store/postgres-store.test.ts',
  'test/hostile/content-faults.test.ts',
  'test/hostile/corrupt-store.test.ts',
  'test/cluster/*.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW_TESTS, isolate: false } },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS } },
    ],
  },
})
