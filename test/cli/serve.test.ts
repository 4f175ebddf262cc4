import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCliWith, writeConfig } from '../helpers/run-cli.js'

const agent = new Agent({ keepAliveTimeout: 10 })
afterAll(() => agent.close())

let dir: string
let configPath: string

beforeEach(async () => {
  ;({ dir, configPath } = await writeConfig({ site: { title: '金融消息', url: 'https://news.example.com/' }, output: { dir: 'public' } }))
})

afterEach(() => rm(dir, { recursive: true, force: true }))

async function waitForLine(lines: string[], pattern: RegExp): Promise<string> {
  for (let tries = 0; tries < 200; tries++) {
    const line = lines.find((candidate) => pattern.test(candidate))
    if (line !== undefined) return line
    await sleep(10)
  }
  throw new Error(`no line matching ${pattern}: ${lines.join('\n')}`)
}

describe('feedloom serve', () => {
  it("prints where it listens, serves output.dir, and stops with exit 0 when the signal comes", async () => {
    await mkdir(join(dir, 'public'), { recursive: true })
    await writeFile(join(dir, 'public', 'rss.xml'), '<rss version="2.0"><channel><title>t</title></channel></rss>')
    const stop = new AbortController()
    const run = runCliWith(['serve', '--port', '0', '--config', configPath], { signal: stop.signal })
    const line = await waitForLine(run.stdout, /^serving /)
    const url = /at (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line)?.[1] as string
    expect(line).toBe(`serving ${join(dir, 'public')} at ${url}`)
    const response = await request(new URL('rss.xml', url), { dispatcher: agent })
    expect(response.headers['content-type']).toBe('application/rss+xml; charset=utf-8')
    await response.body.dump()
    stop.abort('SIGTERM')
    const result = await run.done
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z SIGTERM: stopped serving$/)
  })

  it('exits 1 naming the address when the port is taken', async () => {
    const stop = new AbortController()
    const first = runCliWith(['serve', '--port', '0', '--config', configPath], { signal: stop.signal })
    const port = /:(\d+)\/$/.exec(await waitForLine(first.stdout, /^serving /))?.[1] as string
    const second = await runCliWith(['serve', '--port', port, '--config', configPath]).done
    stop.abort('SIGINT')
    await first.done
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(new RegExp(`^\\S+Z error: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))
  })

  it('refuses a port that is not a number', async () => {
    const result = await runCliWith(['serve', '--port', 'http', '--config', configPath]).done
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('must be a port number from 0 to 65535')
  })
})
