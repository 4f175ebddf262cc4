import { existsSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, isAbsolute, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { UsageError } from '../errors.js'

/**
 * The shipped JSON Schema (the build writes it into dist/), looked for from this file upwards:
 * src/manage/, dist/manage/ and the bundle's chunks each sit at a different depth.
 */
function findSchemaFile(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const file = new URL('dist/feeds.config.schema.json', dir)
    if (existsSync(file)) return fileURLToPath(file)
    if (dir.pathname === '/') throw new UsageError('feedloom is not built: dist/feeds.config.schema.json is missing', 'run npm run build in the feedloom folder')
  }
}

/**
 * `$schema` as the config file reaches the schema: a relative path when feedloom is installed
 * beside the config (node_modules/feedloom), else a file: URL of the installed package's copy.
 */
function schemaReference(configPath: string): string {
  const schemaPath = findSchemaFile()
  const fromConfig = relative(dirname(configPath), schemaPath)
  return fromConfig.startsWith('..') || isAbsolute(fromConfig) ? pathToFileURL(schemaPath).href : `./${fromConfig.split('\\').join('/')}`
}

/** The starter file: every section with its defaults and a word on each key, as the README explains them. */
export function renderStarterConfig(schema: string): string {
  return `{
  // Checked by \`feedloom validate\`; editors complete and check keys from this schema.
  "$schema": ${JSON.stringify(schema)},
  "site": {
    "title": "My news",                  // title of the all-categories feed and the home page
    "url": "https://news.example.com/",  // the public URL out/ is served from (feed links hang off it)
    "language": "zh-CN",
    "timezone": "Asia/Shanghai"          // dates without an offset are read in this zone; the schedule too
  },
  "schedule": "*/5 * * * *",             // cron, 5 or 6 fields: \`feedloom start\` runs a cycle on each tick
  "store": { "path": "store/db.json", "maxItemsPerCategory": 500, "maxAgeDays": 30 },
  "output": {
    "dir": "out",
    "formats": ["rss", "atom", "json"],
    "itemsPerFeed": 50,
    "html": true,                        // out/index.html and a page per category
    "opml": true                         // out/feeds.opml listing every published feed
  },
  "fetch": { "concurrency": 8, "perHost": 2, "timeoutMs": 20000 },
  // Titles (and optional filters) of categories. Once any is listed here, every source's
  // "category" must be one of them, so a typo cannot start a new category.
  "categories": {
    // "meirijingjixinwen": { "title": "每日经济新闻" },
  },
  // Add sources with \`feedloom add <feed or page url>\`, \`feedloom import-opml <file>\`, or here:
  "sources": [
    // { "id": "nbd", "type": "feed", "url": "https://example.com/rss.xml", "category": "meirijingjixinwen" },
  ],
}
`
}

/**
 * Writes a starter feeds.config.json at `configPath`, never over an existing file.
 * @throws UsageError when the file exists or cannot be written
 */
export async function writeStarterConfig(configPath: string): Promise<void> {
  let handle
  try {
    handle = await open(configPath, 'wx')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new UsageError(`${configPath} exists already; nothing was written`, 'edit it, or pass --config <path> to start another one', { cause })
    throw new UsageError(`cannot write ${configPath}: ${(cause as Error).message}`, undefined, { cause })
  }
  try {
    await handle.writeFile(renderStarterConfig(schemaReference(configPath)), 'utf8')
  } finally {
    await handle.close()
  }
}
