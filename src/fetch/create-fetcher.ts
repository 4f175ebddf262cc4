import { Agent, fetch, type Response } from 'undici'
import { FetchError } from '../errors.js'
import type { CharsetChoice } from '../types.js'
import { createRequestLimiter, type RequestLimiter } from './create-request-limiter.js'
import { decodeCharset } from './decode-charset.js'
import {
  type AddressPolicy,
  checkLiteralAddress,
  createGuardedLookup,
  type LookupFunction,
  refusePrivateAddresses,
} from './guard-address.js'
import { readCappedBody } from './read-capped-body.js'
import {
  PERMANENT_REDIRECT_STATUSES,
  REDIRECT_STATUSES,
  createRedirectError,
  resolveRedirect,
} from './resolve-redirect.js'
import { createStatusError, toFetchError } from './to-fetch-error.js'

export interface FetcherOptions {
  /** Deadline for one fetch: every redirect hop's connect, headers and the final body together. In ms. */
  timeoutMs: number
  /** Cap on the decoded (decompressed) body, in bytes. */
  maxBytes: number
  /** Redirects followed before giving up. */
  maxRedirects: number
  /** Sent as User-Agent on every request. */
  userAgent: string
  /** Most requests in flight overall. */
  concurrency: number
  /** Most requests in flight per host name: one budget for every request through this fetcher. */
  perHost: number
  /**
   * Refuse sources and redirect hops whose host is, or resolves to, a loopback, private,
   * link-local (cloud metadata), CGNAT or unique-local address; checked on the resolved
   * addresses at connect time. For deployments that take source URLs from others. @default false
   */
  blockPrivateAddresses?: boolean
}

/** Seams for tests of the address guard; production code passes none. */
export interface FetcherDependencies {
  /** Resolver used when `blockPrivateAddresses` is on. @default dns.lookup */
  lookup?: LookupFunction
  /** Which resolved addresses are refused when `blockPrivateAddresses` is on. @default refusePrivateAddresses */
  addressPolicy?: AddressPolicy
}

export interface FetchRequest {
  url: string
  /** Validators from the last response: sent as If-None-Match / If-Modified-Since. */
  conditional?: { etag?: string; lastModified?: string }
  /** Per-source encoding label; wins over BOM, header and document declarations. */
  charset?: string
  /** @default feed types, then XML, JSON and HTML */
  accept?: string
  /**
   * Stops the fetch: one still waiting for its host's slot never starts, one in flight is cut off;
   * it rejects with `signal.reason`.
   */
  signal?: AbortSignal
}

export type FetchResult =
  | { status: 'not-modified'; url: string }
  | {
      status: 'ok'
      /** Effective URL, after redirects. */
      url: string
      httpStatus: number
      text: string
      /** Decoded body size in bytes. */
      bytes: number
      contentType?: string
      etag?: string
      lastModified?: string
      charset: CharsetChoice
      /** The final URL, set only when every redirect on the way was a 301 or 308. */
      permanentRedirect?: string
    }

export interface Fetcher {
  /** Resolves with the body or a 304; rejects with a `FetchError`. */
  fetchText(req: FetchRequest): Promise<FetchResult>
  /**
   * POSTs `fields` (name, value pairs; a name may repeat) as `application/x-www-form-urlencoded`
   * (a WebSub publish ping), under the same host budget, deadline and address guard, following no
   * redirect. Resolves on 2xx; rejects with a `FetchError` (E_FETCH_STATUS with `status`) otherwise.
   */
  postForm(req: { url: string; fields: ReadonlyArray<readonly [string, string]> }): Promise<{ httpStatus: number }>
  /** Closes pooled connections; waits for requests in flight. */
  close(): Promise<void>
}

const DEFAULT_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5'

/** Long enough to reuse a connection within a cycle, short enough not to hold sockets between cycles. */
const KEEP_ALIVE_MS = 4_000

interface FetchContext {
  agent: Agent
  limiter: RequestLimiter
  options: FetcherOptions
  /** Set when private addresses are refused. */
  addressPolicy: AddressPolicy | undefined
}

type Exchange =
  | { kind: 'redirect'; status: number; location: string | null }
  | { kind: 'not-modified' }
  | { kind: 'body'; status: number; headers: Response['headers']; bytes: Buffer }

export function createFetcher(options: FetcherOptions, dependencies: FetcherDependencies = {}): Fetcher {
  const addressPolicy = options.blockPrivateAddresses ? (dependencies.addressPolicy ?? refusePrivateAddresses) : undefined
  const agent = new Agent({
    connect: {
      timeout: options.timeoutMs,
      ...(addressPolicy === undefined ? {} : { lookup: createGuardedLookup(addressPolicy, dependencies.lookup) }),
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: KEEP_ALIVE_MS,
  })
  const context: FetchContext = { agent, limiter: createRequestLimiter(options), options, addressPolicy }
  return {
    fetchText: (req) => fetchText(req, context),
    postForm: (req) => postForm(req, context),
    close: () => agent.close(),
  }
}

/**
 * Follows redirects by hand so each hop is capped, checked and takes its own host's slot. One
 * deadline covers the whole chain, set when the first hop starts: a chain of slow hops must not
 * take (maxRedirects + 1) × timeoutMs.
 */
async function fetchText(req: FetchRequest, context: FetchContext): Promise<FetchResult> {
  let url = parseRequestUrl(req.url)
  const visited = new Set([url.href])
  let allPermanent = true
  let deadlineMs: number | undefined
  for (let redirects = 0; ; redirects += 1) {
    const hopUrl = url
    const exchange = await context.limiter.run(hopUrl.hostname, () => {
      req.signal?.throwIfAborted()
      deadlineMs ??= Date.now() + context.options.timeoutMs
      return exchangeOnce(hopUrl, req, context, deadlineMs)
    })
    if (exchange.kind === 'not-modified') return { status: 'not-modified', url: hopUrl.href }
    if (exchange.kind === 'body') {
      const permanentRedirect = redirects > 0 && allPermanent ? hopUrl.href : undefined
      return toOkResult(exchange, hopUrl, req, permanentRedirect)
    }
    if (redirects === context.options.maxRedirects) {
      throw createRedirectError(hopUrl, `more than ${context.options.maxRedirects} redirects`)
    }
    url = resolveRedirect(hopUrl, exchange.location, visited)
    visited.add(url.href)
    allPermanent &&= PERMANENT_REDIRECT_STATUSES.has(exchange.status)
  }
}

async function postForm(
  req: { url: string; fields: ReadonlyArray<readonly [string, string]> },
  { agent, limiter, options, addressPolicy }: FetchContext,
): Promise<{ httpStatus: number }> {
  const url = parseRequestUrl(req.url)
  return limiter.run(url.hostname, async () => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), options.timeoutMs)
    try {
      if (addressPolicy !== undefined) checkLiteralAddress(url, addressPolicy)
      const response = await fetch(url, {
        dispatcher: agent,
        method: 'POST',
        redirect: 'manual',
        headers: { 'user-agent': options.userAgent, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(req.fields.map(([name, value]): [string, string] => [name, value])).toString(),
        signal: controller.signal,
      })
      if (response.status < 200 || response.status > 299) throw createStatusError(url.href, response.status, response.headers)
      return { httpStatus: response.status }
    } catch (err) {
      throw toFetchError(err, { url: url.href, timedOut: controller.signal.aborted, timeoutMs: options.timeoutMs })
    } finally {
      clearTimeout(timer)
      controller.abort()
    }
  })
}

function parseRequestUrl(raw: string): URL {
  const url = URL.parse(raw)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new FetchError('E_FETCH_NETWORK', `fetch failed for ${raw}: not an absolute http(s) URL`, { url: raw })
  }
  return url
}

/** One request and, for a final answer, its whole body, all before the fetch's deadline. */
async function exchangeOnce(
  url: URL,
  req: FetchRequest,
  { agent, options, addressPolicy }: FetchContext,
  deadlineMs: number,
): Promise<Exchange> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), Math.max(0, deadlineMs - Date.now()))
  const stop = (): void => controller.abort()
  req.signal?.addEventListener('abort', stop, { once: true })
  try {
    // net.connect skips `lookup` for an IP literal, so the guarded lookup never sees one.
    if (addressPolicy !== undefined) checkLiteralAddress(url, addressPolicy)
    const response = await fetch(url, {
      dispatcher: agent,
      redirect: 'manual',
      headers: buildHeaders(req, options.userAgent),
      signal: controller.signal,
    })
    return await readExchange(response, url, options.maxBytes)
  } catch (err) {
    req.signal?.throwIfAborted()
    throw toFetchError(err, { url: url.href, timedOut: controller.signal.aborted, timeoutMs: options.timeoutMs })
  } finally {
    req.signal?.removeEventListener('abort', stop)
    clearTimeout(timer)
    // Releases the connection of a body we did not read: redirects, error statuses, over the cap.
    controller.abort()
  }
}

async function readExchange(response: Response, url: URL, maxBytes: number): Promise<Exchange> {
  const { status, headers } = response
  if (REDIRECT_STATUSES.has(status)) return { kind: 'redirect', status, location: headers.get('location') }
  if (status === 304) return { kind: 'not-modified' }
  if (status < 200 || status > 299) throw createStatusError(url.href, status, headers)
  return { kind: 'body', status, headers, bytes: await readCappedBody(response, url.href, maxBytes) }
}

function buildHeaders(req: FetchRequest, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: req.accept ?? DEFAULT_ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  }
  const { etag, lastModified } = req.conditional ?? {}
  if (etag !== undefined) headers['if-none-match'] = etag
  if (lastModified !== undefined) headers['if-modified-since'] = lastModified
  return headers
}

function toOkResult(
  exchange: Extract<Exchange, { kind: 'body' }>,
  url: URL,
  req: FetchRequest,
  permanentRedirect: string | undefined,
): FetchResult {
  const { status, headers, bytes } = exchange
  const contentType = headers.get('content-type') ?? undefined
  const { text, charset } = decodeCharset(bytes, { contentType, override: req.charset })
  if (text.trim() === '') {
    throw new FetchError('E_FETCH_EMPTY', `fetch failed for ${url.href}: empty body`, { url: url.href, status })
  }
  return {
    status: 'ok',
    url: url.href,
    httpStatus: status,
    text,
    bytes: bytes.byteLength,
    contentType,
    etag: headers.get('etag') ?? undefined,
    lastModified: headers.get('last-modified') ?? undefined,
    charset,
    permanentRedirect,
  }
}
