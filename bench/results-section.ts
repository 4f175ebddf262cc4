/**
 * bench/RESULTS.md holds several reports: `npm run bench` writes the file, and `npm run
 * bench:store` and `npm run bench:cluster` each their own section between markers named after
 * it, which the full bench carries over when it rewrites the file.
 */
export type ResultsSection = 'store' | 'cluster'

export const RESULTS_SECTIONS: readonly ResultsSection[] = ['store', 'cluster']

const markersOf = (name: ResultsSection) => ({ start: `<!-- bench:${name} start -->`, end: `<!-- bench:${name} end -->` })

/** `text` with section `name` replaced by `section` (appended when there is none yet). */
export function spliceSection(text: string, name: ResultsSection, section: string): string {
  const { start: START, end: END } = markersOf(name)
  const block = `${START}\n${section.trimEnd()}\n${END}`
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start === -1 || end === -1) return `${text.trimEnd()}\n\n${block}\n`
  return `${text.slice(0, start)}${block}${text.slice(end + END.length)}`
}

/** Section `name` of `text` with its markers, or '' when it has none. */
export function extractSection(text: string, name: ResultsSection): string {
  const { start: START, end: END } = markersOf(name)
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  return start === -1 || end === -1 ? '' : text.slice(start, end + END.length)
}
