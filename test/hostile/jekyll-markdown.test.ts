import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import type { StoredItem } from '../../src/types.js'
import { decodeHtml, findUnsafeHtml, listHtmlUrls } from '../helpers/find-unsafe-html.js'
import { createHostileFarm, type HostileFarm } from '../helpers/hostile-farm.js'
import { hasKramdown, hasKramdownGfm, KRAMDOWN_SETTINGS, kramdownMissing, renderKramdown } from '../helpers/render-kramdown.js'
import { type CliRun, runCli, writeConfig } from '../helpers/run-cli.js'
import { readStoreSnapshot } from '../store/store-test-helpers.js'

// CI installs kramdown (.ci/run): there a missing converter is a failure, never a skip.
const mayRender = (hasKramdown && hasKramdownGfm) || process.env.CI !== undefined
if (!mayRender) console.warn(kramdownMissing)
const itRendered = mayRender ? it : it.skip

const SITE_URL = '//finews.example.com'

interface Post {
  file: string
  frontMatter: Record<string, unknown>
  body: string
  item: StoredItem
}

let farm: HostileFarm
let dir: string
let run: CliRun
let items: StoredItem[]
let posts: Post[]
let rendered: (string | null)[][] | undefined

/** Every post's body under every setting, rendered once. */
function renderPosts(): (string | null)[][] {
  rendered ??= renderKramdown(posts.map((post) => post.body))
  return rendered
}

beforeAll(async () => {
  farm = await createHostileFarm({ timeoutMs: 5_000 })
  let configPath: string
  ;({ dir, configPath } = await writeConfig({
    site: { title: 'hostile', url: 'https://news.example.com/', timezone: 'Asia/Shanghai' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    // The live window counts from today; the farm's items are from 2022.
    output: { dir: 'out', html: true, jekyll: { dir: '_posts', siteUrl: SITE_URL, liveDays: 36500 } },
    fetch: { timeoutMs: 5_000 },
    sources: farm.sources(['markdown']),
  }))
  run = await runCli('run', '--config', configPath)
  items = (await readStoreSnapshot(join(dir, 'store/db.json'))).items
  const files = (await readdir(join(dir, 'out/_posts'))).sort()
  posts = await Promise.all(
    files.map(async (file): Promise<Post> => {
      const text = await readFile(join(dir, 'out/_posts', file), 'utf8')
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text)
      const item = items.find((one) => file.endsWith(`-${one.infoCode}.md`))
      if (!match || !item) throw new Error(`${file}: no front matter or no stored item`)
      return { file, frontMatter: parseYaml(match[1] ?? '', { version: '1.1' }) as Record<string, unknown>, body: match[2] ?? '', item }
    }),
  )
}, 30_000)

afterAll(async () => {
  await farm?.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** The links and images a post may hold: those of its item's sanitized HTML, its link, and the footer's. */
function allowedUrlsOf({ item }: Post): Set<string> {
  return new Set([
    ...listHtmlUrls(item.content ?? item.summary ?? ''),
    ...(item.link === undefined ? [] : [item.link]),
    ...(item.shareLink === undefined ? [] : [item.shareLink]),
    `${SITE_URL}/category/${item.category}.html`,
    `${SITE_URL}/`,
  ])
}

describe('Jekyll posts of sources whose text is Markdown and markup', () => {
  it('writes a post for every item of a feed, a JSON API (digest and content) and a share page', () => {
    const expected = farm.cases.filter((one) => one.group === 'markdown')
    expect([run.code, posts.length]).toEqual([0, expected.reduce((sum, one) => sum + (one.expect.outcome === 'items' ? one.expect.count : 0), 0)])
  })

  it('writes title, categories and tags as valid YAML text escaped for HTML, without bidi or zero-width characters', () => {
    const texts = posts.flatMap(({ file, frontMatter }) => {
      const tags = Array.isArray(frontMatter.tags) ? frontMatter.tags : String(frontMatter.tags).split(/\s+/)
      return [frontMatter.title, frontMatter.categories, ...tags].map((text) => [file, String(text)] as const)
    })
    const bad = texts.filter(([, text]) => /[<>"\u200B\u202A-\u202E\u2066-\u2069]/.test(text) || /&(?!amp;|lt;|gt;|quot;|#)/.test(text))
    expect([texts.length >= posts.length * 3, bad]).toEqual([true, []])
  })

  it('keeps the markup-looking title readable: the HTML text decodes to what the source meant', () => {
    const feedPost = posts.find((post) => post.item.sources.includes('md-feed') && post.frontMatter.title !== undefined && String(post.frontMatter.title).includes('img'))
    expect(decodeHtml(String(feedPost?.frontMatter.title))).toBe('<img src=x onerror=alert(1)> ]]> evil paypal [x](javascript:alert(1))')
  })

  itRendered.each(KRAMDOWN_SETTINGS.map((setting, index) => [setting.name, index] as const))(
    'renders through kramdown (%s) with no script, handler, javascript:/data: URL, or link or image the sanitized HTML did not have',
    (_, index) => {
      const problems = posts.flatMap((post, postIndex) =>
        findUnsafeHtml(renderPosts()[postIndex]?.[index] ?? '', allowedUrlsOf(post)).map((problem) => `${post.file}: ${problem}`),
      )
      expect([renderPosts().every((one) => typeof one[index] === 'string'), problems]).toEqual([true, []])
    },
  )

  itRendered('keeps the links and images of the sanitized HTML working once kramdown has rendered the post', () => {
    const kept = renderPosts().filter(([html]) => html?.includes('href="https://ok.example/kept"') && html.includes('src="https://ok.example/kept.png"'))
    // The article with the kept link and image comes from the feed, the JSON content and the share page.
    expect(kept).toHaveLength(3)
  })
})
