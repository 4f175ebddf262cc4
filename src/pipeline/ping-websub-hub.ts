import { describeError } from '../errors.js'
import type { Logger } from '../types.js'

/** What a hub ping needs from the fetch stage: a form POST under the cycle's timeouts and host budget. */
export interface FormPoster {
  /**
   * POSTs `fields` as `application/x-www-form-urlencoded` to `url`, following no redirect.
   * Resolves on a 2xx answer; rejects with a FetchError otherwise (E_FETCH_STATUS with `status`).
   */
  postForm(request: { url: string; fields: Readonly<Record<string, string>> }): Promise<{ httpStatus: number }>
}

export interface HubPingResult {
  /** Feeds the hub was told about. */
  pinged: string[]
  /** Feeds whose ping failed, with why; already logged. */
  failed: { feedUrl: string; code: string; message: string }[]
}

/**
 * Tells a WebSub hub that feeds changed (WebSub §6 leaves publishing to the hub; every public hub
 * takes PubSubHubbub 0.4's `hub.mode=publish&hub.url=<feed>`), one POST per feed URL. A failing hub
 * is logged and changes nothing else: subscribers still poll, and the next change pings again.
 */
export async function pingWebSubHub(options: {
  hubUrl: string
  /** Public self URLs of the feeds that changed. */
  feedUrls: readonly string[]
  poster: FormPoster
  log: Logger
}): Promise<HubPingResult> {
  const { hubUrl, feedUrls, poster, log } = options
  const result: HubPingResult = { pinged: [], failed: [] }
  await Promise.all(
    feedUrls.map(async (feedUrl) => {
      try {
        await poster.postForm({ url: hubUrl, fields: { 'hub.mode': 'publish', 'hub.url': feedUrl } })
        result.pinged.push(feedUrl)
      } catch (err) {
        const error = describeError(err)
        result.failed.push({ feedUrl, ...error })
        log.warn(`WebSub hub ${hubUrl} not pinged for ${feedUrl}: ${error.message}`, { url: hubUrl, feedUrl, code: error.code })
      }
    }),
  )
  // Promise.all settles in any order; keep the report in the order the feeds were given.
  const order = new Map(feedUrls.map((url, index) => [url, index]))
  result.pinged.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
  result.failed.sort((a, b) => (order.get(a.feedUrl) ?? 0) - (order.get(b.feedUrl) ?? 0))
  return result
}
