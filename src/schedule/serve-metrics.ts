import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** One cycle as the metrics count it. */
export interface CycleObservation {
  /** False when the cycle threw (store or config failure). */
  ok: boolean
  durationMs: number
  items: { added: number; updated: number; merged: number; pruned: number }
  /** Bytes of the store file after the cycle, when known. */
  storeBytes?: number
}

export interface MetricsServer {
  /** `http://host:port/`. */
  url: string
  observeSource(sourceId: string, status: string, durationMs: number): void
  observeCycle(cycle: CycleObservation): void
  close(): Promise<void>
}

export interface MetricsOptions {
  host: string
  port: number
  /** The schedule's period: /healthz is 200 while the last cycle finished within twice this. */
  periodMs: () => number
  now?: () => Date
}

/**
 * The only prom-client import. Serves `/metrics` (Prometheus text format: cycles, cycle duration,
 * per-source fetches and their duration, items, last successful cycle, store size, and the
 * process metrics prom-client collects) and `/healthz`.
 */
export async function serveMetrics(options: MetricsOptions): Promise<MetricsServer> {
  const now = options.now ?? (() => new Date())
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'feedloom_' })
  const cycles = new Counter({ name: 'feedloom_cycles_total', help: 'Cycles run, by result', labelNames: ['result'], registers: [registry] })
  const cycleSeconds = new Histogram({
    name: 'feedloom_cycle_duration_seconds',
    help: 'Duration of a cycle',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  })
  const fetches = new Counter({ name: 'feedloom_source_fetches_total', help: 'Source refreshes, by source and status', labelNames: ['source', 'status'], registers: [registry] })
  const fetchSeconds = new Histogram({
    name: 'feedloom_source_fetch_duration_seconds',
    help: 'Duration of one source refresh (fetch, parse, details)',
    labelNames: ['source'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60],
    registers: [registry],
  })
  const items = new Counter({ name: 'feedloom_items_total', help: 'Items added, updated, merged and pruned', labelNames: ['change'], registers: [registry] })
  const lastSuccess = new Gauge({ name: 'feedloom_last_successful_cycle_timestamp_seconds', help: 'End of the last cycle that completed', registers: [registry] })
  const storeBytes = new Gauge({ name: 'feedloom_store_size_bytes', help: 'Bytes on disk of the store (its head and segment files)', registers: [registry] })
  for (const change of ['added', 'updated', 'merged', 'pruned']) items.inc({ change }, 0)
  for (const result of ['ok', 'failed']) cycles.inc({ result }, 0)
  let lastSuccessMs: number | undefined
  const startedMs = now().getTime()

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${String(err)}\n`),
      )
    } else if (path === '/healthz') {
      // Before the first cycle ends, the worker counts from its start.
      const ageMs = now().getTime() - (lastSuccessMs ?? startedMs)
      const healthy = ageMs <= 2 * options.periodMs()
      const body = `${healthy ? 'ok' : 'stale'}: last successful cycle ${lastSuccessMs === undefined ? 'none yet' : `${Math.round(ageMs / 1000)} s ago`}\n`
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(body)
    } else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: /metrics or /healthz\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    observeSource(sourceId, status, durationMs) {
      fetches.inc({ source: sourceId, status })
      fetchSeconds.observe({ source: sourceId }, durationMs / 1000)
    },
    observeCycle(cycle) {
      cycles.inc({ result: cycle.ok ? 'ok' : 'failed' })
      cycleSeconds.observe(cycle.durationMs / 1000)
      if (!cycle.ok) return
      for (const [change, count] of Object.entries(cycle.items)) items.inc({ change }, count)
      lastSuccessMs = now().getTime()
      lastSuccess.set(lastSuccessMs / 1000)
      if (cycle.storeBytes !== undefined) storeBytes.set(cycle.storeBytes)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
