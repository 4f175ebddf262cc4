export type RequestPath =
  | {
      /** Decoded path segments; none is empty, `.` or `..`, or holds a slash, backslash or NUL. */
      segments: string[]
      /** The path ended in `/`. */
      directory: boolean
      /** The query, with its `?`, kept for redirects. */
      search: string
    }
  | { error: string }

/**
 * The request target of an origin-form request (`/a/b.xml?x`) → safe path segments. Works on the
 * raw target rather than `new URL()`, which would quietly resolve `/../` and `%2e%2e` and so hide a
 * traversal attempt instead of refusing it.
 */
export function parseRequestPath(target: string): RequestPath {
  if (!target.startsWith('/')) return { error: 'not an origin-form request target' }
  const queryAt = target.search(/[?#]/)
  const path = queryAt === -1 ? target : target.slice(0, queryAt)
  const search = queryAt === -1 || target[queryAt] === '#' ? '' : target.slice(queryAt).replace(/#.*$/, '')
  const segments: string[] = []
  for (const raw of path.split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return { error: 'bad percent-encoding' }
    }
    if (segment === '') continue
    // An encoded slash or backslash would let one segment climb several folders once joined.
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return { error: `bad path segment ${JSON.stringify(raw)}` }
    segments.push(segment)
  }
  return { segments, directory: path.endsWith('/'), search }
}
