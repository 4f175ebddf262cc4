import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { measureCommand } from './measure-command.js'
import { median } from './median.js'

export interface StartupCost {
  /** `node -e ''`, `feedloom --help`, or `import('<package>')`. */
  what: string
  wallMs: number
  cpuMs: number
  maxRssKb: number
}

/**
 * What a feedloom process costs before it does any work: `node bin/feedloom.js --help`, and
 * each runtime dependency imported alone in a fresh node (standalone costs overlap where
 * packages share dependencies, e.g. htmlparser2). Medians of `repeats` runs.
 */
export async function measureStartup(repoDir: string, repeats = 3): Promise<StartupCost[]> {
  const pkg = JSON.parse(await readFile(join(repoDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const cases: { what: string; args: string[] }[] = [
    { what: "node -e ''", args: ['-e', ''] },
    { what: 'node bin/feedloom.js --help', args: [join(repoDir, 'bin', 'feedloom.js'), '--help'] },
    ...Object.keys(pkg.dependencies ?? {}).map((name) => ({
      what: `import('${name}')`,
      args: ['--input-type=module', '-e', `await import(${JSON.stringify(name)})`],
    })),
  ]
  const costs: StartupCost[] = []
  for (const { what, args } of cases) {
    const runs = []
    for (let i = 0; i < repeats; i++) runs.push(await measureCommand({ command: process.execPath, args, cwd: repoDir }))
    if (runs.some((run) => run.exitCode !== 0)) continue
    costs.push({
      what,
      wallMs: median(runs.map((run) => run.wallMs)),
      cpuMs: median(runs.map((run) => run.cpuMs)),
      maxRssKb: median(runs.map((run) => run.maxRssKb)),
    })
  }
  return costs
}
