/**
 * `ref` as an absolute http(s) URL: as is when already absolute, else against the first base
 * that yields one. Undefined when none does (including `javascript:`, `mailto:` and the like).
 */
export function resolveUrl(ref: string | undefined, bases: readonly (string | undefined)[]): string | undefined {
  const trimmed = ref?.trim()
  if (trimmed === undefined || trimmed === '') return undefined
  if (hasScheme(trimmed)) return toHttpUrl(trimmed)
  for (const base of bases) {
    const resolved = base === undefined ? undefined : toHttpUrl(trimmed, base)
    if (resolved !== undefined) return resolved
  }
  return undefined
}

/** Whether `value` starts with a URI scheme (RFC 3986 §3.1), i.e. is an absolute URI, not a reference. */
export function hasScheme(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(value)
}

/**
 * The form links are compared in: scheme and host lower-cased and default port dropped (the WHATWG
 * URL serializer does these), fragment and every `utm_*` parameter removed, other parameters
 * kept as written and in order.
 */
export function canonicalizeUrl(url: string): string {
  const parsed = new URL(url)
  parsed.hash = ''
  parsed.search = parsed.search
    .slice(1)
    .split('&')
    .filter((param) => param !== '' && !isTrackingParam(param))
    .join('&')
  return parsed.href
}

function isTrackingParam(param: string): boolean {
  return /^utm_/i.test(decodeParamName(param))
}

function decodeParamName(param: string): string {
  const name = param.split('=', 1)[0] ?? ''
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '))
  } catch {
    return name
  }
}

function toHttpUrl(ref: string, base?: string): string | undefined {
  try {
    const url = new URL(ref, base)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined
  } catch {
    return undefined
  }
}
