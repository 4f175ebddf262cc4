/**
 * What to do about a store that cannot be read: the one place that names the recovery steps.
 * The lowdb store keeps the head of the commit before the last as `<store>.bak`.
 */
export function describeStoreRecovery(storePath: string | undefined): string {
  const store = storePath ?? 'store/db.json'
  return (
    `the commit before the last one is kept as ${store}.bak. Stop the worker and run \`feedloom store restore\`: ` +
    `it checks that backup, puts it in place and keeps the damaged head as ${store}.corrupt`
  )
}
