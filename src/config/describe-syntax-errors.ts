import type { JsoncSyntaxError } from './parse-jsonc.js'

/** Errors past this many are usually echoes of the first; the rest are counted. */
const MAX_SHOWN = 5

/**
 * Syntax errors as people look for them in an editor: `line 3, column 14: expected "," between
 * values`, then the line itself and a caret under the column.
 */
export function describeSyntaxErrors(text: string, errors: readonly JsoncSyntaxError[]): string[] {
  const lines = text.split(/\r?\n/)
  const described = errors.slice(0, MAX_SHOWN).map((error) => {
    const before = text.slice(0, error.offset).split(/\r?\n/)
    const line = before.length
    const column = (before.at(-1) ?? '').replace(/^\ufeff/, '').length + 1
    const source = (lines[line - 1] ?? '').replace(/^\ufeff/, '').replaceAll('\t', ' ')
    return `line ${line}, column ${column}: ${error.reason}\n    ${source}\n    ${' '.repeat(column - 1)}^`
  })
  if (errors.length > MAX_SHOWN) described.push(`and ${errors.length - MAX_SHOWN} more syntax errors after these`)
  return described
}
