import { createRequire } from 'node:module'
import type * as JsoncParser from 'jsonc-parser'

/**
 * The only jsonc-parser import: feeds.config.json is JSON as people write it, with `//` and
 * `/* *\/` comments and trailing commas. A UTF-8 BOM (left by some Windows editors) is skipped.
 */

// Its `main` is a UMD build that requires its own files at run time: the CLI bundle cannot hold
// it, so Node loads it from node_modules, as the bundle does for the other CommonJS packages.
const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof JsoncParser

export interface JsoncSyntaxError {
  /** Offset in the text as given (BOM included). */
  offset: number
  length: number
  /** What was expected, in words. */
  reason: string
}

/** Offsets of a value in the text, with its members or elements. */
export type JsonSpan =
  | { kind: 'object'; start: number; end: number; members: JsonMember[] }
  | { kind: 'array'; start: number; end: number; elements: JsonSpan[] }
  | { kind: 'scalar'; start: number; end: number }

export interface JsonMember {
  key: string
  keyStart: number
  keyEnd: number
  value: JsonSpan
}

const OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false }

const REASONS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'not a number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected "," between values',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'expected the end of the file (one object only)',
  InvalidCommentToken: 'unfinished comment',
  UnexpectedEndOfComment: 'unfinished comment',
  UnexpectedEndOfString: 'unfinished string (a missing closing quote?)',
  UnexpectedEndOfNumber: 'unfinished number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape (write \\\\ for a backslash)',
  InvalidCharacter: 'control character inside a string',
}

/** The value and every syntax error found (parsing goes on past the first). */
export function parseJsonc(text: string): { value: unknown; errors: JsoncSyntaxError[] } {
  const skip = bomLength(text)
  const errors: JsoncParser.ParseError[] = []
  const value: unknown = jsonc.parse(text.slice(skip), errors, OPTIONS)
  return {
    value,
    errors: errors.map((error) => ({
      offset: error.offset + skip,
      length: error.length,
      reason: REASONS[jsonc.printParseErrorCode(error.error)] ?? jsonc.printParseErrorCode(error.error),
    })),
  }
}

/** The value's span tree, for edits made on the text; the text must parse without errors. */
export function scanJsonc(text: string): JsonSpan {
  const skip = bomLength(text)
  const root = jsonc.parseTree(text.slice(skip), undefined, OPTIONS)
  if (root === undefined) throw new SyntaxError('not JSON')
  return toSpan(root, skip)
}

function toSpan(node: JsoncParser.Node, skip: number): JsonSpan {
  const start = node.offset + skip
  const end = start + node.length
  if (node.type === 'object') {
    const members = (node.children ?? []).flatMap((property): JsonMember[] => {
      const [key, value] = property.children ?? []
      if (key === undefined || value === undefined) return []
      return [{ key: String(key.value), keyStart: key.offset + skip, keyEnd: key.offset + key.length + skip, value: toSpan(value, skip) }]
    })
    return { kind: 'object', start, end, members }
  }
  if (node.type === 'array') return { kind: 'array', start, end, elements: (node.children ?? []).map((child) => toSpan(child, skip)) }
  return { kind: 'scalar', start, end }
}

function bomLength(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0
}
