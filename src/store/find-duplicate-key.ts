/**
 * The path of the first key that appears twice in one object of a JSON text (`['items']`,
 * `['sources', 'nbd', 'etag']`), or undefined when there is none. JSON.parse keeps the last of duplicate
 * keys without a word, so a file with two `"items"` would load as whatever the second one holds.
 *
 * `text` must already have parsed as `value` (JSON.parse(text)). The common case costs one pass
 * over the text's strings and one over the value: a text with more keys than its value holds has
 * a duplicate, and only then is the text walked again to name it.
 */
export function findDuplicateKey(text: string, value: unknown): (string | number)[] | undefined {
  return countTextKeys(text) === countValueKeys(value) ? undefined : locateDuplicateKey(text)
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a

/** Every string followed by `:` is a key. Strings are skipped with indexOf, never char by char. */
function countTextKeys(text: string): number {
  let keys = 0
  let at = 0
  for (;;) {
    const open = text.indexOf('"', at)
    if (open === -1) return keys
    at = endOfString(text, open) + 1
    while (isJsonSpace(text.charCodeAt(at))) at++
    if (text.charCodeAt(at) === COLON) keys++
  }
}

/** Own keys of every object in `value`, nested ones included; a loop, not recursion, however deep it nests. */
function countValueKeys(value: unknown): number {
  let keys = 0
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const next = pending.pop()
    if (typeof next !== 'object' || next === null) continue
    if (Array.isArray(next)) {
      for (const entry of next) if (typeof entry === 'object' && entry !== null) pending.push(entry)
      continue
    }
    for (const key in next) {
      keys++
      const entry = (next as Record<string, unknown>)[key]
      if (typeof entry === 'object' && entry !== null) pending.push(entry)
    }
  }
  return keys
}

type Frame = { keys: Set<string>; key: string } | { index: number }

/** The slow walk, run only once a duplicate is known to exist: tracks where it is. */
function locateDuplicateKey(text: string): (string | number)[] | undefined {
  const stack: Frame[] = []
  let at = 0
  while (at < text.length) {
    const char = text.charCodeAt(at)
    const top = stack.at(-1)
    if (char === QUOTE) {
      const end = endOfString(text, at)
      const string = JSON.parse(text.slice(at, end + 1)) as string
      at = end + 1
      while (isJsonSpace(text.charCodeAt(at))) at++
      if (text.charCodeAt(at) === COLON && top !== undefined && 'keys' in top) {
        if (top.keys.has(string)) return [...stack.slice(0, -1).map((frame) => ('index' in frame ? frame.index : frame.key)), string]
        top.keys.add(string)
        top.key = string
      }
      continue
    }
    if (char === 0x7b) stack.push({ keys: new Set(), key: '' })
    else if (char === 0x5b) stack.push({ index: 0 })
    else if (char === 0x7d || char === 0x5d) stack.pop()
    else if (char === 0x2c && top !== undefined && 'index' in top) top.index++
    at++
  }
  return undefined
}

/** The index of the quote closing the string that opens at `open`. */
function endOfString(text: string, open: number): number {
  let close = open
  for (;;) {
    close = text.indexOf('"', close + 1)
    if (close === -1) return text.length
    let backslashes = 0
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return close
  }
}

function isJsonSpace(char: number): boolean {
  return char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09
}
