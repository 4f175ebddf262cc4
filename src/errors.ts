/** Stable error codes: `E_<STAGE>_<WHAT>`. Match on these, never on message text. */
export type ErrorCode =
  | 'E_CONFIG_INVALID'
  | 'E_CONFIG_READ'
  | 'E_FETCH_TIMEOUT'
  | 'E_FETCH_NETWORK'
  | 'E_FETCH_STATUS'
  | 'E_FETCH_TOO_LARGE'
  | 'E_FETCH_EMPTY'
  | 'E_FETCH_REDIRECT'
  | 'E_FETCH_GONE'
  | 'E_FETCH_BLOCKED'
  | 'E_PARSE_FORMAT'
  | 'E_PARSE_XML'
  | 'E_PARSE_JSON'
  | 'E_PARSE_EXTRACT'
  | 'E_PARSE_TOO_DEEP'
  | 'E_PARSE_TOO_LARGE'
  | 'E_STORE_CORRUPT'
  | 'E_STORE_IO'
  | 'E_STORE_LOCKED'
  | 'E_STORE_VERSION'
  | 'E_STORE_CONNECT'
  | 'E_STORE_CONFLICT'
  | 'E_PUBLISH_INVALID'
  | 'E_PUBLISH_IO'
  | 'E_THREAD_TIMEOUT'
  | 'E_THREAD_MEMORY'
  | 'E_THREAD_CRASHED'

export class FeedloomError extends Error {
  override name = 'FeedloomError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export class ConfigError extends FeedloomError {
  override name = 'ConfigError'
  /** Every problem found, each prefixed with its JSON path (`sources[2].url: …`). */
  constructor(
    readonly issues: string[],
    options?: { cause?: unknown; code?: 'E_CONFIG_INVALID' | 'E_CONFIG_READ' },
  ) {
    super(options?.code ?? 'E_CONFIG_INVALID', `invalid config:\n  ${issues.join('\n  ')}`, options)
  }
}

export class FetchError extends FeedloomError {
  override name = 'FetchError'
  readonly url: string
  readonly status: number | undefined
  /** From a 429/503 `Retry-After`, in milliseconds from the response. */
  readonly retryAfterMs: number | undefined
  constructor(
    code: ErrorCode,
    message: string,
    details: { url: string; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause })
    this.url = details.url
    this.status = details.status
    this.retryAfterMs = details.retryAfterMs
  }
}

export class ParseError extends FeedloomError {
  override name = 'ParseError'
}

export class StoreError extends FeedloomError {
  override name = 'StoreError'
}

export class PublishError extends FeedloomError {
  override name = 'PublishError'
}

/** A task on a worker thread that was stopped (deadline, memory limit) or whose thread died. */
export class ThreadError extends FeedloomError {
  override name = 'ThreadError'
}

/**
 * A command refused what it was asked (a duplicate id, an unknown source, a page without feeds):
 * printed as `error: <message>` with an optional hint, exit 1. Not a FeedloomError: no stage failed.
 */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The error as plain data, for the store and logs. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof FeedloomError) return { code: err.code, message: err.message }
  return { code: 'E_UNKNOWN', message: err instanceof Error ? err.message : String(err) }
}
