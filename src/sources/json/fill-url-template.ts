const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g

/**
 * Fills `{name}` placeholders (`…/GetNewsText.do?id={infoCode}`) with URL-encoded values.
 * @returns the URL, or the names that had no value
 */
export function fillUrlTemplate(
  template: string,
  values: Readonly<Record<string, string | undefined>>,
): { url: string } | { missing: string[] } {
  const missing = new Set<string>()
  const url = template.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined
    if (value === undefined || value.trim() === '') {
      missing.add(name)
      return placeholder
    }
    return encodeURIComponent(value.trim())
  })
  return missing.size === 0 ? { url } : { missing: [...missing] }
}
