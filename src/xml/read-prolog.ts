export interface Prolog {
  /** The whole `<!DOCTYPE …>` declaration, internal subset included, when there is one. */
  doctype?: string
  /** The text from the first element (or whatever the prolog scan could not read) on. */
  rest: string
}

/**
 * Splits off what comes before the document element (XML 1.0 §2.8): the XML declaration,
 * processing instructions, comments and the DOCTYPE. The DOCTYPE is scanned by hand, minding
 * quotes and brackets, so a `]` or `>` inside an entity value cannot end it early and hide a
 * declaration after it.
 */
export function readProlog(text: string): Prolog {
  let index = 0
  let doctype: string | undefined
  for (;;) {
    while (index < text.length && /\s/.test(text.charAt(index))) index += 1
    const end = endOfPrologPart(text, index)
    if (end === undefined) return doctype === undefined ? { rest: text.slice(index) } : { doctype, rest: text.slice(index) }
    if (/^<!doctype/i.test(text.slice(index, index + 9))) doctype = text.slice(index, end)
    index = end
  }
}

/** Index just past the prolog part starting at `index`, or undefined when none starts there (or it never ends). */
function endOfPrologPart(text: string, index: number): number | undefined {
  if (text.startsWith('<?', index)) return after(text, '?>', index)
  if (text.startsWith('<!--', index)) return after(text, '-->', index + 4)
  if (/^<!doctype/i.test(text.slice(index, index + 9))) return endOfDoctype(text, index + 9)
  return undefined
}

function after(text: string, terminator: string, from: number): number | undefined {
  const found = text.indexOf(terminator, from)
  return found === -1 ? undefined : found + terminator.length
}

function endOfDoctype(text: string, from: number): number | undefined {
  let quote: string | undefined
  let depth = 0
  for (let index = from; index < text.length; index += 1) {
    const char = text.charAt(index)
    if (quote !== undefined) {
      if (char === quote) quote = undefined
    } else if (char === '"' || char === "'") {
      quote = char
    } else if (char === '[') {
      depth += 1
    } else if (char === ']') {
      depth = Math.max(0, depth - 1)
    } else if (char === '>' && depth === 0) {
      return index + 1
    } else if (depth > 0 && text.startsWith('<!--', index)) {
      const end = after(text, '-->', index + 4)
      if (end === undefined) return undefined
      index = end - 1
    }
  }
  return undefined
}
