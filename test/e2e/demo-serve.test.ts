import { execFile, spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { mtimeTree } from '../helpers/file-tree.js'

const root = resolve(import.meta.dirname, '../..')
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  const { port } = server.address() as AddressInfo
  await new Promise((resolveClose) => server.close(resolveClose))
  return port
}

async function demoArgs(): Promise<{ dir: string; args: string[]; siteUrl: string; samplesUrl: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'feedloom-demo-serve-'))
  dirs.push(dir)
  const [site, samples] = [await freePort(), await freePort()]
  return { dir, args: ['--import', 'tsx', 'scripts/demo.ts', dir, '--port', String(site), '--samples-port', String(samples)], siteUrl: `http://127.0.0.1:${site}/`, samplesUrl: `http://127.0.0.1:${samples}/` }
}

/** Each test runs the demo's cycle in a child process, the first twice: seconds each on a busy machine. */
const DEMO_TIMEOUT_MS = 60_000

describe('npm run demo', () => {
  it('rewrites nothing on a second run: config, store, out/ and status.json keep their bytes and times', async () => {
    const { dir, args } = await demoArgs()
    await promisify(execFile)(process.execPath, args, { cwd: root })
    const before = await mtimeTree(dir)
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root })
    expect(stdout).toMatch(/0 files written/)
    expect(await mtimeTree(dir)).toEqual(before)
    expect(Object.keys(before)).toContain('out/status.json')
  }, DEMO_TIMEOUT_MS)

  it('with --serve, serves out/ at the site URL its pages and feeds link to, every link of its pages (items too) answering 200, until Ctrl-C', async () => {
    const { args, siteUrl, samplesUrl } = await demoArgs()
    const demo = spawn(process.execPath, [...args, '--serve'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    // A failed expectation must not leave the demo serving after the test.
    onTestFinished(() => void demo.kill('SIGKILL'))
    const exited = new Promise<number | null>((resolveExit) => demo.on('exit', (code) => resolveExit(code)))
    let output = ''
    await new Promise<void>((resolveServing, reject) => {
      demo.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('serving ')) resolveServing()
      })
      demo.on('exit', () => reject(new Error(`demo exited: ${output}`)))
    })
    const pending = [siteUrl, `${siteUrl}rss.xml`, `${siteUrl}atom.xml`, `${siteUrl}feed.json`, `${siteUrl}feeds.opml`]
    const seen = new Set<string>()
    const itemLinks = new Set<string>()
    while (pending.length > 0) {
      const url = pending.pop() as string
      if (seen.has(url)) continue
      seen.add(url)
      const response = await fetch(url)
      expect(response.status, url).toBe(200)
      const text = await response.text()
      if (!/\.html$|\/$/.test(new URL(url).pathname)) continue
      for (const [, href] of text.matchAll(/href="([^"]+)"/g)) {
        const target = new URL(href?.replaceAll('&amp;', '&') ?? '', url).href
        if (target.startsWith(siteUrl)) pending.push(target)
        else itemLinks.add(target)
      }
    }
    expect(seen.size).toBeGreaterThan(20)
    // Items link to their sources' articles, which the demo's sample server answers for while it runs.
    expect([...itemLinks].filter((link) => !link.startsWith(samplesUrl))).toEqual([])
    for (const link of itemLinks) expect((await fetch(link)).status, link).toBe(200)
    expect(itemLinks.size).toBeGreaterThan(5)
    demo.kill('SIGINT')
    expect(await exited).toBe(0)
  }, DEMO_TIMEOUT_MS)
})
