import { serveThreadTasks } from '../../threads/serve-thread-tasks.js'
import type { ExtractArticleTask } from './create-article-extractor.js'
import { extractArticle } from './extract-article.js'

serveThreadTasks(({ html, url, selectors }: ExtractArticleTask) => extractArticle(html, url, selectors))
