import { htmlToText, truncateText } from './html-to-text.js'

/** In code points: about two lines of a feed reader's list view. */
const EXCERPT_MAX_CHARS = 200

/**
 * The plain text that stands for an item in a list (a feed entry's summary, a line of a category
 * page): its summary as text, else the start of its content as text. Summaries may arrive as HTML
 * or text; reducing both to text makes every output agree.
 */
export function toSummaryText(item: { summary?: string; content?: string }): string {
  const summary = htmlToText(item.summary ?? '')
  return summary || truncateText(htmlToText(item.content ?? ''), EXCERPT_MAX_CHARS)
}
