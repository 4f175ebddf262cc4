import { ParseError } from '../../errors.js'
import { parseJsonText, readJsonPath } from './read-json.js'

/**
 * A detail API's answer → the article's HTML at the dot path `contentPath` (`text`, `data.content`).
 * Never fetches.
 * @throws ParseError E_PARSE_JSON for text that is not JSON, E_PARSE_FORMAT when the path holds no text
 */
export function parseJsonDetail(text: string, contentPath: string, url: string): string {
  const content = readJsonPath(parseJsonText(text, url), contentPath)
  if (typeof content !== 'string' || content.trim() === '') {
    const found =
      content === undefined
        ? 'nothing'
        : typeof content === 'string'
          ? 'an empty string'
          : `a ${content === null ? 'null' : typeof content}`
    throw new ParseError('E_PARSE_FORMAT', `no article text in ${url}: "${contentPath}" holds ${found}`)
  }
  return content
}
