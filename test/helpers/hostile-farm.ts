import { spawn } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib'
import type { ErrorCode } from '../../src/errors.js'
import { closedPort, createFeedServer, type FeedServer, type Route } from './feed-server.js'

/** What feedloom must make of a case: a per-source error with this code, or this many cleaned items. */
export type HostileExpectation = { outcome: 'error'; code: ErrorCode } | { outcome: 'items'; count: number }

/** `markdown`: sources of every kind whose text is written to be read as Markdown by Jekyll's kramdown. */
export type HostileGroup = 'good' | 'network' | 'content' | 'json' | 'share' | 'markdown'

export interface HostileCase {
  /** Also the source id and its category in a config built from the farm. */
  id: string
  group: HostileGroup
  url: string
  /** One line for the listing. */
  what: string
  expect: HostileExpectation
  /** The source type that reads it; by default `json` and `share` for those groups, else `feed`. */
  kind?: 'feed' | 'json' | 'share'
  /** Source settings beyond the group's defaults (a json source's detail API). */
  source?: Record<string, unknown>
}

export interface HostileFarmOptions {
  /** The `fetch.maxBytes` the farm is aimed at: oversized cases send more, content cases less. @default 10 MiB */
  maxBytes?: number
  /** The `fetch.maxRedirects` the farm is aimed at. @default 5 */
  maxRedirects?: number
  /** The `fetch.timeoutMs` the farm is aimed at: slow cases pace themselves against it. @default 20000 */
  timeoutMs?: number
  /** The file the XXE cases name in their entities; its text must never reach any output. @default /etc/passwd */
  secretFile?: string
}

export interface HostileFarm {
  url: string
  cases: readonly HostileCase[]
  caseById(id: string): HostileCase
  /** Every request the farm answered (paths), for "never fetched" checks. */
  requests: FeedServer['requests']
  /** `sources` entries of a feeds.config.json for the cases of these groups. */
  sources(groups?: readonly HostileGroup[]): object[]
  close(): Promise<void>
}

/** The farm in a child process: its own CPU, as real sources have. No request log. */
export type RemoteHostileFarm = Omit<HostileFarm, 'requests'>

const farmScript = resolve(import.meta.dirname, '../../scripts/farm-hostile.ts')

/**
 * Starts `scripts/farm-hostile.ts --json` in a child process. A cycle that reads several
 * megabytes from an in-process farm pays for both ends on one event loop, which distorts
 * deadlines; this keeps the server's work off the loop under test.
 */
export async function spawnHostileFarm(options: HostileFarmOptions = {}): Promise<RemoteHostileFarm> {
  const args = ['--import', 'tsx', farmScript, '--json']
  if (options.timeoutMs !== undefined) args.push('--timeout-ms', String(options.timeoutMs))
  if (options.maxBytes !== undefined) args.push('--max-bytes', String(options.maxBytes))
  if (options.maxRedirects !== undefined) args.push('--max-redirects', String(options.maxRedirects))
  if (options.secretFile !== undefined) args.push('--secret-file', options.secretFile)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  const lines = createInterface({ input: child.stdout })
  const first = await new Promise<string>((resolveLine, reject) => {
    lines.once('line', resolveLine)
    child.once('exit', (code) => reject(new Error(`hostile farm exited with ${code} before listening`)))
  })
  lines.close()
  const { url, cases } = JSON.parse(first) as { url: string; cases: HostileCase[] }
  return {
    url,
    cases,
    caseById: (id) => findCase(cases, id),
    sources: (groups = DEFAULT_GROUPS) => cases.filter((one) => groups.includes(one.group)).map((one) => toSourceConfig(one)),
    async close() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

const DEFAULT_GROUPS: readonly HostileGroup[] = ['good', 'network', 'content']

function findCase(cases: readonly HostileCase[], id: string): HostileCase {
  const found = cases.find((one) => one.id === id)
  if (found === undefined) throw new Error(`no hostile case ${id}`)
  return found
}

/** Where every good or cleaned item links to, one folder per case so no two cases share an item. */
const ITEM_SITE = 'https://hostile.example'

/** The marker the good feeds' items carry in their titles, to find them in outputs. */
export const GOOD_TITLE_MARKER = '好消息'

/**
 * One local server that serves every hostile source the tests use at its own path, plus two good
 * feeds. Cases that need no server (a refused connection, a DNS failure) point elsewhere.
 * Run it by hand with `npm run farm:hostile`.
 */
export async function createHostileFarm(options: HostileFarmOptions = {}): Promise<HostileFarm> {
  const settings = {
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    maxRedirects: options.maxRedirects ?? 5,
    timeoutMs: options.timeoutMs ?? 20_000,
    secretFile: options.secretFile ?? '/etc/passwd',
  }
  const server = await createFeedServer({})
  const refusedUrl = `http://127.0.0.1:${await closedPort()}/feed.xml`
  const definitions = defineCases(settings, () => server.url)
  // Ready before the first request, so that no case's timing includes the farm's own work.
  await Promise.all([...bombs.values()])
  const cases: HostileCase[] = []
  for (const definition of definitions) {
    if ('route' in definition) {
      server.routes[definition.path] = definition.route
      for (const [path, route] of Object.entries(definition.extraRoutes ?? {})) server.routes[path] = route
    }
    const url = 'route' in definition ? `${server.url}${definition.path}` : 'at' in definition ? refusedUrl : definition.url
    const { id, group, what, expect, kind, source } = definition
    cases.push({ id, group, url, what, expect, ...(kind === undefined ? {} : { kind }), ...(source === undefined ? {} : { source }) })
  }
  return {
    url: server.url,
    cases,
    caseById: (id) => findCase(cases, id),
    requests: server.requests,
    sources: (groups = DEFAULT_GROUPS) =>
      cases.filter((one) => groups.includes(one.group)).map((one) => toSourceConfig(one)),
    close: () => server.close(),
  }
}

function toSourceConfig(one: HostileCase): object {
  const base = { id: one.id, category: one.id }
  const kind = one.kind ?? (one.group === 'json' || one.group === 'share' ? one.group : 'feed')
  if (kind === 'json') {
    const fields = { title: 'title', link: 'url', infoCode: 'infoCode', media: 'medianame', summary: 'digest', content: 'content' }
    return { ...base, type: 'json', url: one.url, items: 'record', fields, ...one.source }
  }
  if (kind === 'share') return { ...base, type: 'share', urls: [one.url], ...one.source }
  return { ...base, type: 'feed', url: one.url, ...one.source }
}

interface Settings {
  maxBytes: number
  maxRedirects: number
  timeoutMs: number
  secretFile: string
}

type CaseDefinition = Omit<HostileCase, 'url'> &
  ({ path: string; route: Route; extraRoutes?: Record<string, Route> } | { at: 'refused' } | { url: string })

function defineCases(settings: Settings, farmUrl: () => string): CaseDefinition[] {
  return [...goodCases(), ...networkCases(settings, farmUrl), ...contentCases(settings, farmUrl), ...apiCases(settings, farmUrl), ...markdownCases()]
}

const error = (code: ErrorCode): HostileExpectation => ({ outcome: 'error', code })
const items = (count: number): HostileExpectation => ({ outcome: 'items', count })

function goodCases(): CaseDefinition[] {
  const rssItems = [1, 2, 3].map((n) =>
    rssItem({
      title: `${GOOD_TITLE_MARKER} RSS ${n}：央行开展逆回购操作`,
      link: `${ITEM_SITE}/good-rss/NewsShare.html?infoCode=NW20220111000000000${n}`,
      pubDate: `Tue, 1${n} Jan 2022 13:35:18 +0800`,
      content: `<p>第${n}段正文。</p>`,
    }),
  )
  const atomEntries = [1, 2].map(
    (n) => `<entry><title>${GOOD_TITLE_MARKER} Atom ${n}</title><id>tag:hostile.example,2022:atom-${n}</id>
<link href="${ITEM_SITE}/good-atom/${n}.html"/><updated>2022-01-1${n}T05:35:18Z</updated>
<content type="html">&lt;p&gt;Atom body ${n}&lt;/p&gt;</content></entry>`,
  )
  return [
    {
      id: 'good-rss',
      group: 'good',
      what: 'a good RSS 2.0 feed, 3 items',
      expect: items(3),
      path: '/good/rss.xml',
      route: xml(rssDocument(rssItems.join(''))),
    },
    {
      id: 'good-atom',
      group: 'good',
      what: 'a good Atom 1.0 feed, 2 entries',
      expect: items(2),
      path: '/good/atom.xml',
      route: xml(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Good Atom</title><id>tag:hostile.example,2022:atom</id>
<updated>2022-01-12T05:35:18Z</updated><link href="${ITEM_SITE}/good-atom/"/>${atomEntries.join('')}</feed>`),
    },
  ]
}

function networkCases({ maxBytes, maxRedirects, timeoutMs }: Settings, farmUrl: () => string): CaseDefinition[] {
  const chainLength = maxRedirects + 3
  // Each hop answers within the deadline; together they overrun it.
  const slowHops = 3
  const slowHopMs = Math.floor(timeoutMs * 0.45)
  const slowRoutes = Object.fromEntries(
    Array.from({ length: slowHops }, (_, index) => [
      `/net/slow/${index}.xml`,
      slowRedirect(slowHopMs, index === 0 ? '/good/rss.xml' : `/net/slow/${index - 1}.xml`),
    ]),
  )
  return [
    { id: 'refused', group: 'network', what: 'connection refused (a closed port)', expect: error('E_FETCH_NETWORK'), at: 'refused' },
    {
      id: 'dns-failure',
      group: 'network',
      what: 'DNS failure (RFC 6761 .invalid never resolves)',
      expect: error('E_FETCH_NETWORK'),
      url: 'http://feedloom-hostile.invalid/feed.xml',
    },
    {
      id: 'no-answer',
      group: 'network',
      what: 'accepts the connection, reads the request, never answers',
      expect: error('E_FETCH_TIMEOUT'),
      path: '/net/no-answer.xml',
      route: () => {},
    },
    {
      id: 'headers-never-end',
      group: 'network',
      what: 'sends a status line and one header, then nothing',
      expect: error('E_FETCH_TIMEOUT'),
      path: '/net/headers-never-end.xml',
      route: (_req, res) => void res.socket?.write('HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n'),
    },
    {
      id: 'trickle',
      group: 'network',
      what: `a body trickling one byte every ${trickleIntervalMs(timeoutMs)} ms: never idle, never done`,
      expect: error('E_FETCH_TIMEOUT'),
      path: '/net/trickle.xml',
      route: (_req, res) => trickle(res, trickleIntervalMs(timeoutMs)),
    },
    {
      id: 'endless',
      group: 'network',
      what: 'an endless chunked body',
      expect: error('E_FETCH_TOO_LARGE'),
      path: '/net/endless.xml',
      route: (_req, res) => stream(res, Number.POSITIVE_INFINITY),
    },
    {
      id: 'oversized',
      group: 'network',
      what: `a body of ${2 * maxBytes} bytes with its Content-Length`,
      expect: error('E_FETCH_TOO_LARGE'),
      path: '/net/oversized.xml',
      route: (_req, res) => stream(res, 2 * maxBytes, { 'content-length': String(2 * maxBytes) }),
    },
    {
      id: 'oversized-chunked',
      group: 'network',
      what: `a body of ${2 * maxBytes} bytes without Content-Length`,
      expect: error('E_FETCH_TOO_LARGE'),
      path: '/net/oversized-chunked.xml',
      route: (_req, res) => stream(res, 2 * maxBytes),
    },
    {
      id: 'gzip-bomb',
      group: 'network',
      what: `gzip: ${bombBytes(maxBytes) >> 20} MiB of zeros in a small body`,
      expect: error('E_FETCH_TOO_LARGE'),
      path: '/net/gzip-bomb.xml',
      route: compressed('gzip', compressBomb('gzip', bombBytes(maxBytes))),
    },
    {
      id: 'brotli-bomb',
      group: 'network',
      what: `br: ${bombBytes(maxBytes) >> 20} MiB of zeros in a small body`,
      expect: error('E_FETCH_TOO_LARGE'),
      path: '/net/brotli-bomb.xml',
      route: compressed('br', compressBomb('br', bombBytes(maxBytes))),
    },
    {
      id: 'redirect-loop',
      group: 'network',
      what: 'redirects A → B → A',
      expect: error('E_FETCH_REDIRECT'),
      path: '/net/loop-a.xml',
      route: redirect(302, '/net/loop-b.xml'),
      extraRoutes: { '/net/loop-b.xml': redirect(302, '/net/loop-a.xml') },
    },
    {
      id: 'redirect-chain',
      group: 'network',
      what: `a chain of ${chainLength + 1} redirects (limit ${maxRedirects}) ending at a good feed`,
      expect: error('E_FETCH_REDIRECT'),
      path: `/net/chain/${chainLength}.xml`,
      route: redirect(301, `/net/chain/${chainLength - 1}.xml`),
      extraRoutes: Object.fromEntries(
        Array.from({ length: chainLength }, (_, index) => [
          `/net/chain/${index}.xml`,
          index === 0 ? redirect(301, '/good/rss.xml') : redirect(301, `/net/chain/${index - 1}.xml`),
        ]),
      ),
    },
    {
      id: 'slow-redirects',
      group: 'network',
      what: `${slowHops} redirects taking ${slowHopMs} ms each: every hop in time, the chain not`,
      expect: error('E_FETCH_TIMEOUT'),
      path: `/net/slow/${slowHops - 1}.xml`,
      route: slowRoutes[`/net/slow/${slowHops - 1}.xml`] as Route,
      extraRoutes: slowRoutes,
    },
    {
      id: 'redirect-file',
      group: 'network',
      what: 'redirects to file:///etc/passwd',
      expect: error('E_FETCH_REDIRECT'),
      path: '/net/to-file.xml',
      route: redirect(302, 'file:///etc/passwd'),
    },
    {
      id: 'redirect-ftp',
      group: 'network',
      what: 'redirects to ftp://',
      expect: error('E_FETCH_REDIRECT'),
      path: '/net/to-ftp.xml',
      route: redirect(301, 'ftp://ftp.example.com/feed.xml'),
    },
    {
      id: 'not-found',
      group: 'network',
      what: 'HTTP 404',
      expect: error('E_FETCH_STATUS'),
      path: '/net/404.xml',
      route: { status: 404, body: 'not here', headers: { 'content-type': 'text/plain' } },
    },
    {
      id: 'forbidden',
      group: 'network',
      what: 'HTTP 403',
      expect: error('E_FETCH_STATUS'),
      path: '/net/403.xml',
      route: { status: 403, body: 'go away', headers: { 'content-type': 'text/plain' } },
    },
    {
      id: 'server-error',
      group: 'network',
      what: 'HTTP 500 with an HTML error page',
      expect: error('E_FETCH_STATUS'),
      path: '/net/500.xml',
      route: { status: 500, body: '<html><body>Internal error</body></html>', headers: { 'content-type': 'text/html' } },
    },
    {
      id: 'too-many-requests',
      group: 'network',
      what: 'HTTP 429 with Retry-After: 3600 (seconds)',
      expect: error('E_FETCH_STATUS'),
      path: '/net/429.xml',
      route: { status: 429, body: 'slow down', headers: { 'retry-after': '3600', 'content-type': 'text/plain' } },
    },
    {
      id: 'unavailable-date',
      group: 'network',
      what: 'HTTP 503 with Retry-After as an HTTP-date two hours on',
      expect: error('E_FETCH_STATUS'),
      path: '/net/503.xml',
      route: (_req, res) => {
        const now = Date.now()
        res
          .writeHead(503, {
            'content-type': 'text/plain',
            date: new Date(now).toUTCString(),
            'retry-after': new Date(now + 2 * 3600_000).toUTCString(),
          })
          .end('maintenance')
      },
    },
    {
      id: 'gone',
      group: 'network',
      what: 'HTTP 410 Gone',
      expect: error('E_FETCH_GONE'),
      path: '/net/410.xml',
      route: { status: 410, body: 'gone', headers: { 'content-type': 'text/plain' } },
    },
    ...redirectToFarmCase(farmUrl),
  ]
}

/** A redirect whose target is spelled with the farm's absolute URL, known only once it listens. */
function redirectToFarmCase(farmUrl: () => string): CaseDefinition[] {
  return [
    {
      id: 'redirect-ok',
      group: 'network',
      what: 'two redirects (301, then 302 to an absolute URL) to a good feed: not a fault',
      expect: items(3),
      path: '/net/redirect-ok.xml',
      route: redirect(301, '/net/redirect-ok-2.xml'),
      extraRoutes: {
        '/net/redirect-ok-2.xml': (req, res) => redirect(302, `${farmUrl()}/net/redirect-ok-target.xml`)(req, res),
        '/net/redirect-ok-target.xml': xml(rssDocument(rssItem({ title: 'Redirected 1', link: `${ITEM_SITE}/redirect-ok/1` }) + rssItem({ title: 'Redirected 2', link: `${ITEM_SITE}/redirect-ok/2` }) + rssItem({ title: 'Redirected 3', link: `${ITEM_SITE}/redirect-ok/3` }))),
      },
    },
  ]
}

function contentCases({ maxBytes, secretFile }: Settings, farmUrl: () => string): CaseDefinition[] {
  const gbkItem = (id: string, declaration: string) =>
    Buffer.concat([
      Buffer.from(`<?xml version="1.0"${declaration}?>\n<rss version="2.0"><channel><title>`, 'latin1'),
      GBK_TITLE_BYTES,
      Buffer.from(
        `</title><link>${ITEM_SITE}/${id}/</link><item><title>`,
        'latin1',
      ),
      GBK_TITLE_BYTES,
      Buffer.from(`</title><link>${ITEM_SITE}/${id}/1.html</link></item></channel></rss>`, 'latin1'),
    ])
  const enormousContentChars = Math.min(1_000_000, Math.floor(maxBytes * 0.6))
  return [
    {
      id: 'html-page',
      group: 'content',
      what: 'an HTML page instead of a feed',
      expect: error('E_PARSE_FORMAT'),
      path: '/content/html-page.xml',
      route: html('<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Not a feed</p></body></html>'),
    },
    {
      id: 'empty-body',
      group: 'content',
      what: 'HTTP 200 with an empty body',
      expect: error('E_FETCH_EMPTY'),
      path: '/content/empty.xml',
      route: xml(''),
    },
    {
      id: 'malformed',
      group: 'content',
      what: 'mismatched tags',
      expect: error('E_PARSE_XML'),
      path: '/content/malformed.xml',
      route: xml(`<rss version="2.0"><channel><title>x</titel><item><title>a</item></channel></rss>`),
    },
    {
      id: 'truncated',
      group: 'content',
      what: 'a feed cut off mid-element',
      expect: error('E_PARSE_XML'),
      path: '/content/truncated.xml',
      route: xml(rssDocument(rssItem({ title: 'whole', link: `${ITEM_SITE}/truncated/1` })).slice(0, 180)),
    },
    {
      id: 'bom-utf8',
      group: 'content',
      what: 'a UTF-8 BOM before the prolog',
      expect: items(1),
      path: '/content/bom-utf8.xml',
      route: xml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rssDocument(rssItem({ title: 'BOM 中文', link: `${ITEM_SITE}/bom-utf8/1` })))])),
    },
    {
      id: 'bom-utf16',
      group: 'content',
      what: 'UTF-16LE with a BOM and a prolog naming UTF-16',
      expect: items(1),
      path: '/content/bom-utf16.xml',
      route: xml(
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from(rssDocument(rssItem({ title: 'UTF-16 中文', link: `${ITEM_SITE}/bom-utf16/1` }), 'UTF-16'), 'utf16le'),
        ]),
        'application/xml',
      ),
    },
    {
      id: 'gbk-prolog',
      group: 'content',
      what: 'GBK named only in the XML prolog',
      expect: items(1),
      path: '/content/gbk-prolog.xml',
      route: xml(gbkItem('gbk-prolog', ' encoding="GBK"'), 'application/xml'),
    },
    {
      id: 'gbk-header',
      group: 'content',
      what: 'GBK named only in the Content-Type header',
      expect: items(1),
      path: '/content/gbk-header.xml',
      route: xml(gbkItem('gbk-header', ''), 'application/rss+xml; charset=GBK'),
    },
    {
      id: 'gbk-mislabeled',
      group: 'content',
      what: 'GBK served as charset=utf-8, the prolog saying GBK',
      expect: items(1),
      path: '/content/gbk-mislabeled.xml',
      route: xml(gbkItem('gbk-mislabeled', ' encoding="GBK"'), 'application/xml; charset=utf-8'),
    },
    {
      id: 'gbk-as-utf8',
      group: 'content',
      what: 'GBK bytes declared UTF-8 everywhere (decoded lossily, still well-formed)',
      expect: items(1),
      path: '/content/gbk-as-utf8.xml',
      route: xml(gbkItem('gbk-as-utf8', ' encoding="UTF-8"'), 'application/xml; charset=utf-8'),
    },
    {
      id: 'xxe-file',
      group: 'content',
      what: `an external entity naming ${secretFile}`,
      expect: error('E_PARSE_XML'),
      path: '/content/xxe-file.xml',
      route: xml(
        `<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://${secretFile}">]>\n` +
          bareRss(rssItem({ title: 'leak &secret;', link: `${ITEM_SITE}/xxe-file/1`, description: '&secret;' })),
      ),
    },
    {
      id: 'xxe-parameter',
      group: 'content',
      what: 'a parameter entity loading a DTD from the farm (SSRF)',
      expect: error('E_PARSE_XML'),
      path: '/content/xxe-parameter.xml',
      route: (req, res) =>
        xml(
          `<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY % remote SYSTEM "${farmUrl()}/content/evil.dtd"> %remote;]>\n` +
            bareRss(rssItem({ title: 'ssrf', link: `${ITEM_SITE}/xxe-parameter/1` })),
        )(req, res),
      extraRoutes: { '/content/evil.dtd': { body: `<!ENTITY secret SYSTEM "file://${secretFile}">`, headers: { 'content-type': 'application/xml-dtd' } } },
    },
    {
      id: 'external-dtd',
      group: 'content',
      what: 'a DOCTYPE naming an external DTD on the farm (never fetched; the feed itself is fine)',
      expect: items(1),
      path: '/content/external-dtd.xml',
      route: (req, res) =>
        xml(
          `<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "${farmUrl()}/content/external.dtd">\n` +
            bareRss(rssItem({ title: 'external DTD', link: `${ITEM_SITE}/external-dtd/1` })),
        )(req, res),
      extraRoutes: { '/content/external.dtd': { body: '<!ELEMENT rss ANY>', headers: { 'content-type': 'application/xml-dtd' } } },
    },
    {
      id: 'billion-laughs',
      group: 'content',
      what: 'billion laughs: 10 levels of 10 references (10^9 "lol"s)',
      expect: error('E_PARSE_XML'),
      path: '/content/billion-laughs.xml',
      route: xml(billionLaughs()),
    },
    {
      id: 'quadratic-blowup',
      group: 'content',
      what: 'one 50 KB entity referenced 20,000 times (1 GB expanded)',
      expect: error('E_PARSE_XML'),
      path: '/content/quadratic-blowup.xml',
      route: xml(quadraticBlowup()),
    },
    {
      id: 'bad-dates',
      group: 'content',
      what: 'dates: invalid, missing, impossible, year 2999 and one good',
      expect: items(5),
      path: '/content/bad-dates.xml',
      route: xml(
        rssDocument(
          [
            ['not a date at all', 1],
            [undefined, 2],
            ['Mon, 30 Feb 2022 25:61:00 +0800', 3],
            ['Fri, 01 Jan 2999 00:00:00 GMT', 4],
            ['Tue, 11 Jan 2022 13:35:18 +0800', 5],
          ]
            .map(([pubDate, n]) => rssItem({ title: `date ${n}`, link: `${ITEM_SITE}/bad-dates/${n}`, pubDate: pubDate as string | undefined }))
            .join(''),
        ),
      ),
    },
    {
      id: 'duplicate-guids',
      group: 'content',
      what: 'the same item twice (same guid and link), then another',
      expect: items(2),
      path: '/content/duplicate-guids.xml',
      route: xml(
        rssDocument(
          [
            { title: 'dup A', link: `${ITEM_SITE}/duplicate-guids/a`, guid: 'same-guid' },
            { title: 'dup A again', link: `${ITEM_SITE}/duplicate-guids/a`, guid: 'same-guid' },
            { title: 'dup B', link: `${ITEM_SITE}/duplicate-guids/b`, guid: 'other-guid' },
          ]
            .map((fields) => rssItem(fields))
            .join(''),
        ),
      ),
    },
    {
      id: 'shared-guid',
      group: 'content',
      what: 'three items with distinct links, all given one guid (a CMS putting its home page in every guid)',
      expect: items(3),
      path: '/content/shared-guid.xml',
      route: xml(
        rssDocument(
          ['a', 'b', 'c']
            .map((name) => rssItem({ title: `shared ${name}`, link: `${ITEM_SITE}/shared-guid/${name}`, guid: `${ITEM_SITE}/` }))
            .join(''),
        ),
      ),
    },
    {
      id: 'relative-links',
      group: 'content',
      what: 'relative item links, image src and hrefs (resolved against the feed URL)',
      expect: items(2),
      path: '/content/relative/feed.xml',
      route: xml(
        bareRss(
          rssItem({ title: 'relative 1', link: 'articles/1.html', content: '<p><a href="../x.html">x</a><img src="/img/a.png"></p>' }) +
            rssItem({ title: 'relative 2', link: '/content/relative/articles/2.html' }),
        ),
      ),
    },
    {
      id: 'enormous',
      group: 'content',
      what: `a 100,000-character title and ${enormousContentChars.toLocaleString('en')} characters of content`,
      expect: items(1),
      path: '/content/enormous.xml',
      route: bigXml(() =>
        rssDocument(
          rssItem({
            title: '长'.repeat(100_000),
            link: `${ITEM_SITE}/enormous/1`,
            content: `<p>${'word '.repeat(Math.floor(enormousContentChars / 5))}</p>`,
          }),
        ),
      ),
    },
    {
      id: 'many-entries',
      group: 'content',
      what: '1,500 tiny entries in one document',
      expect: items(1_000),
      path: '/content/many-entries.xml',
      route: bigXml(() =>
        rssDocument(
          Array.from({ length: 1_500 }, (_, n) => rssItem({ title: `tiny ${n}`, link: `${ITEM_SITE}/many-entries/${n}` })).join(''),
        ),
      ),
    },
    {
      id: 'control-chars',
      group: 'content',
      what: 'raw C0 controls, &#1;, &#xFFFE;, lone surrogate references, a pair as two references, astral characters',
      expect: items(2),
      path: '/content/control-chars.xml',
      route: xml(
        rssDocument(
          rssItem({
            title: 'ctl\u0001\u0008\u000b\u001b title &#1; &#x1F; &#xD800; end',
            link: `${ITEM_SITE}/control-chars/1`,
            content: '<p>nul\u0000 esc\u001b &#xDFFF; &#xFFFE; &#xD83D;&#xDE00; 𝄞 😀</p>',
            author: 'au\u0007thor',
          }) +
            rssItem({
              title: 'astral 𠀋𝕏 &#x1F4A9; ok',
              link: `${ITEM_SITE}/control-chars/2`,
              description: '\u0002<![CDATA[cdata \u0003 with &#xD800; text]]>',
            }),
        ),
      ),
    },
    {
      id: 'active-content',
      group: 'content',
      what: 'script, style, iframe, on* handlers, javascript:/vbscript:/data: URLs and a CSS expression',
      expect: items(1),
      path: '/content/active-content.xml',
      route: xml(rssDocument(rssItem({ title: 'XSS &lt;script&gt;alert(1)&lt;/script&gt; title', link: `${ITEM_SITE}/active-content/1`, content: ACTIVE_CONTENT }))),
    },
  ]
}

/** Items whose detail pages never answer: they must cost a cycle its deadline at most, once. */
const STALLED_DETAILS = 60

/** Routes for the other source kinds (JSON news APIs and share pages), for their own tests. */
function apiCases(settings: Settings, farmUrl: () => string): CaseDefinition[] {
  // Five times the entry cap: enough to prove it, light enough for a cycle with a 1 s deadline.
  const recordCount = Math.min(5_000, Math.floor((settings.maxBytes * 0.8) / 120))
  const records = (prefix: string) =>
    JSON.stringify({ record: Array.from({ length: recordCount }, (_, n) => ({ title: `${prefix} ${n}`, url: `${ITEM_SITE}/${prefix}/${n}` })) })
  const enormousChars = Math.min(400_000, Math.floor(settings.maxBytes * 0.4))
  let rotation = 0
  const stalled = Array.from({ length: STALLED_DETAILS }, (_, n) => ({ infoCode: `NW${9000 + n}`, title: `stalled ${n}`, url: `${ITEM_SITE}/json-stalled-details/${n}` }))
  return [
    {
      id: 'json-many-records',
      group: 'json',
      what: `a JSON API answering ${recordCount.toLocaleString('en')} records (kept: the first 1,000)`,
      expect: items(1_000),
      path: '/api/many-records.json',
      route: jsonBody(records('json-many-records')),
    },
    {
      id: 'json-rotating',
      group: 'json',
      what: `a JSON API answering ${recordCount.toLocaleString('en')} records with new codes on every request`,
      expect: items(1_000),
      path: '/api/rotating.json',
      route: (_req, res) => {
        rotation += 1
        res.writeHead(200, { 'content-type': 'application/json' }).end(records(`json-rotating-${rotation}`))
      },
    },
    {
      id: 'json-enormous-fields',
      group: 'json',
      what: `a ${enormousChars.toLocaleString('en')}-character title (cut), and a 100,018-character link (dropped: its record is kept without a link)`,
      expect: items(2),
      path: '/api/enormous-fields.json',
      route: jsonBody(
        JSON.stringify({
          record: [
            { title: 'x'.repeat(enormousChars), url: `${ITEM_SITE}/json-enormous-fields/1` },
            { title: 'long link', url: `${ITEM_SITE}/json-enormous-fields/${'a'.repeat(100_000 - ITEM_SITE.length)}` },
          ],
        }),
      ),
    },
    {
      id: 'share-enormous',
      group: 'share',
      what: `a share page with a ${enormousChars.toLocaleString('en')}-character og:title and a 300-character media name`,
      expect: items(1),
      path: '/share/enormous.html',
      route: html(
        `<!DOCTYPE html><html><head><meta property="og:title" content="${'x'.repeat(enormousChars)}"><meta name="source" content="${'财'.repeat(300)}"></head>` +
          `<body><article><p>${'正文'.repeat(200)}</p></article></body></html>`,
      ),
    },
    {
      id: 'json-html',
      group: 'json',
      what: 'a JSON API answering an HTML page',
      expect: error('E_PARSE_JSON'),
      path: '/api/html.json',
      route: { body: '<!DOCTYPE html><html><body>Service Unavailable</body></html>', headers: { 'content-type': 'text/html' } },
    },
    {
      id: 'json-malformed',
      group: 'json',
      what: 'a JSON API answering truncated JSON',
      expect: error('E_PARSE_JSON'),
      path: '/api/malformed.json',
      route: { body: '{"record": [{"title": "a", "url": "https://x.example/1"},', headers: { 'content-type': 'application/json' } },
    },
    {
      id: 'share-empty',
      group: 'share',
      what: 'a share page with neither a title nor a body',
      expect: error('E_PARSE_EXTRACT'),
      path: '/share/NewsShare.html',
      route: html('<!DOCTYPE html><html><head></head><body><div id="app"></div><script>load()</script></body></html>'),
    },
    {
      id: 'json-stalled-details',
      group: 'json',
      what: `a JSON API listing ${STALLED_DETAILS} items whose detail pages never answer`,
      expect: items(STALLED_DETAILS),
      path: '/api/stalled.json',
      route: { body: JSON.stringify({ record: stalled }), headers: { 'content-type': 'application/json' } },
      extraRoutes: { '/api/stalled-detail': () => {} },
      source: { detail: { url: `${farmUrl()}/api/stalled-detail?id={infoCode}`, content: 'text' } },
    },
    {
      id: 'share-deep-divs',
      group: 'share',
      what: 'a 22 KB share page of 2,000 nested <div>s (Readability: minutes on the main thread)',
      expect: error('E_PARSE_TOO_DEEP'),
      path: '/share/deep-divs.html',
      route: html(nestedDivs(2_000)),
    },
    {
      id: 'share-deeper',
      group: 'share',
      what: 'a share page of 10,000 nested <div>s',
      expect: error('E_PARSE_TOO_DEEP'),
      path: '/share/deeper.html',
      route: bigHtml(() => nestedDivs(10_000)),
    },
    {
      id: 'share-huge',
      group: 'share',
      what: 'a flat share page of 70,000 paragraphs (an 8.5 MB one took 24 s and 2.7 GB to read)',
      expect: error('E_PARSE_TOO_LARGE'),
      path: '/share/huge.html',
      route: bigHtml(() => `<!DOCTYPE html><html><head><title>huge</title></head><body>${'<p>x</p>'.repeat(70_000)}</body></html>`),
    },
  ]
}

/**
 * Markdown and kramdown syntax that Jekyll turns into links, images, attributes or raw output,
 * beside, after and inside HTML that passes the sanitizer, and Liquid.
 */
export const MARKDOWN_PAYLOADS = [
  '[md link](javascript:alert(1))',
  '![md image](https://evil.example/md.png){: onerror="alert(2)"}',
  '*emphasis*{: onclick="alert(3)"}',
  '[ref link][evil]',
  '<https://evil.example/autolink>',
  '{::nomarkdown}<b>raw</b>{:/nomarkdown}',
  '{{ site.title }} {% include evil.html %}',
]

/** HTML article bodies that carry the payloads every way kramdown reads them. */
const MARKDOWN_ARTICLE = [
  `<p>正文第一段。</p>${MARKDOWN_PAYLOADS[0]}`,
  `<p><span>${MARKDOWN_PAYLOADS[0]}</span> ${MARKDOWN_PAYLOADS[1]} ${MARKDOWN_PAYLOADS[2]}</p>`,
  '{: onclick="alert(4)"}',
  '',
  '[evil]: javascript:alert(5)',
  '',
  MARKDOWN_PAYLOADS.slice(3).join('\n'),
  '<p><a href="https://ok.example/kept">a kept link</a> <img src="https://ok.example/kept.png" alt="kept"></p>',
].join('\n')

/** A plain-text digest: no tag at all, so kramdown reads every line of it as Markdown. */
const MARKDOWN_DIGEST = ['# 标题', ...MARKDOWN_PAYLOADS, '{: onclick="alert(6)"}', '[evil]: javascript:alert(7)', '', '|a|b|', '|:-|-:|', '|1|2|'].join('\n')

/** Text that reads as markup once an output unescapes it, a CDATA end, and invisible deceptive characters. */
export const MARKUP_TITLE = '&lt;img src=x onerror=alert(1)&gt; ]]&gt; \u202Eevil\u202C \u200Bpay\u200Dpal [x](javascript:alert(1))'

function markdownCases(): CaseDefinition[] {
  const infoCode = (n: number) => `NW2022011100000099${n}`
  return [
    {
      id: 'md-feed',
      group: 'markdown',
      what: 'RSS items with Markdown, kramdown attributes and Liquid in content and title, a doubly escaped tag as title',
      expect: items(2),
      path: '/markdown/feed.xml',
      route: xml(
        rssDocument(
          rssItem({
            // Doubly escaped: the title's text reads `<img …>` and must stay text in every output.
            title: MARKUP_TITLE.replaceAll('&', '&amp;'),
            link: `${ITEM_SITE}/md-feed/NewsShare.html?infoCode=${infoCode(1)}`,
            pubDate: 'Tue, 11 Jan 2022 13:35:18 +0800',
            content: MARKDOWN_ARTICLE,
          }) +
            rssItem({
              title: MARKDOWN_PAYLOADS.join(' ').replaceAll('&', '&amp;').replaceAll('<', '&lt;'),
              link: `${ITEM_SITE}/md-feed/NewsShare.html?infoCode=${infoCode(2)}`,
              pubDate: 'Tue, 11 Jan 2022 14:35:18 +0800',
              description: MARKDOWN_DIGEST.replaceAll('&', '&amp;').replaceAll('<', '&lt;'),
            }),
        ),
      ),
    },
    {
      id: 'md-json',
      group: 'markdown',
      kind: 'json',
      what: 'a JSON API whose digest, content, title and media name are Markdown and markup',
      expect: items(2),
      path: '/markdown/api.json',
      route: {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          record: [
            {
              infoCode: infoCode(3),
              title: '<img src=x onerror=alert(1)>[t](javascript:alert(1))',
              url: `${ITEM_SITE}/md-json/3.html`,
              medianame: '<b>媒体</b>[m](javascript:alert(1)){: onclick="alert(1)"}',
              digest: MARKDOWN_DIGEST,
            },
            { infoCode: infoCode(4), title: '正文 {{ site.title }}', url: `${ITEM_SITE}/md-json/4.html`, content: MARKDOWN_ARTICLE },
          ],
        }),
      },
    },
    {
      id: 'md-share',
      group: 'markdown',
      kind: 'share',
      what: 'a share page whose title and body are Markdown and markup',
      expect: items(1),
      path: `/markdown/NewsShare.html?infoCode=${infoCode(5)}`,
      route: html(`<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="${MARKUP_TITLE.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}">
<title>share</title></head><body><article><h1>标题</h1>
${MARKDOWN_ARTICLE}
<p>${'这是一段足够长的正文，让正文提取认出文章。'.repeat(20)}</p>
</article></body></html>`),
    },
  ]
}

function nestedDivs(depth: number): string {
  return `<!DOCTYPE html><html><head><title>deep</title></head><body>${'<div>'.repeat(depth)}<p>text</p>${'</div>'.repeat(depth)}</body></html>`
}

/** Every kind of active content a feed has been seen to smuggle into a reader. */
export const ACTIVE_CONTENT = [
  '<p onclick="steal()">Kept text</p>',
  '<script>alert("script")</script>',
  '<style>body { background: url(javascript:alert(1)) }</style>',
  '<iframe src="https://evil.example/frame"></iframe>',
  '<img src="https://img.example/a.png" onerror="alert(1)">',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<a href="javascript:alert(1)">js link</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab js link</a>',
  '<a href="vbscript:msgbox(1)">vb link</a>',
  '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a>',
  '<div style="width: expression(alert(1))">css expression</div>',
  '<svg onload="alert(1)"><circle r="1"/></svg>',
  '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">',
  '<form action="javascript:alert(1)"><input value="x"></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css">',
].join('\n')

/** Substrings none of which may appear in any published content. */
export const ACTIVE_CONTENT_MARKERS = [
  '<script',
  '<style',
  '<iframe',
  '<svg',
  '<object',
  '<embed',
  '<form',
  '<meta',
  '<base',
  '<link',
  'onclick',
  'onerror',
  'onload',
  'javascript:',
  'vbscript:',
  'data:',
  'expression(',
  'alert(',
]

/** 中文标题 in GBK. */
const GBK_TITLE_BYTES = Buffer.from('d6d0cec4b1eacce2', 'hex')
export const GBK_TITLE = '中文标题'

interface RssItemFields {
  title?: string
  link?: string
  guid?: string
  pubDate?: string
  description?: string
  content?: string
  author?: string
}

/** Fields are inserted as given (already escaped or deliberately raw); content goes into CDATA. */
function rssItem({ title, link, guid, pubDate, description, content, author }: RssItemFields): string {
  return [
    '<item>',
    title === undefined ? '' : `<title>${title}</title>`,
    link === undefined ? '' : `<link>${link}</link>`,
    guid === undefined ? '' : `<guid isPermaLink="false">${guid}</guid>`,
    pubDate === undefined ? '' : `<pubDate>${pubDate}</pubDate>`,
    author === undefined ? '' : `<author>${author}</author>`,
    description === undefined ? '' : `<description>${description}</description>`,
    content === undefined ? '' : `<content:encoded><![CDATA[${content}]]></content:encoded>`,
    '</item>',
  ].join('')
}

function bareRss(itemsXml: string): string {
  return `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Hostile</title><link>${ITEM_SITE}/</link><description>hostile farm</description>${itemsXml}</channel></rss>`
}

function rssDocument(itemsXml: string, encoding = 'utf-8'): string {
  return `<?xml version="1.0" encoding="${encoding}"?>\n${bareRss(itemsXml)}`
}

function billionLaughs(): string {
  const levels = ['<!ENTITY lol0 "lol">']
  for (let level = 1; level <= 9; level += 1) {
    levels.push(`<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`)
  }
  return `<?xml version="1.0"?>\n<!DOCTYPE rss [${levels.join('')}]>\n${bareRss(rssItem({ title: '&lol9;', link: `${ITEM_SITE}/billion-laughs/1` }))}`
}

function quadraticBlowup(): string {
  const entity = `<!ENTITY big "${'x'.repeat(50_000)}">`
  return `<?xml version="1.0"?>\n<!DOCTYPE rss [${entity}]>\n${bareRss(rssItem({ title: 'q', link: `${ITEM_SITE}/quadratic-blowup/1`, description: '&big;'.repeat(20_000) }))}`
}

function bombBytes(maxBytes: number): number {
  return Math.max(32 * 1024 * 1024, 8 * maxBytes)
}

function trickleIntervalMs(timeoutMs: number): number {
  // Below the timeout, so undici's idle bodyTimeout never fires: only a total deadline stops it.
  return Math.max(10, Math.min(2_000, Math.floor(timeoutMs / 4)))
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

function xml(body: string | Buffer, contentType = 'application/xml; charset=utf-8'): Handler {
  return (_req, res) => void res.writeHead(200, { 'content-type': contentType }).end(body)
}

function jsonBody(body: string): Handler {
  return xml(Buffer.from(body), 'application/json')
}

function html(body: string): Handler {
  return xml(body, 'text/html; charset=utf-8')
}

/** Built when the farm starts, so that a request never waits on the farm's own work. */
function bigXml(build: () => string): Handler {
  return xml(Buffer.from(build()))
}

function bigHtml(build: () => string): Handler {
  return xml(Buffer.from(build()), 'text/html; charset=utf-8')
}

/** Bombs by encoding and size, compressed once per process on the thread pool: a farm never blocks on them. */
const bombs = new Map<string, Promise<Buffer>>()

function compressBomb(encoding: 'gzip' | 'br', bytes: number): Promise<Buffer> {
  const key = `${encoding}:${bytes}`
  let bomb = bombs.get(key)
  if (bomb === undefined) {
    const zeros = Buffer.alloc(bytes)
    bomb =
      encoding === 'gzip'
        ? promisify(gzip)(zeros, { level: 9 })
        : promisify(brotliCompress)(zeros, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } })
    bombs.set(key, bomb)
  }
  return bomb
}

function compressed(encoding: 'gzip' | 'br', body: Promise<Buffer>): Handler {
  return (_req, res) =>
    void body.then((bytes) => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/xml', 'content-encoding': encoding }).end(bytes)
    })
}

function redirect(status: number, location: string): Handler {
  return (_req, res) => void res.writeHead(status, { location }).end()
}

function slowRedirect(delayMs: number, location: string): Route {
  return (_req, res) => {
    const timer = setTimeout(() => res.writeHead(302, { location }).end(), delayMs)
    res.on('close', () => clearTimeout(timer))
  }
}

function trickle(res: ServerResponse, intervalMs: number): void {
  res.writeHead(200, { 'content-type': 'application/xml' })
  res.write('<')
  const timer = setInterval(() => res.write('r'), intervalMs)
  res.on('close', () => clearInterval(timer))
}

/** Sends `totalBytes` of feed-looking text (forever for Infinity), minding backpressure. */
function stream(res: ServerResponse, totalBytes: number, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/xml', ...headers })
  const chunk = Buffer.alloc(64 * 1024, '<item><title>x</title></item>')
  let sentBytes = 0
  const writeMore = (): void => {
    while (sentBytes < totalBytes && !res.destroyed) {
      const part = totalBytes - sentBytes < chunk.length ? chunk.subarray(0, totalBytes - sentBytes) : chunk
      sentBytes += part.length
      if (!res.write(part)) return void res.once('drain', writeMore)
    }
    if (!res.destroyed) res.end()
  }
  writeMore()
}
