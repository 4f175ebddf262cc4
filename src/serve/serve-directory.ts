import { createHash } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib'
import { contentTypeOf, isCompressible } from './content-type-of.js'
import { negotiateEncoding, type ContentCoding } from './negotiate-encoding.js'
import { parseRequestPath } from './parse-request-path.js'

export interface ServeDirectoryOptions {
  /** The folder to serve (output.dir). */
  dir: string
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 8080 */
  port?: number
  /** Called after each answer, for an access log. */
  onResponse?: (entry: ServedRequest) => void
}

export interface ServedRequest {
  method: string
  path: string
  status: number
  /** Body bytes sent (after compression). */
  bytes: number
  durationMs: number
}

export interface StaticServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080/`. */
  url: string
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

/** Compressed bodies kept, keyed by content hash and coding: readers poll the same few feeds. */
const MAX_CACHED_BODIES = 64

const compressors: Record<Exclude<ContentCoding, 'identity'>, (bytes: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gzip),
  br: (bytes) =>
    promisify(brotliCompress)(bytes, {
      params: {
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
        [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    }),
}

/**
 * Serves a folder read-only over HTTP: GET and HEAD, index.html for folders, strong ETags (hash of
 * the bytes) and Last-Modified with 304s, gzip or br by Accept-Encoding. Nothing outside the
 * folder is reachable: `..`, encoded slashes and symlinks that lead out are refused.
 */
export async function serveDirectory(options: ServeDirectoryOptions): Promise<StaticServer> {
  const root = await realpath(options.dir)
  if (!(await stat(root)).isDirectory()) throw new Error(`${options.dir} is not a folder`)
  const bodies = new Map<string, Buffer>()
  const server = createServer((req, res) => {
    const startedMs = performance.now()
    res.on('finish', () => {
      const sentBody = req.method !== 'HEAD' && res.statusCode !== 304
      options.onResponse?.({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status: res.statusCode,
        bytes: sentBody ? Number(res.getHeader('content-length') ?? 0) : 0,
        durationMs: Math.round(performance.now() - startedMs),
      })
    })
    answer(req, res, root, bodies).catch(() => {
      if (res.headersSent) res.destroy()
      else sendStatus(res, 500, 'internal error')
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function answer(req: IncomingMessage, res: ServerResponse, root: string, bodies: Map<string, Buffer>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, 405, 'method not allowed', { allow: 'GET, HEAD' })
  const target = parseRequestPath(req.url ?? '/')
  if ('error' in target) return sendStatus(res, 400, `bad request: ${target.error}`)
  // Dot files are the temp files of atomic writes, or nobody's business.
  if (target.segments.some((segment) => segment.startsWith('.'))) return sendStatus(res, 404, 'not found')
  let file = await resolveInside(root, join(root, ...target.segments))
  let stats = file === undefined ? undefined : await stat(file)
  let isIndex = false
  if (file !== undefined && stats?.isDirectory()) {
    isIndex = true
    if (!target.directory) {
      // Relative links in the folder's index.html resolve against the folder only with the slash.
      const location = `/${target.segments.map(encodeURIComponent).join('/')}/${target.search}`
      return sendStatus(res, 301, `moved to ${location}`, { location })
    }
    file = await resolveInside(root, join(file, 'index.html'))
    stats = file === undefined ? undefined : await stat(file)
  }
  // `/rss.xml/` names a folder that does not exist, as on static hosts: answering with the file would
  // resolve its relative links against a made-up folder.
  if (file === undefined || stats === undefined || !stats.isFile() || (target.directory && !isIndex)) return sendStatus(res, 404, 'not found')

  const bytes = await readFile(file)
  const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 27)
  const contentType = contentTypeOf(file)
  const compressible = isCompressible(contentType)
  const coding = compressible ? negotiateEncoding(req.headers['accept-encoding']) : 'identity'
  const headers: OutgoingHttpHeaders = {
    // Each coding is its own representation, so each gets its own strong ETag (RFC 9110 §8.8.3).
    etag: coding === 'identity' ? `"${hash}"` : `"${hash}-${coding === 'br' ? 'br' : 'gz'}"`,
    'last-modified': stats.mtime.toUTCString(),
    // Readers poll: let caches keep the file but ask again each time; the ETag makes that a 304.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(compressible ? { vary: 'Accept-Encoding' } : {}),
  }
  if (isNotModified(req, hash, stats.mtime)) {
    writeHead(res, 304, headers).end()
    return
  }
  const body = coding === 'identity' ? bytes : await compressCached(bytes, `${hash}:${coding}`, coding, bodies)
  writeHead(res, 200, {
    ...headers,
    'content-type': contentType,
    'content-length': body.byteLength,
    ...(coding === 'identity' ? {} : { 'content-encoding': coding }),
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** The real path when it exists and stays inside `root` once symlinks are followed; else undefined. */
async function resolveInside(root: string, path: string): Promise<string | undefined> {
  let real: string
  try {
    real = await realpath(path)
  } catch {
    return undefined
  }
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep) ? real : undefined
}

/**
 * RFC 9110 §13.1.2: If-None-Match (weak comparison, `*`) decides when present; only without it is
 * If-Modified-Since looked at, to the second. Any coding's tag of the same bytes matches.
 */
function isNotModified(req: IncomingMessage, hash: string, mtime: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match']
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((raw) => {
      const tag = raw.trim().replace(/^W\//, '')
      return tag === '*' || tag.replace(/^"|"$/g, '').replace(/-(?:gz|br)$/, '') === hash
    })
  }
  const ifModifiedSince = req.headers['if-modified-since']
  if (ifModifiedSince === undefined) return false
  const sinceMs = Date.parse(ifModifiedSince)
  return Number.isFinite(sinceMs) && Math.floor(mtime.getTime() / 1000) <= Math.floor(sinceMs / 1000)
}

async function compressCached(bytes: Buffer, key: string, coding: Exclude<ContentCoding, 'identity'>, bodies: Map<string, Buffer>): Promise<Buffer> {
  const cached = bodies.get(key)
  if (cached !== undefined) {
    bodies.delete(key)
    bodies.set(key, cached)
    return cached
  }
  const body = await compressors[coding](bytes)
  bodies.set(key, body)
  if (bodies.size > MAX_CACHED_BODIES) bodies.delete(bodies.keys().next().value as string)
  return body
}

function sendStatus(res: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  const body = `${message}\n`
  writeHead(res, status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

/**
 * Headers passed to `res.writeHead` bypass the header map, so `getHeader('content-length')` in the
 * access log would read nothing: set them first, then write the head.
 */
function writeHead(res: ServerResponse, status: number, headers: OutgoingHttpHeaders): ServerResponse {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value)
  return res.writeHead(status)
}
