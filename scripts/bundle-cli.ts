/**
 * Part of `npm run build`, after tsc: bundles the CLI with esbuild into dist/bundle/, which
 * bin/feedloom.js runs. Every `feedloom run` from cron is a new process, and resolving and reading
 * the hundreds of module files of dist/ and node_modules/ cost it more CPU than its cycle did.
 *
 * - One entry, dist/bundle/feedloom.mjs (commander and the CLI's own code), and chunks that main.ts
 *   imports per command: `--help` loads no chunk, `run` no node-cron handler, serve or OPML code.
 * - Each worker thread's module is an entry of its own (extract-article-thread.mjs,
 *   parse-entries-thread.mjs). Chunks sit in the same folder as the entries, so code in any chunk
 *   finds a thread module beside itself (src/sources/share/create-article-extractor.ts,
 *   src/pipeline/create-entry-parser.ts).
 * - Packages are bundled. The ones src/ loads on first use with createRequire (luxon,
 *   sanitize-html, pinyin-pro, linkedom, readability, cli-progress) are left to Node and resolved
 *   from node_modules/ when a cycle needs them, as in the tsc output.
 * - CommonJS packages inside an ESM bundle still call require() (for node: modules): the banner
 *   gives every file one.
 * - The tsc output in dist/ stays: the package's `main`, bench/ and the tests import it.
 */
import { build } from 'esbuild'
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..')

/** Bundles the CLI into `outdir` (emptied first); its entry is `<outdir>/feedloom.mjs`. The kill tests run this bundle too. */
export async function bundleCli(outdir: string): Promise<void> {
  // Chunk names carry a content hash: without this, old chunks would pile up build after build.
  await rm(outdir, { recursive: true, force: true })
  await build({
    absWorkingDir: root,
    entryPoints: {
      feedloom: 'src/cli/bin.ts',
      'extract-article-thread': 'src/sources/share/extract-article-thread.ts',
      'parse-entries-thread': 'src/pipeline/parse-entries-thread.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    banner: { js: "import { createRequire as feedloomCreateRequire } from 'node:module'; const require = feedloomCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bundleCli(join(root, 'dist', 'bundle'))
