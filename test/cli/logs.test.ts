import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/cli/create-logger.js'
import { createProgress } from '../../src/cli/create-progress.js'
import { runCliWith, useConfiguredServer } from '../helpers/run-cli.js'

const samples = resolve(import.meta.dirname, '../../samples/feeds')

/** A stand-in for a terminal (or, with isTTY false, a pipe) that keeps what was written. */
function createStream(isTTY: boolean) {
  const chunks: string[] = []
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString())
        done()
      },
    }),
    { isTTY, columns: 100 },
  )
  return { stream, written: () => chunks.join('') }
}

const setup = useConfiguredServer(
  async () => ({ '/nbd.xml': await readFile(join(samples, 'nbd.xml')), '/broken.xml': { status: 503, body: 'busy' } }),
  (url) => ({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { maxAgeDays: 36500 },
    fetch: { timeoutMs: 5000 },
    sources: [
      { id: 'nbd', type: 'feed', url: `${url}/nbd.xml`, category: 'meirijingjixinwen' },
      { id: 'broken', type: 'feed', url: `${url}/broken.xml` },
    ],
  }),
)

describe('--log-format json', () => {
  it('writes each log record as one JSON object with camelCase fields', async () => {
    const result = await runCliWith(['run', '--log-format', 'json', '--config', setup.configPath]).done
    const records = result.stderr.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records).toContainEqual(expect.objectContaining({ level: 'warn', sourceId: 'broken', code: 'E_FETCH_STATUS', msg: expect.stringContaining('HTTP 503') }))
    for (const record of records) expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('prints the cycle summary as one JSON object with the counts', async () => {
    const result = await runCliWith(['run', '--log-format', 'json', '--config', setup.configPath]).done
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')).toHaveLength(1)
    expect(JSON.parse(result.stdout)).toMatchObject({
      level: 'info',
      msg: 'cycle done',
      sources: { ok: 1, notModified: 0, failed: 1, skipped: 0 },
      items: { added: 3, updated: 0 },
      storeWritten: true,
      failures: [{ sourceId: 'broken', code: 'E_FETCH_STATUS' }],
      durationMs: expect.any(Number),
    })
  })

  it('is the default under FEEDLOOM_LOG_FORMAT=json', async () => {
    const result = await runCliWith(['run', '--config', setup.configPath], { env: { FEEDLOOM_LOG_FORMAT: 'json' } }).done
    expect(JSON.parse(result.stdout)).toMatchObject({ msg: 'cycle done' })
  })

  it('reports a fatal error as a JSON record with its code and issues', async () => {
    const result = await runCliWith(['run', '--log-format', 'json', '--config', join(setup.dir, 'missing.json')]).done
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stderr)).toMatchObject({ level: 'error', code: 'E_CONFIG_READ', issues: [expect.stringContaining('file not found')] })
  })
})

describe('--quiet and --verbose', () => {
  it('--quiet prints no summary, only the warnings', async () => {
    const result = await runCliWith(['run', '--quiet', '--config', setup.configPath]).done
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^warning: source broken failed: .*HTTP 503$/)
  })

  it('--verbose also lists each file written', async () => {
    const result = await runCliWith(['run', '--verbose', '--config', setup.configPath]).done
    expect(result.stderr).toContain(`wrote ${join(setup.dir, 'out')}`)
    expect(result.stdout).toMatch(/^cycle done: /)
  })
})

describe('the progress bar', () => {
  it('never writes to a stream that is not a TTY', async () => {
    const pipe = createStream(false)
    const result = await runCliWith(['run', '--config', setup.configPath], { progressStream: pipe.stream }).done
    expect(result.code).toBe(0)
    expect(pipe.written()).toBe('')
  })

  it('draws on a TTY during a cycle, with the lines logged meanwhile printed above it', async () => {
    const terminal = createStream(true)
    const result = await runCliWith(['run', '--config', setup.configPath], { progressStream: terminal.stream }).done
    expect(terminal.written()).toContain('cycle [')
    expect(terminal.written()).toMatch(/warning: source broken failed/)
    expect(result.stdout).toMatch(/^cycle done: /)
  })

  it('counts finished sources and prints lines logged meanwhile above the bar', () => {
    const terminal = createStream(true)
    const progress = createProgress(terminal.stream)
    progress.start(2)
    progress.tick('nbd')
    expect(progress.log('warning: slow')).toBe(true)
    progress.tick('stcn')
    progress.stop()
    expect(terminal.written()).toContain('2/2 sources stcn')
    expect(terminal.written()).toContain('warning: slow\n')
    expect(progress.log('after')).toBe(false)
  })
})

describe('createLogger', () => {
  it('prints text lines with warning and error prefixes, fields left out', () => {
    const lines: string[] = []
    const log = createLogger({ write: (line) => lines.push(line) })
    log.debug('hidden')
    log.info('cycle started', { sourceId: 'x' })
    log.warn('source x failed', { sourceId: 'x' })
    log.error('broken')
    expect(lines).toEqual(['cycle started', 'warning: source x failed', 'error: broken'])
  })
})
