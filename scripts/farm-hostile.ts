/**
 * `npm run farm:hostile [-- --config hostile.config.json]`: serves every hostile source of
 * the hostile tests (and two good feeds) on 127.0.0.1 until Ctrl-C, prints each URL with what it does and
 * what feedloom must make of it, and optionally writes a feeds.config.json pointing at all of
 * them, so that `feedloom run --config hostile.config.json` can be watched against it.
 * `--json` prints one line `{ url, cases }` instead, for tests that run the farm as a child.
 */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createHostileFarm, type HostileFarm } from '../test/helpers/hostile-farm.js'

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    json: { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '3000' },
    'max-bytes': { type: 'string', default: String(4 * 1024 * 1024) },
    'max-redirects': { type: 'string', default: '5' },
    'secret-file': { type: 'string' },
  },
})
const timeoutMs = Number(values['timeout-ms'])
const maxBytes = Number(values['max-bytes'])

const farm = await createHostileFarm({
  timeoutMs,
  maxBytes,
  maxRedirects: Number(values['max-redirects']),
  ...(values['secret-file'] === undefined ? {} : { secretFile: values['secret-file'] }),
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void farm.close().then(() => process.exit(0))
  })
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ url: farm.url, cases: farm.cases })}\n`)
} else {
  printListing(farm)
  if (values.config !== undefined) await writeConfig(farm, resolve(values.config))
  process.stdout.write('\nCtrl-C stops the farm.\n')
}

function printListing({ url, cases }: HostileFarm): void {
  const width = Math.max(...cases.map((one) => one.id.length))
  process.stdout.write(`hostile farm on ${url} (aimed at fetch.timeoutMs ${timeoutMs}, fetch.maxBytes ${maxBytes})\n\n`)
  for (const one of cases) {
    const expected = one.expect.outcome === 'error' ? one.expect.code : `${one.expect.count} item(s)`
    process.stdout.write(`${one.group.padEnd(8)} ${one.id.padEnd(width)}  ${one.url}\n${' '.repeat(width + 11)}${one.what} → ${expected}\n`)
  }
}

async function writeConfig(hostile: HostileFarm, configPath: string): Promise<void> {
  const config = {
    site: { title: 'hostile farm', url: 'https://news.example.com/' },
    store: { path: 'hostile-store/db.json', maxAgeDays: 36500, maxItemsPerCategory: 5000 },
    output: { dir: 'hostile-out' },
    fetch: { timeoutMs, maxBytes, concurrency: 64, perHost: 64 },
    sources: hostile.sources(['good', 'network', 'content', 'json', 'share']),
  }
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`)
  process.stdout.write(`\nconfig written: ${configPath}\n  run it with: npx tsx src/cli/bin.ts run --config ${configPath}\n`)
}
