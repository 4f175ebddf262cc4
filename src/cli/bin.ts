import { runMain } from './main.js'

const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal means "now": store and outputs are written atomically, so nothing is half-written.
    if (stop.signal.aborted) process.exit(130)
    stop.abort(signal)
  })
}

process.exitCode = await runMain({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
  // The progress bar is for people watching a terminal, never for a pipe or a log file.
  ...(process.stderr.isTTY ? { progressStream: process.stderr } : {}),
})
