/**
 * A source id or a category slug: lower-case letters, digits and dashes, not starting with a dash.
 * It names a folder of out/ and a segment of its URLs, so it can never climb out of either.
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]*$/
