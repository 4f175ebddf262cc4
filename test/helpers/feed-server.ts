import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A fixed answer, or a handler for anything more (redirects, 304s, slow bodies). */
export type Route =
  | string
  | Buffer
  | { body: string | Buffer; status?: number; headers?: Record<string, string> }
  | ((req: IncomingMessage, res: ServerResponse) => void)

export interface FeedServer {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** Every request seen, in order. */
  requests: { method: string; path: string; headers: IncomingMessage['headers'] }[]
  /** Replace or add routes while the server runs (a source that changes between cycles). */
  routes: Record<string, Route>
  close(): Promise<void>
}

/**
 * A real HTTP server on 127.0.0.1 with an ephemeral port (or `port`). A path is looked up with its
 * query, then without it, then as the route `*` when there is one; else it answers 404.
 */
export async function createFeedServer(routes: Record<string, Route> = {}, port = 0): Promise<FeedServer> {
  const requests: FeedServer['requests'] = []
  const state = { routes: { ...routes } }
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers })
    const route = state.routes[path] ?? state.routes[path.split('?')[0] ?? path] ?? state.routes['*']
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    } else if (typeof route === 'function') {
      route(req, res)
    } else if (typeof route === 'string' || Buffer.isBuffer(route)) {
      res.writeHead(200, { 'content-type': guessType(path) }).end(route)
    } else {
      res.writeHead(route.status ?? 200, { 'content-type': guessType(path), ...route.headers }).end(route.body)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    get routes() {
      return state.routes
    },
    set routes(next) {
      state.routes = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A port that was just free: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function guessType(path: string): string {
  if (path.endsWith('.json') || path.includes('api')) return 'application/json; charset=utf-8'
  if (path.endsWith('.html')) return 'text/html; charset=utf-8'
  return 'application/xml; charset=utf-8'
}
