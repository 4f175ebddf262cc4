import { setFlagsFromString } from 'node:v8'

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent, unless
 * FEEDLOOM_HEAP_GROWING_PERCENT says otherwise. V8's own factor (up to 4× on a machine with memory
 * to spare) has a cold cycle, whose live heap is a fraction of its garbage, peak at several times
 * what it holds. 20 % costs a few more full collections (a few percent of CPU) and keeps no cap:
 * a big store still gets all the heap it needs.
 */
export const HEAP_GROWING_PERCENT = 20

/**
 * Sets the process's heap growing factor (V8's --heap-growing-percent, which reads it at every
 * full collection, in every thread): `FEEDLOOM_HEAP_GROWING_PERCENT` when set, 0 leaving V8's own
 * policy, else HEAP_GROWING_PERCENT. The CLI calls it before any work; the library never does, so
 * an application that imports feedloom keeps its own heap policy. Returns why the variable was
 * refused, when it was.
 */
export function setHeapPolicy(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.FEEDLOOM_HEAP_GROWING_PERCENT?.trim() ?? String(HEAP_GROWING_PERCENT)
  if (!/^\d{1,4}$/.test(value)) return `FEEDLOOM_HEAP_GROWING_PERCENT must be a whole number of percent (0 keeps V8's own heap growth), not "${value}"`
  const percent = Number(value)
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`)
  return undefined
}
