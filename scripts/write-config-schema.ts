/**
 * Part of `npm run build`: writes dist/feeds.config.schema.json, the JSON Schema that
 * `feedloom init` points `$schema` at, generated from the zod schema of the config.
 */
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { configJsonSchema } from '../src/config/config-schema.js'

await writeFile(join(resolve(import.meta.dirname, '..'), 'dist', 'feeds.config.schema.json'), `${JSON.stringify(configJsonSchema(), null, 2)}\n`)
