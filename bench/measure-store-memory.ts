/**
 * Child script: what holding a store of this size costs, step by step, the way the store opens
 * and saves it (read as text, JSON.parse, JSON.stringify with 2-space indent).
 *
 *   node --import tsx bench/measure-store-memory.ts <store.json>
 */
import { readFile, stat } from 'node:fs/promises'

export interface StoreMemoryStep {
  step: string
  ms: number
  rssMb: number
  heapUsedMb: number
  externalMb: number
}

const path = process.argv[2]
if (path === undefined) throw new Error('usage: measure-store-memory.ts <store.json>')
const steps: StoreMemoryStep[] = []
const mb = (bytes: number): number => Math.round(bytes / 1048576)
let lastMs = performance.now()
const record = (step: string): void => {
  const now = performance.now()
  const usage = process.memoryUsage()
  steps.push({ step, ms: Math.round(now - lastMs), rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external) })
  lastMs = now
}
record('start')
let text: string | undefined = await readFile(path, 'utf8')
record('readFile utf8')
const data = JSON.parse(text) as { items: unknown[] }
record('JSON.parse')
const textChars = text.length
text = undefined
globalThis.gc?.()
record('drop text (gc)')
const serialized = `${JSON.stringify(data, null, 2)}\n`
record('JSON.stringify(data, null, 2)')
const compact = JSON.stringify(data)
record('JSON.stringify(data) (no indent)')
console.log(
  JSON.stringify({
    fileBytes: (await stat(path)).size,
    textChars,
    items: data.items.length,
    serializedChars: serialized.length,
    compactChars: compact.length,
    steps,
  }),
)
