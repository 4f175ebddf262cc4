import { isDeepStrictEqual } from 'node:util'
import { type JsonMember, type JsonSpan, parseJsonc, scanJsonc } from './parse-jsonc.js'

/**
 * Edits of a JSON document made on its text, so that everything the edit does not touch keeps its
 * bytes: the user's key order, indentation, line endings and one-line objects. Each edit checks its
 * result against the same edit made on the parsed value and falls back to a full re-format (with the
 * file's indent) in the unlikely case they differ.
 */

/** Object keys from the root: `['sources']`, `['categories']`. */
export type JsonKeyPath = readonly string[]

type Span = JsonSpan
type Member = JsonMember

type Container = Extract<Span, { kind: 'object' | 'array' }>

/** Appends `value` at the end of the array at `path`, creating the array (as the last key of its parent) when absent. */
export function appendArrayElement(text: string, path: JsonKeyPath, value: unknown): string {
  const expected = structuredClone(parseValue(text))
  const parent = valueAt(expected, path.slice(0, -1))
  const key = lastKey(path)
  const existing = parent[key]
  if (existing !== undefined && !Array.isArray(existing)) throw new TypeError(`${path.join('.')} is not an array`)
  parent[key] = [...((existing as unknown[] | undefined) ?? []), value]
  const root = scanJsonc(text)
  const node = spanAt(root, path)
  const edited =
    node === undefined
      ? insertChild(text, containerAt(root, path.slice(0, -1)), { key, value: [value] })
      : insertChild(text, asContainer(node, path), { value })
  return checked(text, edited, expected)
}

/** Adds `key: value` as the last member of the object at `path`; the key must not exist yet. */
export function addObjectMember(text: string, path: JsonKeyPath, key: string, value: unknown): string {
  const expected = structuredClone(parseValue(text))
  const parentPath = path.slice(0, -1)
  const root = scanJsonc(text)
  const node = path.length === 0 ? root : spanAt(root, path)
  if (node === undefined) {
    valueAt(expected, parentPath)[lastKey(path)] = { [key]: value }
    return checked(text, insertChild(text, containerAt(root, parentPath), { key: lastKey(path), value: { [key]: value } }), expected)
  }
  const target = valueAt(expected, path)
  if (Object.hasOwn(target, key)) throw new TypeError(`${[...path, key].join('.')} exists already`)
  target[key] = value
  return checked(text, insertChild(text, asContainer(node, path), { key, value }), expected)
}

/** Removes element `index` of the array at `path`, with the comma and spacing that went with it. */
export function removeArrayElement(text: string, path: JsonKeyPath, index: number): string {
  const expected = structuredClone(parseValue(text))
  const array = valueAt(expected, path.slice(0, -1))[lastKey(path)]
  if (!Array.isArray(array) || index < 0 || index >= array.length) throw new RangeError(`${path.join('.')}[${index}] does not exist`)
  array.splice(index, 1)
  const node = asContainer(spanAt(scanJsonc(text), path), path)
  if (node.kind !== 'array') throw new TypeError(`${path.join('.')} is not an array`)
  const { elements } = node
  const element = elements[index] as Span
  let edited: string
  if (elements.length === 1) edited = text.slice(0, node.start + 1) + text.slice(node.end - 1)
  else if (index > 0) edited = text.slice(0, (elements[index - 1] as Span).end) + text.slice(element.end)
  else edited = text.slice(0, element.start) + text.slice((elements[1] as Span).start)
  return checked(text, edited, expected)
}

/** The indent unit of a JSON file: the leading whitespace of its first indented line, else two spaces. */
export function detectIndent(text: string): string {
  return /\n([ \t]+)\S/.exec(text)?.[1] ?? '  '
}

function insertChild(text: string, container: Container, child: { key?: string; value: unknown }): string {
  const newline = text.includes('\r\n') ? '\r\n' : '\n'
  const unit = detectIndent(text)
  const children = container.kind === 'object' ? container.members : container.elements
  const last = children.at(-1)
  if (last === undefined) {
    const lineIndent = indentOfLineAt(text, container.start)
    const multiLine = text.includes('\n')
    const indent = multiLine ? lineIndent + unit : ''
    const rendered = renderChild(child, { indent, unit, newline, multiLine, colon: multiLine ? ': ' : ':' })
    const inner = multiLine ? `${newline}${indent}${rendered}${newline}${lineIndent}` : rendered
    return text.slice(0, container.start + 1) + inner + text.slice(container.end - 1)
  }
  const lastStart = 'keyStart' in last ? last.keyStart : last.start
  const lastValue = 'keyStart' in last ? last.value : last
  const lead = /\s*$/.exec(text.slice(0, lastStart))?.[0] ?? ''
  const siblingText = text.slice(lastValue.start, lastValue.end)
  // A container of containers (a new `sources` array, a `categories` object) goes on lines of its
  // own in a multi-line parent; anything else looks like the sibling before it.
  const multiLine =
    lastValue.kind === 'scalar' || holdsContainers(child.value) ? lead.includes('\n') : siblingText.includes('\n')
  const colon = 'keyStart' in last ? text.slice(last.keyEnd, last.value.start) : ': '
  const rendered = renderChild(child, {
    indent: lead.slice(lead.lastIndexOf('\n') + 1),
    unit,
    newline,
    multiLine,
    colon,
    spaced: /^[{[][ \t]/.test(siblingText),
    innerColon: /"\s*:( ?)/.exec(siblingText)?.[1] === ' ' ? ': ' : ':',
  })
  return text.slice(0, lastValue.end) + `,${lead}${rendered}` + text.slice(lastValue.end)
}

function holdsContainers(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).some((child) => typeof child === 'object' && child !== null)
}

interface RenderStyle {
  /** Whitespace at the start of the line the child starts on. */
  indent: string
  unit: string
  newline: string
  /** Spread over lines like JSON.stringify with an indent, or on one line like its siblings. */
  multiLine: boolean
  /** Between a member's key and its value. */
  colon: string
  /** One-line objects written `{ "a": 1 }` rather than `{"a":1}`. */
  spaced?: boolean
  innerColon?: string
}

function renderChild(child: { key?: string; value: unknown }, style: RenderStyle): string {
  const value = style.multiLine
    ? JSON.stringify(child.value, null, style.unit).replaceAll('\n', style.newline + style.indent)
    : renderInline(child.value, style.spaced ?? false, style.innerColon ?? ':')
  return child.key === undefined ? value : JSON.stringify(child.key) + style.colon + value
}

function renderInline(value: unknown, spaced: boolean, colon: string): string {
  const pad = spaced ? ' ' : ''
  const comma = spaced ? ', ' : ','
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[${pad}${value.map((item) => renderInline(item, spaced, colon)).join(comma)}${pad}]`
  }
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).filter(([, member]) => member !== undefined)
    if (members.length === 0) return '{}'
    return `{${pad}${members.map(([key, member]) => JSON.stringify(key) + colon + renderInline(member, spaced, colon)).join(comma)}${pad}}`
  }
  return JSON.stringify(value)
}

function indentOfLineAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
}

/** The edit, when it parses to what the same edit on the value gave; else the value re-formatted whole. */
function checked(original: string, edited: string, expected: unknown): string {
  const parsed = parseJsonc(edited)
  if (parsed.errors.length === 0 && isDeepStrictEqual(parsed.value, expected)) return edited
  const newline = original.includes('\r\n') ? '\r\n' : '\n'
  const trailing = /\r?\n$/.test(original) ? newline : ''
  return JSON.stringify(expected, null, detectIndent(original)).replaceAll('\n', newline) + trailing
}

function valueAt(root: unknown, path: JsonKeyPath): Record<string, unknown> {
  let node = root
  for (const key of path) node = (node as Record<string, unknown>)[key]
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new TypeError(`${path.join('.') || '(root)'} is not an object`)
  return node as Record<string, unknown>
}

function lastKey(path: JsonKeyPath): string {
  const key = path.at(-1)
  if (key === undefined) throw new TypeError('empty path')
  return key
}

function spanAt(root: Span, path: JsonKeyPath): Span | undefined {
  let node: Span | undefined = root
  for (const key of path) {
    if (node?.kind !== 'object') return undefined
    // JSON.parse keeps the last of repeated keys; so do we.
    node = node.members.findLast((member) => member.key === key)?.value
  }
  return node
}

function containerAt(root: Span, path: JsonKeyPath): Container {
  return asContainer(spanAt(root, path), path)
}

function asContainer(node: Span | undefined, path: JsonKeyPath): Container {
  if (node === undefined || node.kind === 'scalar') throw new TypeError(`${path.join('.') || '(root)'} is not an object or array`)
  return node
}

function parseValue(text: string): unknown {
  const { value, errors } = parseJsonc(text)
  if (errors.length > 0) throw new SyntaxError(`not valid JSON at offset ${errors[0]?.offset ?? 0}`)
  return value
}
