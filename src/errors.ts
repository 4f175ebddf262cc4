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
  | 'E_PUBLISH_IO'
  | 'E_THREAD_TIMEOUT'
  | 'E_THREAD_MEMORY'
  | 'E_THREAD_CRASHED'
  | 'E_CLI_USAGE'
  /** Not thrown: what describeError reports for an error that is not ours. */
  | 'E_UNKNOWN'

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

/**
 * A document the XML reader refuses, with where (`… at line 3, column 7`); the caller wraps it in a
 * ParseError naming the source or file.
 */
export class XmlSyntaxError extends FeedloomError {
  override name = 'XmlSyntaxError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_PARSE_XML', message, options)
  }
}

/** Thrown (through undici) when a host resolves to an address the fetch policy refuses. */
export class BlockedAddressError extends FeedloomError {
  override name = 'BlockedAddressError'
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super('E_FETCH_BLOCKED', `${host} resolves to ${address} (${range}), and fetch.blockPrivateAddresses is on`)
  }
}

/** What `<storePath>.lock` says about the process holding it. */
export interface LockOwner {
  pid: number
  /** When the lock was taken, ISO. */
  createdAt: string
  /** What holds it, for the message another process shows: `feedloom start`. */
  holder?: string
}

/** The store is held by another live process (E_STORE_LOCKED), with who holds it. */
export class StoreLockedError extends StoreError {
  override name = 'StoreLockedError'
  readonly lockPath: string
  readonly owner: LockOwner | undefined
  /** How long this process waited before giving up, in ms. */
  readonly waitedMs: number
  constructor(message: string, details: { lockPath: string; owner: LockOwner | undefined; waitedMs: number }) {
    super('E_STORE_LOCKED', message)
    this.lockPath = details.lockPath
    this.owner = details.owner
    this.waitedMs = details.waitedMs
  }
}

/**
 * A command refused what it was asked (a duplicate id, an unknown source, a page without feeds):
 * printed as `error: <message>` with an optional hint, exit 1. No stage failed.
 */
export class UsageError extends FeedloomError {
  override name = 'UsageError'
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super('E_CLI_USAGE', message, options)
  }
}

/** A task on a worker thread that was stopped (deadline, memory limit) or whose thread died. */
export class ThreadError extends FeedloomError {
  override name = 'ThreadError'
}

/** The error as plain data, for the store and logs. */
export function describeError(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof FeedloomError) return { code: err.code, message: err.message }
  return { code: 'E_UNKNOWN', message: err instanceof Error ? err.message : String(err) }
}
