import { request } from 'node:http'
import { FetchError } from '../../src/errors.js'
import type { FormPoster } from '../../src/pipeline/ping-websub-hub.js'

/**
 * A FormPoster over node:http, standing in for the fetcher's postForm (src/fetch/ is where the
 * production one belongs): resolves on 2xx, rejects with a FetchError otherwise, as the contract says.
 */
export function createTestFormPoster(): FormPoster {
  return {
    postForm: ({ url, fields }) =>
      new Promise((resolvePost, reject) => {
        const body = new URLSearchParams(fields).toString()
        const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume()
          const status = res.statusCode ?? 0
          if (status >= 200 && status < 300) resolvePost({ httpStatus: status })
          else reject(new FetchError('E_FETCH_STATUS', `fetch failed for ${url}: HTTP ${status}`, { url, status }))
        })
        req.on('error', (cause) => reject(new FetchError('E_FETCH_NETWORK', `fetch failed for ${url}: ${cause.message}`, { url, cause })))
        req.end(body)
      }),
  }
}
