/**
 * Invisible characters that make a title read otherwise than it is: bidi embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069) reorder the text after them ("‮fdp.exe" shows as
 * "exe.pdf"); zero-width spaces, word joiners, invisible operators, the Mongolian vowel
 * separator and U+FEFF hide inside words to slip past filters and look-alike checks.
 */
const DECEPTIVE_CHARS = /[\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g

const JOINERS = /[\u200C\u200D]/g

/**
 * Where a zero-width (non-)joiner does real work: emoji sequences (👨‍👩‍👧), combining marks,
 * and letters of the scripts that join or ligate (Arabic, Persian, the Indic scripts…). Between
 * Latin, Greek, Cyrillic or Han letters, digits or punctuation it only hides.
 */
const JOINABLE = /^(?:[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\p{M}]|(?![\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Han}])\p{L})$/u

/** The text without deceptive invisible characters; joiners stay only between two characters that use them. */
export function stripDeceptiveChars(text: string): string {
  const stripped = text.replace(DECEPTIVE_CHARS, '')
  return stripped.replace(JOINERS, (joiner, offset: number) =>
    isJoinable(lastCodePoint(stripped.slice(Math.max(0, offset - 2), offset))) &&
    isJoinable(String.fromCodePoint(stripped.codePointAt(offset + 1) ?? 0x20))
      ? joiner
      : '',
  )
}

function isJoinable(char: string): boolean {
  return JOINABLE.test(char)
}

function lastCodePoint(text: string): string {
  return Array.from(text).at(-1) ?? ' '
}
