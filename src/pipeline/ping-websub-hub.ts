import { CAPS } from '../caps.js'
import { describeError } from '../errors.js'
import type { Logger } from '../types.js'

/** What a hub ping needs from the fetch stage: a form POST under the cycle's timeouts and host budget. */
export interface FormPoster {
  /**
   * POSTs `fields` (name, value pairs; a name may repeat) as `application/x-www-form-urlencoded`
   * to `url`, following no redirect. Resolves on a 2xx answer; rejects with a FetchError otherwise
   * (E_FETCH_STATUS with `status`).
   */
  postForm(request: { url: string; fields: ReadonlyArray<readonly [string, string]> }): Promise<{ httpStatus: number }>
}

export interface HubPingResult {
  /** Feeds the hub was told about. */
  pinged: string[]
  /** Feeds whose ping failed, with why; already logged. */
  failed: { feedUrl: string; code: string; message: string }[]
}

/**
 * Tells a WebSub hub that feeds changed (WebSub §6 leaves publishing to the hub; every public hub
 * takes PubSubHubbub 0.4's `hub.mode=publish&hub.url=<feed>`, where `hub.url` may repeat). The
 * feeds go in pings of up to CAPS.maxFeedsPerHubPing URLs, one after another and in the order
 * given (the all-categories feeds first): a cycle that changed 300 categories sends a handful of
 * requests, not 900. A failing hub is logged and changes nothing else: subscribers still poll, and
 * the next change pings again.
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
  for (let start = 0; start < feedUrls.length; start += CAPS.maxFeedsPerHubPing) {
    const batch = feedUrls.slice(start, start + CAPS.maxFeedsPerHubPing)
    try {
      await poster.postForm({ url: hubUrl, fields: [['hub.mode', 'publish'], ...batch.map((feedUrl): [string, string] => ['hub.url', feedUrl])] })
      result.pinged.push(...batch)
    } catch (err) {
      const error = describeError(err)
      result.failed.push(...batch.map((feedUrl) => ({ feedUrl, ...error })))
      const feeds = batch.length === 1 ? (batch[0] ?? '') : `${batch.length} feeds (${batch[0] ?? ''} …)`
      log.warn(`WebSub hub ${hubUrl} not pinged for ${feeds}: ${error.message}`, { url: hubUrl, feedUrls: batch, code: error.code })
    }
  }
  return result
}
