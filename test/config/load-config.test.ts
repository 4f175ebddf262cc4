import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { ConfigError } from '../../src/errors.js'

const minimal = { site: { title: '金融消息', url: 'https://news.example.com' } }

function load(json: unknown, env?: Record<string, string>) {
  return loadConfig({ fileText: JSON.stringify(json), baseDir: '/srv/feedloom', env })
}

function issuesOf(json: unknown): string[] {
  try {
    load(json)
  } catch (err) {
    if (err instanceof ConfigError) return err.issues
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('fills every default from the schema', () => {
    const config = load(minimal)
    expect(config.site.timezone).toBe('Asia/Shanghai')
    expect(config.schedule).toBe('*/5 * * * *')
    expect(config.output.formats).toEqual(['rss', 'atom', 'json'])
    expect(config.fetch).toMatchObject({ concurrency: 8, perHost: 2, timeoutMs: 20000, maxRedirects: 5 })
    expect(config.store).toMatchObject({ maxItemsPerCategory: 500, maxAgeDays: 30 })
  })

  it('resolves store and output paths against the config folder', () => {
    const config = load(minimal)
    expect(config.store.path).toBe('/srv/feedloom/store/db.json')
    expect(config.output.dir).toBe('/srv/feedloom/out')
  })

  it('reports unknown keys with their JSON path', () => {
    const issues = issuesOf({ ...minimal, sources: [{ id: 'a', type: 'feed', url: 'https://a.example/rss', catgory: 'x' }] })
    expect(issues).toEqual(['sources[0].catgory: unknown key (did you mean "category"?)'])
  })

  it('collects every problem at once, each with its path', () => {
    const issues = issuesOf({
      site: { title: '', url: 'not a url', timezone: 'Mars/Olympus' },
      output: { formats: ['rss', 'gopher'] },
      sources: [{ id: 'Bad Id', type: 'feed', url: 'ftp://x.example/feed' }],
    })
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(
      expect.arrayContaining(['site.title', 'site.url', 'site.timezone', 'output.formats[1]', 'sources[0].id', 'sources[0].url']),
    )
    expect(issues).toHaveLength(6)
  })

  it('takes fetch.workers from 0 (parse on the main thread) up, and refuses a negative or fractional count with its path', () => {
    expect(load({ ...minimal, fetch: { workers: 0 } }).fetch.workers).toBe(0)
    expect(issuesOf({ ...minimal, fetch: { workers: -1 } }).map((issue) => issue.split(':')[0])).toEqual(['fetch.workers'])
    expect(issuesOf({ ...minimal, fetch: { workers: 1.5 } }).map((issue) => issue.split(':')[0])).toEqual(['fetch.workers'])
  })

  it('refuses duplicate source ids and urls', () => {
    const source = { id: 'nbd', type: 'feed', url: 'https://nbd.example/rss' }
    expect(issuesOf({ ...minimal, sources: [source, source] })).toEqual([
      'sources[1].id: duplicate id "nbd" (also sources[0])',
      'sources[1].url: duplicate url (also sources[0])',
    ])
  })

  it('refuses a file that is not JSON', () => {
    expect(() => loadConfig({ fileText: '{ "site": ', baseDir: '/' })).toThrow(/line 1, column 11: expected a value/)
  })

  it('lets FEEDLOOM_ variables override paths and the public URL', () => {
    const config = load(minimal, { FEEDLOOM_OUTPUT_DIR: '/var/www/feeds', FEEDLOOM_SITE_URL: 'https://feeds.example.org', HOME: '/x' })
    expect(config.output.dir).toBe('/var/www/feeds')
    expect(config.site.url).toBe('https://feeds.example.org')
  })

  it('takes a PostgreSQL store URL from store.url or FEEDLOOM_STORE_URL', () => {
    const url = 'postgres://feedloom:secret@db.internal:5432/feedloom'
    expect(load({ ...minimal, store: { url } }).store.url).toBe(url)
    expect(load(minimal, { FEEDLOOM_STORE_URL: url }).store.url).toBe(url)
  })

  it('refuses a store URL that is not postgres://', () => {
    expect(issuesOf({ ...minimal, store: { url: 'mysql://db.internal/feedloom' } })).toEqual([
      'store.url: must be a postgres:// URL (postgres://user:password@host:5432/database)',
    ])
  })

  it('refuses a store URL together with a store path of your own', () => {
    expect(issuesOf({ ...minimal, store: { url: 'postgres://db.internal/feedloom', path: 'data/db.json' } })).toEqual([
      'store.url: a PostgreSQL store has no file, so store.path cannot be set with it; remove one of them',
    ])
  })

  it('returns a frozen config', () => {
    expect(Object.isFrozen(load(minimal).site)).toBe(true)
  })
})

describe('loadConfig filters', () => {
  it('refuses a filter written as a regular expression that does not compile, with its path', () => {
    const issues = issuesOf({
      ...minimal,
      sources: [{ id: 'nbd', type: 'feed', url: 'https://nbd.example/rss', filters: { exclude: { title: ['广告', '/[未闭合/'] } } }],
    })
    expect(issues).toEqual(['sources[0].filters.exclude.title[1]: is not a valid regular expression (write /pattern/flags)'])
  })

  it('accepts plain words and valid regular expressions', () => {
    const config = load({ ...minimal, categories: { yaowen: { title: '要闻', filters: { include: { title: ['央行', '/MLF|LPR/i'] } } } } })
    expect(config.categories.yaowen?.filters?.include?.title).toEqual(['央行', '/MLF|LPR/i'])
  })
})
