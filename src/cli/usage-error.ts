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
