/**
 * bench/RESULTS.md holds two reports: `npm run bench` writes the file, `npm run bench:store` its
 * store section between these markers, which the full bench carries over when it rewrites the file.
 */
const START = '<!-- bench:store start -->'
const END = '<!-- bench:store end -->'

/** `text` with the store section replaced by `section` (appended when there is none yet). */
export function spliceStoreSection(text: string, section: string): string {
  const block = `${START}\n${section.trimEnd()}\n${END}`
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start === -1 || end === -1) return `${text.trimEnd()}\n\n${block}\n`
  return `${text.slice(0, start)}${block}${text.slice(end + END.length)}`
}

/** The store section of `text` with its markers, or '' when it has none. */
export function extractStoreSection(text: string): string {
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  return start === -1 || end === -1 ? '' : text.slice(start, end + END.length)
}
