import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serveDirectory, type StaticServer } from '../../src/serve/serve-directory.js'

const rss = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>金融消息</title>${'<item><title>新闻</title></item>'.repeat(40)}</channel></rss>`

const agent = new Agent({ keepAliveTimeout: 10 })
afterAll(() => agent.close())

let base: string
let out: string
let server: StaticServer

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'feedloom-serve-'))
  out = join(base, 'out')
  await mkdir(join(out, 'meirijingjixinwen'), { recursive: true })
  await writeFile(join(out, 'rss.xml'), rss)
  await writeFile(join(out, 'atom.xml'), '<feed xmlns="http://www.w3.org/2005/Atom"/>')
  await writeFile(join(out, 'feed.json'), '{"version":"https://jsonfeed.org/version/1.1"}')
  await writeFile(join(out, 'feeds.opml'), '<opml version="2.0"/>')
  await writeFile(join(out, 'status.json'), '[]')
  await writeFile(join(out, 'index.html'), '<!doctype html><title>首页</title>')
  await writeFile(join(out, 'meirijingjixinwen', 'index.html'), '<!doctype html><title>每日经济新闻</title>')
  await writeFile(join(out, '.rss.xml.tmp'), 'half written')
  await writeFile(join(base, 'secret.txt'), 'outside out/')
  server = await serveDirectory({ dir: out, port: 0 })
})

afterEach(async () => {
  await server.close()
  await rm(base, { recursive: true, force: true })
})

const get = (path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' = 'GET') =>
  request(new URL(path, server.url), { method, headers, dispatcher: agent })

/** A request with its target sent exactly as written: fetch and undici would resolve `..` first. */
function rawGet(target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('serveDirectory', () => {
  it.each([
    ['/rss.xml', 'application/rss+xml; charset=utf-8'],
    ['/atom.xml', 'application/atom+xml; charset=utf-8'],
    ['/feed.json', 'application/feed+json; charset=utf-8'],
    ['/feeds.opml', 'text/x-opml; charset=utf-8'],
    ['/status.json', 'application/json; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const response = await get(path)
    await response.body.dump()
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe(type)
  })

  it('answers a conditional GET for an unchanged feed with 304 and no body', async () => {
    const first = await get('/rss.xml')
    expect(await first.body.text()).toBe(rss)
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^"[\w-]{27}"$/)
    const second = await get('/rss.xml', { 'if-none-match': etag })
    expect(second.statusCode).toBe(304)
    expect(second.headers.etag).toBe(etag)
    expect(await second.body.text()).toBe('')
  })

  it('answers 200 with a new ETag once the file changed', async () => {
    const first = await get('/rss.xml')
    await first.body.dump()
    await writeFile(join(out, 'rss.xml'), rss.replace('金融消息', '金融'))
    const second = await get('/rss.xml', { 'if-none-match': first.headers.etag as string })
    expect(second.statusCode).toBe(200)
    expect(second.headers.etag).not.toBe(first.headers.etag)
    await second.body.dump()
  })

  it('answers If-Modified-Since with 304 when the file is not newer', async () => {
    await utimes(join(out, 'rss.xml'), new Date('2022-01-11T05:35:18Z'), new Date('2022-01-11T05:35:18Z'))
    const first = await get('/rss.xml')
    await first.body.dump()
    expect(first.headers['last-modified']).toBe('Tue, 11 Jan 2022 05:35:18 GMT')
    const second = await get('/rss.xml', { 'if-modified-since': 'Tue, 11 Jan 2022 05:35:18 GMT' })
    expect(second.statusCode).toBe(304)
    await second.body.dump()
  })

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const response = await get('/rss.xml', { 'if-none-match': '"other"', 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() })
    expect(response.statusCode).toBe(200)
    await response.body.dump()
  })

  it('serves gzip when asked, with Vary: Accept-Encoding and its own ETag', async () => {
    const plain = await get('/rss.xml')
    await plain.body.dump()
    const response = await get('/rss.xml', { 'accept-encoding': 'gzip' })
    expect(response.headers['content-encoding']).toBe('gzip')
    expect(response.headers.vary).toBe('Accept-Encoding')
    expect(response.headers.etag).not.toBe(plain.headers.etag)
    expect(gunzipSync(Buffer.from(await response.body.arrayBuffer())).toString()).toBe(rss)
  })

  it('prefers br when it is as welcome as gzip', async () => {
    const response = await get('/rss.xml', { 'accept-encoding': 'gzip, deflate, br' })
    expect(response.headers['content-encoding']).toBe('br')
    expect(brotliDecompressSync(Buffer.from(await response.body.arrayBuffer())).toString()).toBe(rss)
  })

  it('does not compress for a client that refuses gzip with q=0', async () => {
    const response = await get('/rss.xml', { 'accept-encoding': 'gzip;q=0, identity' })
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(await response.body.text()).toBe(rss)
  })

  it('answers a 304 to the ETag of the gzip copy once the client asks without gzip', async () => {
    const zipped = await get('/rss.xml', { 'accept-encoding': 'gzip' })
    await zipped.body.dump()
    const response = await get('/rss.xml', { 'if-none-match': zipped.headers.etag as string })
    expect(response.statusCode).toBe(304)
    await response.body.dump()
  })

  it('answers HEAD with the headers of GET and no body', async () => {
    const response = await get('/rss.xml', {}, 'HEAD')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(rss)))
    expect(await response.body.text()).toBe('')
  })

  it('serves index.html for a folder', async () => {
    const response = await get('/meirijingjixinwen/')
    expect(await response.body.text()).toContain('每日经济新闻')
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
  })

  it('redirects a folder without its slash, so relative links in its index work', async () => {
    const response = await get('/meirijingjixinwen?x=1')
    await response.body.dump()
    expect(response.statusCode).toBe(301)
    expect(response.headers.location).toBe('/meirijingjixinwen/?x=1')
  })

  it('answers 404 for a missing file', async () => {
    const response = await get('/nope.xml')
    expect(response.statusCode).toBe(404)
    await response.body.dump()
  })

  it.each(['/rss.xml/', '/meirijingjixinwen/index.html/'])('answers 404 for a file asked for as a folder (%s), as static hosts do', async (path) => {
    const response = await get(path)
    expect(response.statusCode).toBe(404)
    await response.body.dump()
  })

  it('hides dot files such as the temp files of atomic writes', async () => {
    const response = await get('/.rss.xml.tmp')
    expect(response.statusCode).toBe(404)
    await response.body.dump()
  })

  it('answers 405 with Allow for other methods', async () => {
    const response = await get('/rss.xml', {}, 'POST')
    expect(response.statusCode).toBe(405)
    expect(response.headers.allow).toBe('GET, HEAD')
    await response.body.dump()
  })

  it.each(['/../secret.txt', '/meirijingjixinwen/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2fsecret.txt', '/..%5csecret.txt', '/meirijingjixinwen%2f..%2f..%2fsecret.txt'])(
    'refuses the traversal %s',
    async (target) => {
      const response = await rawGet(target)
      expect(response.status).toBe(400)
      expect(response.body).not.toContain('outside out/')
    },
  )

  it('refuses a symlink that points out of the folder', async () => {
    await symlink(join(base, 'secret.txt'), join(out, 'leak.txt'))
    await symlink(base, join(out, 'up'))
    for (const path of ['/leak.txt', '/up/secret.txt']) {
      const response = await get(path)
      expect(response.statusCode, path).toBe(404)
      expect(await response.body.text()).not.toContain('outside out/')
    }
  })

  it('follows a symlink that stays inside the folder', async () => {
    await symlink(join(out, 'rss.xml'), join(out, 'latest.xml'))
    const response = await get('/latest.xml')
    expect(await response.body.text()).toBe(rss)
  })
})
