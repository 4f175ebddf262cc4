/**
 * What to do about a store that cannot be read, spelled out where the store keeps its last good
 * copy today (`<store>.bak`, see store-file.ts). The only place that names the recovery steps.
 */
export function describeStoreRecovery(storePath: string | undefined): string {
  const store = storePath ?? 'store/db.json'
  return (
    `the previous good copy is kept beside it as ${store}.bak. To restore it: stop the worker, ` +
    `move the damaged file aside (mv ${store} ${store}.corrupt), copy the backup in (cp ${store}.bak ${store}) and run again`
  )
}
