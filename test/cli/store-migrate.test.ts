import { describe, expect, it } from 'vitest'
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/postgres-migrations.js'
import { useTestPostgres } from '../helpers/postgres.js'
import { runCli, writeConfig } from '../helpers/run-cli.js'

const postgres = await useTestPostgres()
const site = { title: '金融消息', url: 'https://news.example.com/' }

describe('feedloom store migrate', () => {
  it('says a file store has nothing to migrate', async () => {
    const { configPath } = await writeConfig({ site })

    const run = await runCli('store', 'migrate', '--config', configPath)

    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/store\/db\.json: a file store has no schema to migrate/)
  })

  describe.skipIf(postgres === undefined)('on a PostgreSQL store', () => {
    const db = postgres as NonNullable<typeof postgres>

    it('applies every step to an empty database and prints each, then finds nothing to do', async () => {
      const schema = await db.createSchema()
      const { configPath } = await writeConfig({ site, store: { url: schema.url } })
      const label = `postgres://feedloom_test@${new URL(schema.url).host}${new URL(schema.url).pathname}`
      const latest = POSTGRES_MIGRATIONS.length

      const first = await runCli('store', 'migrate', '--config', configPath)
      const second = await runCli('store', 'migrate', '--config', configPath)

      expect(first).toEqual({
        code: 0,
        stdout: [...POSTGRES_MIGRATIONS.map((step) => `${label}: applied migration ${step.version} (${step.name})`), `${label}: schema now at version ${latest}`].join('\n'),
        stderr: '',
      })
      expect(second).toEqual({ code: 0, stdout: `${label}: schema already up to date at version ${latest}`, stderr: '' })
    })

    it('exits 1 naming the server when it cannot connect, without the password', async () => {
      const url = new URL(db.url)
      url.password = 'wrong-password'
      const { configPath } = await writeConfig({ site, store: { url: url.toString() } })

      const run = await runCli('store', 'migrate', '--config', configPath)

      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`error: cannot connect to the PostgreSQL store postgres://feedloom_test@${url.host}${url.pathname}: password authentication failed`)
      expect(run.stderr).toContain('(E_STORE_CONNECT)')
      expect(run.stderr).not.toContain('wrong-password')
    })
  })
})
