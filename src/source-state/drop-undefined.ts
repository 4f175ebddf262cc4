/** Keeps stored state free of `undefined` keys, so equal states serialize to equal bytes. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
