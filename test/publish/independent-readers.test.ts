import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { feedparserMissing, hasFeedparser, readFeeds } from '../helpers/feedparser.js'
import { ALL_FILES, createConfig, createItem, createItems, createOutputDir, publishItems } from './publish-fixtures.js'

const hasXmllint = spawnSync('xmllint', ['--version']).status === 0

function skipNote(title: string, available: boolean, whyMissing: string): string {
  return available ? title : `${title} (skipped: ${whyMissing})`
}

/** Items with the characters that break naive generators: markup, `]]>`, `&`, controls, a lone surrogate, emoji. */
function createTrickyItems() {
  return [
    ...createItems(),
    createItem('NW202201112243496900', {
      title: '“A股” <跌> & 涨 ]]> 再 ]]>\u0001\uD800 📈',
      content: '<p>第一段 ]]> &amp; 第二段 ]]></p><script>x</script>',
      summary: undefined,
      author: 'Zhang <San> & Co',
      categories: ['a<b', 'R&D'],
      link: 'https://finance.example.com/a?infoCode=NW202201112243496900&utm=x',
      published: '2022-01-11T08:00:00.000Z',
    }),
  ]
}

const EXPECTED_IDS: Record<string, number> = { '': 5, meirijingjixinwen: 3, zhengquanshibao: 2 }

let outputDir = ''

beforeAll(async () => {
  outputDir = await createOutputDir()
  await publishItems({ items: createTrickyItems(), config: createConfig(outputDir, { output: { opml: true } }), changedCategories: 'all' })
})

describe('published files read by independent tools', () => {
  it.skipIf(!hasFeedparser)(skipNote('parse with feedparser without errors and with every entry', hasFeedparser, feedparserMissing), () => {
    const files = ALL_FILES.map((file) => path.join(outputDir, file))
    const report = readFeeds(files)
    const expected = ALL_FILES.map((file) => ({
      bozo: 0,
      version: { 'rss.xml': 'rss20', 'atom.xml': 'atom10', 'feed.json': 'https://jsonfeed.org/version/1.1' }[path.basename(file)],
      count: EXPECTED_IDS[path.dirname(file) === '.' ? '' : path.dirname(file)],
    }))
    expect(report.map(({ bozo, version, ids }) => ({ bozo, version, count: ids.length }))).toEqual(expected)
  })

  it.skipIf(!hasXmllint)(skipNote('pass xmllint --noout', hasXmllint, 'xmllint is not installed'), () => {
    const xmlFiles = [...ALL_FILES.filter((file) => file.endsWith('.xml')), 'feeds.opml'].map((file) => path.join(outputDir, file))
    const run = spawnSync('xmllint', ['--noout', ...xmlFiles], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
})
