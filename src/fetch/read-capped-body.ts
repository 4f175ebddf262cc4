import type { Response } from 'undici'
import { FetchError } from '../errors.js'

/**
 * Reads a whole body, failing as soon as it passes `maxBytes`. undici's fetch has already
 * decompressed the stream, so the count is of decoded bytes and a gzip bomb stops at the cap.
 */
export async function readCappedBody(response: Response, url: string, maxBytes: number): Promise<Buffer> {
  if (declaredLengthExceeds(response.headers, maxBytes)) throw createTooLargeError(url, maxBytes)
  if (response.body === null) return Buffer.alloc(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let totalBytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks, totalBytes)
    totalBytes += value.byteLength
    if (totalBytes > maxBytes) {
      reader.cancel().catch(() => {})
      throw createTooLargeError(url, maxBytes)
    }
    chunks.push(value)
  }
}

/** Content-Length counts encoded bytes, so it only predicts the decoded size for an identity body. */
function declaredLengthExceeds(headers: Response['headers'], maxBytes: number): boolean {
  const encoding = headers.get('content-encoding')
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return false
  const declaredBytes = Number(headers.get('content-length'))
  return Number.isFinite(declaredBytes) && declaredBytes > maxBytes
}

function createTooLargeError(url: string, maxBytes: number): FetchError {
  return new FetchError('E_FETCH_TOO_LARGE', `fetch failed for ${url}: body larger than ${maxBytes} bytes`, { url })
}
