import { describe, expect, it } from 'vitest'
import { addObjectMember, appendArrayElement, detectIndent, removeArrayElement } from '../../src/config/edit-json-text.js'

const fourSpaces = `{
    "site": { "title": "t" },
    "sources": [
        {
            "id": "a"
        },
        {
            "id": "b"
        }
    ]
}
`

describe('appendArrayElement', () => {
  it('appends after the last element with the same indent', () => {
    expect(appendArrayElement(fourSpaces, ['sources'], { id: 'c', type: 'feed' })).toBe(
      fourSpaces.replace(
        '"id": "b"\n        }\n',
        '"id": "b"\n        },\n        {\n            "id": "c",\n            "type": "feed"\n        }\n',
      ),
    )
  })

  it('fills an empty array on its own lines, indented one level deeper than its key', () => {
    const text = '{\n\t"sources": []\n}\n'
    expect(appendArrayElement(text, ['sources'], { id: 'a' })).toBe('{\n\t"sources": [\n\t\t{\n\t\t\t"id": "a"\n\t\t}\n\t]\n}\n')
  })

  it('adds the array as the last key when the file has none', () => {
    const text = '{\n  "site": { "title": "t" }\n}\n'
    expect(appendArrayElement(text, ['sources'], { id: 'a' })).toBe('{\n  "site": { "title": "t" },\n  "sources": [\n    {\n      "id": "a"\n    }\n  ]\n}\n')
  })

  it('keeps CRLF line endings', () => {
    const text = '{\r\n  "sources": [\r\n    {\r\n      "id": "a"\r\n    }\r\n  ]\r\n}\r\n'
    expect(appendArrayElement(text, ['sources'], { id: 'b' })).toBe(
      '{\r\n  "sources": [\r\n    {\r\n      "id": "a"\r\n    },\r\n    {\r\n      "id": "b"\r\n    }\r\n  ]\r\n}\r\n',
    )
  })

  it('writes a one-line element in a compact file compactly', () => {
    expect(appendArrayElement('{"sources":[{"id":"a"}]}', ['sources'], { id: 'b', urls: ['u'] })).toBe('{"sources":[{"id":"a"},{"id":"b","urls":["u"]}]}')
  })

  it('leaves strings holding brackets, commas and escaped quotes alone', () => {
    const text = '{\n  "site": { "title": "a [b], {c} \\"d\\"" },\n  "sources": [\n    { "id": "a", "url": "https://x/?a=[1]" }\n  ]\n}\n'
    const edited = appendArrayElement(text, ['sources'], { id: 'b' })
    expect(edited).toBe(text.replace('[1]" }\n', '[1]" },\n    { "id": "b" }\n'))
  })
})

describe('addObjectMember', () => {
  it('adds a member in the style of its one-line siblings', () => {
    const text = '{\n  "categories": {\n    "a": { "title": "A" }\n  }\n}\n'
    expect(addObjectMember(text, ['categories'], 'b', { title: 'B' })).toBe('{\n  "categories": {\n    "a": { "title": "A" },\n    "b": { "title": "B" }\n  }\n}\n')
  })

  it('creates the object when its key is missing', () => {
    expect(addObjectMember('{\n  "site": {}\n}', ['categories'], 'b', { title: 'B' })).toBe(
      '{\n  "site": {},\n  "categories": {\n    "b": {\n      "title": "B"\n    }\n  }\n}',
    )
  })

  it('refuses a key that exists', () => {
    expect(() => addObjectMember('{"categories":{"b":{}}}', ['categories'], 'b', {})).toThrow(/exists already/)
  })
})

describe('removeArrayElement', () => {
  it('removes a middle element with its comma', () => {
    const text = '[\n  1,\n  2,\n  3\n]'
    expect(removeArrayElement(`{"s": ${text}}`, ['s'], 1)).toBe('{"s": [\n  1,\n  3\n]}')
  })

  it('removes the first element and the spacing after it', () => {
    expect(removeArrayElement('{"s": [\n  1,\n  2\n]}', ['s'], 0)).toBe('{"s": [\n  2\n]}')
  })

  it('removes the last element', () => {
    expect(removeArrayElement(fourSpaces, ['sources'], 1)).toBe(fourSpaces.replace(',\n        {\n            "id": "b"\n        }', ''))
  })

  it('leaves an empty array when the only element goes', () => {
    expect(removeArrayElement('{\n  "s": [\n    { "id": "a" }\n  ]\n}\n', ['s'], 0)).toBe('{\n  "s": []\n}\n')
  })
})

describe('detectIndent', () => {
  it('reads the first indented line', () => {
    expect(detectIndent(fourSpaces)).toBe('    ')
    expect(detectIndent('{"a":1}')).toBe('  ')
  })
})
