import { afterEach, describe, expect, it } from 'vitest'
import { type ArticleExtractor, createArticleExtractor } from '../../../src/sources/share/create-article-extractor.js'

const URL = 'http://finews.example.com/html_News/NewsShare.html?infoCode=NW202201112243496752'

const ARTICLE =
  '<!doctype html><html><head><meta property="og:title" content="深圳征信服务有限公司通过备案正式运行"></head>' +
  '<body><article><p>1月10日，《每日经济新闻》记者获悉，中国人民银行深圳市中心支行已完成对深圳征信服务有限公司的企业征信机构备案。</p></article></body></html>'

/** Under both page caps, yet seconds of parsing and tens of MB of DOM: 40,000 paragraphs. */
const SLOW_PAGE = `<!doctype html><html><head><title>慢</title></head><body>${'<p>some text here for the para</p>'.repeat(40_000)}</body></html>`

let extractor: ArticleExtractor | undefined

afterEach(async () => {
  await extractor?.close()
  extractor = undefined
})

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'no failure',
    (reason: unknown) => reason,
  )
}

describe('createArticleExtractor', () => {
  it('extracts an article on a worker thread', async () => {
    extractor = createArticleExtractor()

    expect(await extractor.extract(ARTICLE, URL)).toMatchObject({ title: '深圳征信服务有限公司通过备案正式运行' })
  })

  it('refuses 2,000 nested <div>s before parsing them', async () => {
    extractor = createArticleExtractor()
    const page = `<body>${'<div>'.repeat(2_000)}<p>正文</p>${'</div>'.repeat(2_000)}</body>`

    expect(await failureOf(extractor.extract(page, URL))).toMatchObject({ code: 'E_PARSE_TOO_DEEP' })
  })

  it('stops a parse that passes its deadline and names the page', async () => {
    extractor = createArticleExtractor({ deadlineMs: 1_000 })

    expect(await failureOf(extractor.extract(SLOW_PAGE, URL))).toMatchObject({
      code: 'E_THREAD_TIMEOUT',
      message: `cannot extract an article from ${URL}: parsing ran longer than 1000 ms and was stopped`,
    })
  })

  it('stops a parse that needs more than its memory limit and names the page', async () => {
    extractor = createArticleExtractor({ maxHeapMb: 32 })

    expect(await failureOf(extractor.extract(SLOW_PAGE, URL))).toMatchObject({
      code: 'E_THREAD_MEMORY',
      message: `cannot extract an article from ${URL}: parsing needed more than 32 MB of memory and was stopped`,
    })
  })
})
