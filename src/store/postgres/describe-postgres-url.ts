/**
 * `postgres://user@host:port/db`: the store's URL as a user wrote it, minus the password and the
 * query, for messages and logs. Apart from connect-postgres.ts so that naming a store loads no pg.
 */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  } catch {
    return 'postgres://(unparsable URL)'
  }
}
