import { setFlagsFromString } from 'node:v8'
import { runMain } from './main.js'
import { setHeapPolicy } from './set-heap-policy.js'

// Before the cycle allocates: the first full collections already follow the policy.
const refused = setHeapPolicy(process.env)
if (refused !== undefined) {
  process.stderr.write(`error: ${refused}\n`)
  process.exit(1)
}

/*
 * undici parses HTTP with llhttp compiled to WebAssembly. After a few responses V8 recompiles the
 * parser with TurboFan on a background thread, and a process that is done waits for that compile
 * before it exits: about 0.1 s of CPU, and more of wall time, on every `feedloom run`. Liftoff (the
 * baseline compiler) parses a feed's HTTP fast enough, for the worker too, so tier-up is off. Set
 * before the first request (undici compiles llhttp on its first connection), and only on Node
 * 20's V8, where these flags were checked: V8 prints an error for a flag it does not know, which
 * cron would mail on every run.
 */
if (process.versions.node.startsWith('20.')) setFlagsFromString('--no-wasm-tier-up --no-wasm-dynamic-tiering')

const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal means "now": store and outputs are written atomically, so nothing is half-written.
    if (stop.signal.aborted) process.exit(130)
    stop.abort(signal)
  })
}

const hangups = new EventTarget()
// The worker rereads its config on SIGHUP, as daemons do; other commands ignore it.
process.on('SIGHUP', () => hangups.dispatchEvent(new Event('hangup')))

process.exitCode = await runMain({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
  hangups,
  // The progress bar is for people watching a terminal, never for a pipe or a log file.
  ...(process.stderr.isTTY ? { progressStream: process.stderr } : {}),
})
