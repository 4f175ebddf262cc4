import { readFile } from 'node:fs/promises'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface ProfileRow {
  name: string
  /** `src/store/canonical-form.ts:58`, `sanitize-html`, `node:internal` */
  where: string
  ms: number
  share: number
}

export interface ProfileSummary {
  totalMs: number
  /** Where the samples were taken: the function on top of the stack. */
  selfTop: ProfileRow[]
  /** Time under each of feedloom's own functions (children included), outermost excluded. */
  feedloomInclusive: ProfileRow[]
  /** Time under each package or source file, counted once per sample. */
  byGroup: ProfileRow[]
  /** Each sample given to the innermost pipeline stage on its stack (the src/ folders). */
  byStage: ProfileRow[]
}

/**
 * A sample belongs to the innermost frame on its stack that names a stage: a sanitize-html frame
 * called from src/normalize/ is normalize; xml2js runs its chunks from setImmediate, off
 * parseFeed's stack, so it is matched by package.
 */
const STAGES: [stage: string, pattern: RegExp][] = [
  ['normalize (src/normalize)', /\/dist\/normalize\//],
  ['parse (src/sources)', /\/dist\/sources\//],
  ['store (src/store, lowdb, steno)', /\/dist\/store\/|node_modules\/(lowdb|steno)\//],
  ['publish (src/publish, feed, fast-xml-parser)', /\/dist\/publish\/|node_modules\/(feed|fast-xml-parser|xml-js)\//],
  ['fetch (src/fetch, undici, zlib, decoding)', /\/dist\/fetch\/|node_modules\/undici\/|^node:zlib/],
  ['config (src/config, zod)', /\/dist\/config\/|node_modules\/zod\//],
  ['pipeline (src/pipeline, own code)', /\/dist\/pipeline\//],
  ['cli (src/cli, commander, pino)', /\/dist\/cli\/|node_modules\/(commander|pino|cli-progress)\//],
  // Reached through an await, these lose their caller: the store's read and write mostly.
  ['file I/O and UTF-8 coding (node:fs, string_decoder, Buffer)', /^node:(internal\/fs|fs|string_decoder|buffer)/],
]

const STARTUP_FRAMES = /^(compileSourceTextModule|wrapSafe|evaluate|compileForInternalLoader|link|instantiate|moduleLink|moduleEvaluation)$/

function stageOf(stack: ProfileNode[]): string {
  const leaf = stack[0]?.callFrame.functionName ?? ''
  if (leaf === '(garbage collector)') return 'garbage collector'
  if (leaf === '(idle)') return 'idle (waiting for the network)'
  if (leaf === '(program)') return '(program: V8/native, unattributed)'
  for (const node of stack) {
    const { url, functionName } = node.callFrame
    if (url === '' && STARTUP_FRAMES.test(functionName)) return 'startup (module loading)'
    if (url.startsWith('node:internal/modules')) return 'startup (module loading)'
    for (const [stage, pattern] of STAGES) if (pattern.test(url)) return stage
  }
  return 'other'
}

/**
 * Reads `--cpu-prof` files and ranks functions by self and inclusive time. One process writes a
 * file per thread (the main thread and each worker thread): their samples are added up, so
 * shares are of the time every thread was sampled.
 */
export async function summarizeProfile(paths: string | readonly string[], top = 12): Promise<ProfileSummary> {
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const groups = new Map<string, number>()
  const stages = new Map<string, number>()
  let totalUs = 0
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile
    const byId = new Map(profile.nodes.map((node) => [node.id, node]))
    const parentOf = new Map<number, number>()
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)
    profile.samples.forEach((nodeId, i) => {
      const deltaUs = Math.max(0, profile.timeDeltas[i] ?? 0)
      totalUs += deltaUs
      const leaf = byId.get(nodeId)
      if (leaf === undefined) return
      add(self, labelOf(leaf), deltaUs)
      const seenFunctions = new Set<string>()
      const seenGroups = new Set<string>()
      const stack: ProfileNode[] = []
      for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
        const node = byId.get(id)
        if (node === undefined) break
        stack.push(node)
        const where = whereOf(node)
        if (where.startsWith('src/')) seenFunctions.add(labelOf(node))
        seenGroups.add(groupOf(node))
      }
      for (const label of seenFunctions) add(inclusive, label, deltaUs)
      for (const group of seenGroups) add(groups, group, deltaUs)
      add(stages, stageOf(stack), deltaUs)
    })
  }
  const rows = (map: Map<string, number>): ProfileRow[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, us]) => {
        const [name, where] = label.split('\t') as [string, string]
        return { name, where: where ?? '', ms: us / 1000, share: totalUs === 0 ? 0 : us / totalUs }
      })
  const groupRows = [...groups]
    .filter(([group]) => group !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([group, us]) => ({ name: group, where: '', ms: us / 1000, share: totalUs === 0 ? 0 : us / totalUs }))
  // Entry points (runMain, the CLI action, runCycle) cover everything; the rows below them are the signal.
  const feedloomInclusive = rows(inclusive).filter((row) => row.share < 0.97)
  const byStage = [...stages]
    .sort((a, b) => b[1] - a[1])
    .map(([stage, us]) => ({ name: stage, where: '', ms: us / 1000, share: totalUs === 0 ? 0 : us / totalUs }))
  return { totalMs: totalUs / 1000, selfTop: rows(self), feedloomInclusive, byGroup: groupRows, byStage }
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value)
}

function labelOf(node: ProfileNode): string {
  const where = whereOf(node)
  return `${node.callFrame.functionName || '(anonymous)'}\t${where}`
}

/** dist/x.js is reported as src/x.ts (line numbers are the compiled file's, 1-based). */
function whereOf(node: ProfileNode): string {
  const { url, lineNumber } = node.callFrame
  if (url === '') return ''
  const dist = /\/dist\/(.+)\.js$/.exec(url)
  if (dist !== null && !url.includes('node_modules')) return `src/${dist[1]}.ts:${lineNumber + 1}`
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(url)
  if (pkg !== null) return `${pkg[1]}/${pkg[2]}:${lineNumber + 1}`
  if (url.startsWith('node:')) return `${url}:${lineNumber + 1}`
  return `${url.replace(/^file:\/\//, '')}:${lineNumber + 1}`
}

function groupOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame
  if (url === '') return functionName === '(root)' ? '(root)' : functionName || '(native)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (pkg !== null) return `${pkg[1]} (package)`
  const dist = /\/dist\/(.+)\.js$/.exec(url)
  if (dist !== null) return `src/${dist[1]}.ts`
  if (url.startsWith('node:')) return 'node: internals'
  return url
}

export function formatProfile(summary: ProfileSummary, title: string): string {
  const table = (rows: ProfileRow[]): string[] => [
    '| ms | share | function | where |',
    '| ---: | ---: | --- | --- |',
    ...rows.map((row) => `| ${row.ms.toFixed(0)} | ${(row.share * 100).toFixed(1)} % | \`${row.name}\` | ${row.where} |`),
  ]
  return [
    `#### ${title} — ${(summary.totalMs / 1000).toFixed(2)} s sampled`,
    '',
    'By stage (each sample to the innermost stage on its stack):',
    '',
    '| ms | share | stage |',
    '| ---: | ---: | --- |',
    ...summary.byStage.map((row) => `| ${row.ms.toFixed(0)} | ${(row.share * 100).toFixed(1)} % | ${row.name} |`),
    '',
    'Self time (top of stack):',
    '',
    ...table(summary.selfTop),
    '',
    "Inclusive time under feedloom's functions:",
    '',
    ...table(summary.feedloomInclusive),
    '',
    'Inclusive time by package / source file (each sample counted once per group):',
    '',
    '| ms | share | group |',
    '| ---: | ---: | --- |',
    ...summary.byGroup.map((row) => `| ${row.ms.toFixed(0)} | ${(row.share * 100).toFixed(1)} % | ${row.name} |`),
    '',
  ].join('\n')
}
