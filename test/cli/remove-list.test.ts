import { readFile, rm } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, writeConfigText } from '../helpers/run-cli.js'

const text = `{
  "site": { "title": "金融消息", "url": "https://news.example.com/" },
  "sources": [
    { "id": "nbd", "type": "feed", "url": "https://nbd.example.com/rss.xml", "category": "meirijingjixinwen" },
    { "id": "picked", "type": "share", "urls": ["https://a.example/s?infoCode=NW1", "https://a.example/s?infoCode=NW2"] },
    { "id": "stcn", "type": "feed", "url": "https://stcn.example.com/rss" }
  ]
}
`

let dir: string
let configPath: string

beforeEach(async () => {
  ;({ dir, configPath } = await writeConfigText(text))
})

afterEach(() => rm(dir, { recursive: true, force: true }))

describe('feedloom remove', () => {
  it('removes the source and leaves every other byte of the file alone', async () => {
    const result = await runCli('remove', 'picked', '--config', configPath)
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('removed source "picked" (share): https://a.example/s?infoCode=NW1 https://a.example/s?infoCode=NW2')
    expect(await readFile(configPath, 'utf8')).toBe(text.replace(/\n {4}\{ "id": "picked".*\n/, '\n'))
  })

  it('names an unknown id with the ids there are, exit 1, file untouched', async () => {
    const result = await runCli('remove', 'nope', '--config', configPath)
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('error: no source with id "nope"\nhint: sources: nbd, picked, stcn')
    expect(await readFile(configPath, 'utf8')).toBe(text)
  })
})

describe('feedloom list', () => {
  it('prints a table of id, type, category and url', async () => {
    const result = await runCli('list', '--config', configPath)
    expect(result.stdout).toBe(
      [
        'ID      TYPE   CATEGORY           URL',
        'nbd     feed   meirijingjixinwen  https://nbd.example.com/rss.xml',
        'picked  share  (by media)         https://a.example/s?infoCode=NW1 (+1 more)',
        'stcn    feed   (by media)         https://stcn.example.com/rss',
      ].join('\n'),
    )
  })

  it('prints a JSON array of objects with id under --json', async () => {
    const result = await runCli('list', '--json', '--config', configPath)
    expect(JSON.parse(result.stdout)).toEqual([
      { id: 'nbd', type: 'feed', category: 'meirijingjixinwen', url: 'https://nbd.example.com/rss.xml' },
      { id: 'picked', type: 'share', urls: ['https://a.example/s?infoCode=NW1', 'https://a.example/s?infoCode=NW2'] },
      { id: 'stcn', type: 'feed', url: 'https://stcn.example.com/rss' },
    ])
  })
})
