/**
 * feedloom as a user installs and runs it: packed, installed into a temp prefix, driven by the
 * README's recipes as written (paths swapped for temp ones), and `npm start` stopped by a signal.
 * Slow (npm pack, npm install, npm run build): kept to this one file, whose tests run in order.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { writeConfig } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const root = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)
const SLOW = 180_000

let temp: string
let feedloom: string
let server: FeedServer
let readme: string

beforeAll(async () => {
  expect(existsSync(join(root, 'dist/bundle/feedloom.mjs')), 'dist/ is missing: run npm run build').toBe(true)
  temp = await mkdtemp(join(tmpdir(), 'feedloom-install-'))
  server = await createFeedServer({ '/nbd.xml': rssWith('一', '二') })
  readme = await readFile(join(root, 'README.md'), 'utf8')
  // dist/ is built already (npm ci): packing it as it is keeps the test from rebuilding it.
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', temp], { cwd: root })
  const [tarball] = (await readdir(temp)).filter((name) => name.endsWith('.tgz'))
  // --prefer-offline: after `npm ci` the dependencies come from npm's cache.
  await run('npm', ['install', '-g', '--prefix', join(temp, 'prefix'), '--prefer-offline', '--no-audit', '--no-fund', join(temp, tarball ?? 'missing.tgz')], {
    cwd: temp,
  })
  feedloom = join(temp, 'prefix', 'bin', 'feedloom')
}, SLOW)

afterAll(async () => {
  await server?.close()
  await rm(temp, { recursive: true, force: true })
})

/** A folder set up the way the README says: `feedloom init`, then `feedloom add`. */
async function initFolder(name: string): Promise<string> {
  const dir = join(temp, name)
  await run('mkdir', ['-p', dir])
  await run(feedloom, ['init'], { cwd: dir })
  await run(feedloom, ['add', `${server.url}/nbd.xml`, '--id', 'nbd', '--category', '每日经济新闻'], { cwd: dir })
  return dir
}

/** The README's recipe line, with its paths pointing into the temp folder. */
function localize(line: string, dir: string): string {
  return line.replaceAll('/usr/local/bin/feedloom', feedloom).replaceAll('/srv/feedloom', dir).replaceAll('/var/log/feedloom.jsonl', join(dir, 'feedloom.jsonl'))
}

function unattendedSection(): string {
  const start = readme.indexOf('## Running it unattended')
  return readme.slice(start, readme.indexOf('\n## ', start + 1))
}

describe('a packed install', () => {
  it('runs `feedloom --version` from the install prefix', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }
    const { stdout } = await run(feedloom, ['--version'])
    expect(stdout.trim()).toBe(pkg.version)
  })

  it("runs the README's cron line as written", async () => {
    const dir = await initFolder('cron')
    const cronLine = /^\*\/5 \* \* \* \* (.*)$/m.exec(unattendedSection())?.[1] ?? ''
    expect(cronLine).toContain('/usr/local/bin/feedloom run')
    await run('sh', ['-c', localize(cronLine, dir)], { env: { PATH: '/usr/bin:/bin', HOME: dir } })
    const log = (await readFile(join(dir, 'feedloom.jsonl'), 'utf8')).trim().split('\n')
    expect(JSON.parse(log.at(-1) ?? '{}')).toMatchObject({ msg: 'cycle done', items: { added: 2 } })
    expect(existsSync(join(dir, 'out', 'rss.xml'))).toBe(true)
  }, SLOW)

  it("runs the README's systemd ExecStart as written, and SIGTERM stops it cleanly", async () => {
    const dir = await initFolder('systemd')
    const execStart = /^ExecStart=(.*feedloom start.*)$/m.exec(unattendedSection())?.[1] ?? ''
    const [command, ...args] = localize(execStart, dir).split(' ')
    const worker = spawn(command ?? '', args, { cwd: dir, env: { ...process.env, FEEDLOOM_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolveExit) => worker.on('exit', (code) => resolveExit(code)))
    await new Promise<void>((resolveCycle) => worker.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('cycle done') && resolveCycle()))
    worker.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(existsSync(join(dir, 'store', 'db.json'))).toBe(true)
    expect(existsSync(join(dir, 'store', 'db.json.lock'))).toBe(false)
  }, SLOW)

  it('has no recipe that calls a bare npx', async () => {
    expect(unattendedSection()).not.toMatch(/\bnpx\b/)
    expect(await readFile(join(root, 'docs', 'feedloom-workflow.yml'), 'utf8')).not.toMatch(/^\s*run:.*\bnpx\b/m)
  })
})

/** Processes whose command line contains `needle`, from /proc. */
async function processesWith(needle: string): Promise<string[]> {
  const found: string[] = []
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`)
  }
  return found
}

describe('npm start', () => {
  // One signal only: each `npm start` rebuilds dist/ first, which takes a while.
  for (const signal of ['SIGTERM'] as const) {
    it(`stops the worker on ${signal} to npm and leaves no process behind`, async () => {
      const { dir, configPath } = await writeConfig({
        site: { title: 't', url: 'https://news.example.com/' },
        sources: [{ id: 'nbd', type: 'feed', url: `${server.url}/nbd.xml` }],
      })
      const npm = spawn('npm', ['start', '--', '--config', configPath], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      const exited = new Promise<void>((resolveExit) => npm.on('exit', () => resolveExit()))
      let output = ''
      await new Promise<void>((resolveCycle) =>
        [npm.stdout, npm.stderr].forEach((stream) =>
          stream.on('data', (chunk: Buffer) => {
            output += chunk.toString()
            if (output.includes('cycle done')) resolveCycle()
          }),
        ),
      )
      expect(await processesWith(configPath)).not.toEqual([])
      npm.kill(signal)
      await exited
      for (let tries = 0; tries < 100 && (await processesWith(configPath)).length > 0; tries++) await new Promise((r) => setTimeout(r, 50))
      expect(await processesWith(configPath)).toEqual([])
      expect(existsSync(join(dir, 'store', 'db.json.lock'))).toBe(false)
      await rm(dir, { recursive: true, force: true })
    }, SLOW)
  }
})
