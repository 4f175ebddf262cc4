import { readFile, writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, spawnCli, useConfiguredServer } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

let worker: ReturnType<typeof spawnCli>
let stderr: string

const setup = useConfiguredServer(
  () => ({ '/a.xml': rssWith('一'), '/b.xml': rssWith('二') }),
  (url) => ({
    site: { title: 't', url: 'https://news.example.com/' },
    // Every second: the test waits for cycles, not for minutes.
    schedule: '* * * * * *',
    store: { maxAgeDays: 36500 },
    sources: [{ id: 'a', type: 'feed', url: `${url}/a.xml`, category: 'a' }],
  }),
)

beforeEach(async () => {
  stderr = ''
  worker = spawnCli(['start', '--config', setup.configPath])
  worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  await waitFor(() => /worker started/.test(stderr), 'the worker to start')
})

afterEach(async () => {
  if (worker.exitCode === null) {
    const exited = new Promise((resolveExit) => worker.on('exit', resolveExit))
    worker.kill('SIGTERM')
    await exited
  }
})

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    if (check()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}; worker said:\n${stderr}`)
}

const requestsFor = (path: string) => setup.server.requests.filter((request) => request.path === path).length

describe('feedloom start follows its config', () => {
  it('picks up a source `add` wrote at its next cycle, logging what changed with the time', async () => {
    const added = await runCli('add', `${setup.server.url}/b.xml`, '--id', 'b', '--category', 'b', '--config', setup.configPath)
    expect(added.stderr).toContain('the running worker (feedloom start) picks it up at its next cycle')
    await waitFor(() => /config reloaded \(file changed\): sources added: b/.test(stderr), 'the reload')
    await waitFor(() => requestsFor('/b.xml') > 0, 'a fetch of the new source')
    const line = stderr.split('\n').find((candidate) => candidate.includes('config reloaded')) ?? ''
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z config reloaded \(file changed\): sources added: b$/)
  })

  it('logs removed and edited sources', async () => {
    await writeFile(
      setup.configPath,
      JSON.stringify({
        site: { title: 't', url: 'https://news.example.com/' },
        schedule: '* * * * * *',
        store: { maxAgeDays: 36500 },
        sources: [{ id: 'b', type: 'feed', url: `${setup.server.url}/b.xml`, category: 'b' }],
      }),
    )
    await waitFor(() => /config reloaded \(file changed\): sources added: b; sources removed: a/.test(stderr), 'the reload')
    const text = (await readFile(setup.configPath, 'utf8')).replace('"category":"b"', '"category":"c"')
    await writeFile(setup.configPath, text)
    await waitFor(() => /sources edited: b/.test(stderr), 'the second reload')
  })

  it('keeps the config it has, and says why, when the new one is invalid', async () => {
    const good = await readFile(setup.configPath, 'utf8')
    await writeFile(setup.configPath, good.replace('"sources"', '"sourcse"'))
    await waitFor(() => /not reloaded \(file changed\), keeping the previous one: .*sourcse: unknown key \(did you mean "sources"\?\)/s.test(stderr), 'the refusal')
    const before = requestsFor('/a.xml')
    await waitFor(() => requestsFor('/a.xml') > before, 'a cycle on the old config')
    expect(worker.exitCode).toBe(null)
  })

  it('rereads on SIGHUP', async () => {
    worker.kill('SIGHUP')
    await waitFor(() => /config reread \(SIGHUP\): no change/.test(stderr), 'the reread')
    expect(worker.exitCode).toBe(null)
  })
})
