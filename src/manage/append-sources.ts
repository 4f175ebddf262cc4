import { addObjectMember, appendArrayElement } from '../config/edit-json-text.js'
import { dropUndefined } from '../object/drop-undefined.js'

/** A source as it is written into feeds.config.json: keys in the order a person reads them. */
export type NewSource = Record<string, unknown> & { id: string; type: 'feed' | 'json' | 'share' }

/**
 * feeds.config.json text with new categories (added to `categories`) and sources (appended at the
 * end of `sources`), everything else byte for byte as the user wrote it.
 */
export function appendSources(fileText: string, additions: { sources: readonly NewSource[]; categories?: readonly { slug: string; title: string }[] }): string {
  let text = fileText
  for (const { slug, title } of additions.categories ?? []) text = addObjectMember(text, ['categories'], slug, { title })
  for (const source of additions.sources) text = appendArrayElement(text, ['sources'], dropUndefined(source))
  return text
}

