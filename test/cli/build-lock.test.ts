import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { acquireStoreLock } from '../../src/store/open-store.js'
import { runCli, useConfiguredServer } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const setup = useConfiguredServer(
  () => ({ '/feed.xml': rssWith('一') }),
  (url) => ({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { path: 'store/db.json', maxAgeDays: 36500 },
    output: { dir: 'out', html: false, opml: false },
    sources: [{ id: 'nbd', type: 'feed', url: `${url}/feed.xml`, category: 'a' }],
  }),
)

beforeEach(async () => {
  await runCli('run', '--config', setup.configPath)
  await rm(join(setup.dir, 'out'), { recursive: true })
})

describe('feedloom build and the store lock', () => {
  it('exits 1 naming the holder while another feedloom holds the store', async () => {
    const lock = await acquireStoreLock(join(setup.dir, 'store/db.json'), { holder: 'feedloom run' })

    const result = await runCli('build', '--config', setup.configPath)
    await lock.release()

    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`store is in use by feedloom run (pid ${process.pid}`)
    expect(result.stderr).toContain('hint: wait for it to finish, or pass --wait')
  })

  it('--wait builds once the holder lets go', async () => {
    const lock = await acquireStoreLock(join(setup.dir, 'store/db.json'), { holder: 'feedloom run' })
    setTimeout(() => void lock.release(), 300)

    const result = await runCli('build', '--wait', '--config', setup.configPath)

    expect(result.code).toBe(0)
    expect(result.stderr).toContain('waiting up to 300 s')
    expect(existsSync(join(setup.dir, 'out/rss.xml'))).toBe(true)
  })

  it('writes out/status.json with the feeds', async () => {
    await runCli('build', '--config', setup.configPath)

    expect(existsSync(join(setup.dir, 'out/status.json'))).toBe(true)
  })

  it('refuses a --wait-timeout that is not a number of seconds', async () => {
    const result = await runCli('build', '--wait-timeout', 'soon', '--config', setup.configPath)

    expect(result.code).toBe(1)
    expect(result.stderr).toContain('must be a whole number of seconds')
  })
})
