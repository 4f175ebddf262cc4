import { rm } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runCliWith, useConfiguredServer, writeConfig } from '../helpers/run-cli.js'
import { rssWith } from '../pipeline/cycle-test-helpers.js'

const setup = useConfiguredServer(
  () => ({ '/good.xml': rssWith('一', '二'), '/busy.xml': { status: 503, body: 'busy', headers: { 'retry-after': '3600' } } }),
  (url) => ({
    site: { title: '金融消息', url: 'https://news.example.com/' },
    store: { maxAgeDays: 36500 },
    fetch: { timeoutMs: 5000 },
    sources: [
      { id: 'good', type: 'feed', url: `${url}/good.xml`, category: 'a' },
      { id: 'busy', type: 'feed', url: `${url}/busy.xml`, category: 'b' },
    ],
  }),
)

/** A terminal stand-in that keeps what the progress bar drew. */
function createTerminal() {
  const chunks: string[] = []
  const stream = Object.assign(new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk.toString()), done()) }), { isTTY: true, columns: 100 })
  return { stream, written: () => chunks.join('') }
}

describe('per-source reporting through onSourceDone', () => {
  it('--verbose prints a line per source with its status, entries and duration', async () => {
    const result = await runCliWith(['run', '--verbose', '--config', setup.configPath]).done

    expect(result.stderr).toMatch(/source good: ok, 2 entries, \d+ ms/)
    expect(result.stderr).toMatch(/source busy: failed, 0 entries, E_FETCH_STATUS: fetch failed for .*: HTTP 503, next attempt \d{4}-.*, \d+ ms/)
  })

  it('--verbose shows a source in Retry-After backoff as skipped, with until when', async () => {
    await runCliWith(['run', '--config', setup.configPath]).done

    const result = await runCliWith(['run', '--verbose', '--config', setup.configPath]).done

    expect(result.stderr).toMatch(/source busy: skipped, backing off until \d{4}-\d\d-\d\dT[\d:.]+Z, \d+ ms/)
    expect(result.stdout).toContain('1 skipped (backing off)')
  })

  it('moves the progress bar once per source, skipped ones included', async () => {
    await runCliWith(['run', '--config', setup.configPath]).done
    const terminal = createTerminal()

    await runCliWith(['run', '--config', setup.configPath], { progressStream: terminal.stream }).done

    expect(terminal.written()).toContain('2/2 sources')
  })

  it('prints a failure line above the bar with the control characters of the answer escaped', async () => {
    // JSON.parse quotes the start of what it could not read in its message.
    setup.server.routes['/api.json'] = { status: 200, body: '[\u001b]0;pwned\u0007\u009b2J]', headers: { 'content-type': 'application/json' } }
    const written = await writeConfig({
      site: { title: '金融消息', url: 'https://news.example.com/' },
      sources: [{ id: 'api', type: 'json', url: `${setup.server.url}/api.json`, fields: { title: 'title', guid: 'id' } }],
    })
    const terminal = createTerminal()

    await runCliWith(['run', '--config', written.configPath], { progressStream: terminal.stream }).done
    await rm(written.dir, { recursive: true, force: true })

    expect(terminal.written()).toMatch(/source api failed: .*\\u001b\]0;pwned\\u0007\\u009b2J/)
    expect(terminal.written()).not.toMatch(/\u001b\]0;|\u009b/)
  })
})
