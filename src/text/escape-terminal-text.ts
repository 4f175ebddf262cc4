/**
 * Characters a terminal acts on or that change how the text around them reads: C0 controls but tab
 * and newline (ESC starts escape sequences: set the window title, clear the screen), DEL, C1 controls
 * (U+009B is a one-character CSI), bidirectional overrides, embeddings and isolates (U+202A–202E,
 * U+2066–2069, the marks U+200E, U+200F and U+061C), and UTF-16 surrogates without their pair.
 */
export const TERMINAL_UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * A line for the terminal, with every unsafe character written as its `\u001b` escape: text from
 * feeds and servers (titles, error messages) shows what it holds and cannot drive the terminal. The
 * escape is also a valid JSON escape, so JSON log lines stay valid JSON.
 */
export function escapeTerminalText(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
