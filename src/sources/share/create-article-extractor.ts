import { availableParallelism } from 'node:os'
import { ThreadError } from '../../errors.js'
import { createThreadPool } from '../../threads/create-thread-pool.js'
import type { RawEntry } from '../../types.js'
import { checkPageLimits } from './check-page-limits.js'
import type { ArticleSelectors } from './extract-article.js'

/** A page parse still running after this long is stopped (its thread terminated) and fails that page. */
export const ARTICLE_DEADLINE_MS = 15_000

/** Heap a page parse may use; a page that needs more fails. */
export const ARTICLE_MAX_HEAP_MB = 512

export interface ExtractArticleTask {
  html: string
  url: string
  selectors?: ArticleSelectors
}

export interface ArticleExtractor {
  /**
   * extractArticle on a worker thread, so a page that takes long to parse never stalls other
   * sources' fetches and deadlines; a page beyond checkPageLimits is refused first, on this
   * thread, without starting one. Rejects with a ParseError (E_PARSE_TOO_LARGE, E_PARSE_TOO_DEEP,
   * E_PARSE_EXTRACT), with a ThreadError naming `url` (E_THREAD_TIMEOUT, E_THREAD_MEMORY,
   * E_THREAD_CRASHED), or with `signal.reason`.
   */
  extract(html: string, url: string, selectors?: ArticleSelectors, signal?: AbortSignal): Promise<RawEntry>
  /** Ends the threads; a cycle closes its extractor when it is done. */
  close(): Promise<void>
}

export function createArticleExtractor(
  { deadlineMs = ARTICLE_DEADLINE_MS, maxHeapMb = ARTICLE_MAX_HEAP_MB }: { deadlineMs?: number; maxHeapMb?: number } = {},
): ArticleExtractor {
  const pool = createThreadPool<ExtractArticleTask, RawEntry>({
    entry: threadEntry(),
    // The main thread keeps one core for fetching and everything else.
    threads: Math.max(1, Math.min(2, availableParallelism() - 1)),
    taskDeadlineMs: deadlineMs,
    maxHeapMb,
  })
  return {
    async extract(html, url, selectors, signal) {
      checkPageLimits(html, url)
      try {
        return await pool.run(selectors === undefined ? { html, url } : { html, url, selectors }, { signal })
      } catch (err) {
        if (!(err instanceof ThreadError)) throw err
        throw new ThreadError(err.code, `cannot extract an article from ${url}: parsing ${err.message}`, { cause: err })
      }
    },
    close: () => pool.close(),
  }
}

/**
 * The thread's module sits beside this one in the same form: `.ts` under vitest and tsx, `.js` in
 * dist/, `.mjs` in the CLI bundle, where scripts/bundle-cli.ts makes it an entry of its own.
 */
function threadEntry(): URL {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js'
  return new URL(`./extract-article-thread${extension}`, import.meta.url)
}
