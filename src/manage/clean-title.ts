import { TERMINAL_UNSAFE } from '../text/escape-terminal-text.js'

/** Zero-width characters: invisible in a title, and able to make two titles that look alike differ. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g

/**
 * A title from a feed or an OPML file as it is stored in feeds.config.json: line breaks and tabs
 * become spaces, control, bidirectional-override and zero-width characters and lone surrogates are
 * dropped, runs of spaces become one. Undefined when nothing is left.
 */
export function cleanTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined
  const cleaned = title.replace(/[\t\n\r\v\f\u0085\u2028\u2029]/g, ' ').replace(TERMINAL_UNSAFE, '').replace(ZERO_WIDTH, '').replace(/\s+/g, ' ').trim()
  return cleaned === '' ? undefined : cleaned
}
