/**
 * `mapper` over `items` with at most `limit` calls in flight, results in the order of `items`.
 * Publishing opens a file or two per document: with hundreds of categories, starting them all at
 * once runs out of file descriptors (EMFILE) under an ordinary `ulimit -n`.
 */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, mapper: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const work = async (): Promise<void> => {
    while (next < items.length) {
      const index = next
      next += 1
      results[index] = await mapper(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, work))
  return results
}
