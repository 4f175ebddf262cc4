import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { createFeedServer, type FeedServer } from '../helpers/feed-server.js'
import { runCli } from '../helpers/run-cli.js'
import {
  buildCli,
  checkOutputs,
  type ChildRun,
  cycleMsOf,
  createChangingFeeds,
  type KillPlan,
  runAndKill,
  writeLaneConfig,
} from './hard-stop-helpers.js'

/**
 * 200 kills by default, as CI runs it (FEEDLOOM_HARD_STOP_KILLS lowers it for a quick local run);
 * lanes run side by side, each with its own store and out/.
 */
const KILLS = Number(process.env.FEEDLOOM_HARD_STOP_KILLS ?? 200)
const LANES = Number(process.env.FEEDLOOM_HARD_STOP_LANES ?? 2)
const FEEDS_PER_LANE = 4
/** Share of kills aimed at startup (module loading, config), before the cycle takes the lock. */
const STARTUP_KILL_SHARE = 0.1

interface KillRecord {
  lane: number
  iteration: number
  run: ChildRun
  /** Why the store did not open, if it did not. */
  storeError?: string
  /** Ids held before the killed run and missing after it. */
  missingIds: string[]
  brokenOutputs: string[]
  leftoverTemps: string[]
  /** The store's previous-generation copy, when there is one, is not JSON. */
  brokenBackup: boolean
  storeChanged: boolean
  outputsChanged: number
  nextRun: { code: number; stderr: string }
}

interface Lane {
  index: number
  dir: string
  configPath: string
  storePath: string
  lockPath: string
  generation: number
  knownIds: Set<string>
  /** Running estimate of the child's cycle, from runs that finished. */
  cycleMs: number
  startupMs: number
}

const records: KillRecord[] = []
let server: FeedServer
let root: string
let build: Awaited<ReturnType<typeof buildCli>>
let totalMs = 0

beforeAll(async () => {
  const startedMs = performance.now()
  root = await mkdtemp(join(tmpdir(), 'feedloom-hard-stops-'))
  const lanes: Lane[] = []
  const routes = {}
  build = await buildCli()
  server = await createFeedServer(routes)
  for (let index = 0; index < LANES; index += 1) {
    const dir = join(root, `lane-${index}`)
    const lane: Lane = {
      index,
      dir,
      configPath: '',
      storePath: join(dir, 'store/db.json'),
      lockPath: join(dir, 'store/db.json.lock'),
      generation: 0,
      knownIds: new Set(),
      cycleMs: 200,
      startupMs: 1_000,
    }
    for (const [path, route] of Object.entries(createChangingFeeds(FEEDS_PER_LANE, () => lane.generation))) {
      server.routes[`/lane-${index}${path}`] = route
    }
    lane.configPath = await writeLaneConfig(dir, `${server.url}/lane-${index}`, FEEDS_PER_LANE)
    lanes.push(lane)
  }
  await Promise.all(lanes.map((lane) => calibrate(lane)))
  const perLane = Math.ceil(KILLS / LANES)
  await Promise.all(lanes.map((lane) => killRepeatedly(lane, perLane)))
  totalMs = performance.now() - startedMs
}, 600_000)

afterAll(async () => {
  await server?.close()
  await build?.remove()
  if (root !== undefined) await rm(root, { recursive: true, force: true })
  const kills = records.filter((record) => record.run.killedAt !== 'not-killed')
  const effects = {
    startup: kills.filter((r) => r.run.killedAt === 'startup').length,
    'timed from the lock': kills.filter((r) => r.run.killedAt === 'cycle').length,
    'timed from a write': kills.filter((r) => r.run.killedAt === 'write').length,
    'before any write': kills.filter((r) => r.run.killedAt !== 'startup' && !r.storeChanged && r.outputsChanged === 0).length,
    'some outputs written, store not': kills.filter((r) => !r.storeChanged && r.outputsChanged > 0).length,
    'store written': kills.filter((r) => r.storeChanged).length,
    'temp files left behind': kills.filter((r) => r.leftoverTemps.length > 0).length,
  }
  console.info(`hard stops: ${kills.length} kills in ${(totalMs / 1000).toFixed(1)} s over ${LANES} lanes; ${JSON.stringify(effects)}`)
})

/** One uncut run per lane: a first store and outputs, and the child's real startup and cycle times. */
async function calibrate(lane: Lane): Promise<void> {
  lane.generation += 1
  const run = await runAndKill(build.binPath, lane.configPath, lane.lockPath, { never: true })
  if (run.exitCode !== 0) throw new Error(`calibration run failed: ${run.stderr}`)
  lane.cycleMs = cycleMsOf(run.stdout) ?? lane.cycleMs
  lane.startupMs = run.lockAfterMs ?? lane.startupMs
  lane.knownIds = await readIds(lane.storePath)
}

async function killRepeatedly(lane: Lane, kills: number): Promise<void> {
  let killed = 0
  for (let iteration = 0; killed < kills && iteration < kills * 2; iteration += 1) {
    lane.generation += 1
    const record = await killOnce(lane, iteration, planKill(lane))
    records.push(record)
    if (record.run.killedAt !== 'not-killed') killed += 1
  }
}

/**
 * A few kills during startup; a third anywhere in the cycle, spread over 1.3 × its usual length (so
 * that some runs finish); the rest timed from the first write of an output, of a store segment or
 * of the store's head switch, seen through inotify, because those windows are a few ms of a cycle
 * that takes hundreds.
 */
function planKill(lane: Lane): KillPlan {
  const draw = Math.random()
  if (draw < STARTUP_KILL_SHARE) return { beforeLockMs: Math.random() * lane.startupMs }
  if (draw < 0.4) return { afterLockMs: Math.random() * lane.cycleMs * 1.3 }
  if (draw < 0.75) return { afterWriteMs: Math.random() * 20, watchDir: join(lane.dir, 'out'), fileName: /\.tmp$/ }
  // A commit writes its segment files first, then switches the head in (the backup's temp link
  // comes just before): some kills land among the segment writes, the others around the switch.
  if (draw < 0.85) return { afterWriteMs: Math.random() * 4, watchDir: join(lane.dir, 'store'), fileName: /\.tmp$/ }
  return { afterWriteMs: Math.random() * 4, watchDir: join(lane.dir, 'store'), fileName: /^db\.json\.bak\.tmp$/ }
}

async function killOnce(lane: Lane, iteration: number, plan: KillPlan): Promise<KillRecord> {
  const outDir = join(lane.dir, 'out')
  const outputsBefore = (await checkOutputs(outDir, { hashOnly: true })).hashes
  const storeBefore = await hashOf(lane.storePath)
  const t0 = performance.now()
  const run = await runAndKill(build.binPath, lane.configPath, lane.lockPath, plan)
  const t1 = performance.now()
  if (run.killedAt === 'not-killed') {
    lane.cycleMs = 0.7 * lane.cycleMs + 0.3 * (cycleMsOf(run.stdout) ?? lane.cycleMs)
  }
  const after = await checkOutputs(outDir)
  const record: KillRecord = {
    lane: lane.index,
    iteration,
    run,
    missingIds: [],
    brokenOutputs: after.broken,
    leftoverTemps: after.leftovers,
    brokenBackup: !(await isJsonOrMissing(`${lane.storePath}.bak`)),
    storeChanged: (await hashOf(lane.storePath)) !== storeBefore,
    outputsChanged: [...after.hashes].filter(([name, hash]) => outputsBefore.get(name) !== hash).length,
    nextRun: { code: -1, stderr: '' },
  }
  try {
    const ids = await readIds(lane.storePath)
    record.missingIds = [...lane.knownIds].filter((id) => !ids.has(id))
  } catch (err) {
    record.storeError = err instanceof Error ? err.message : String(err)
  }
  const t2 = performance.now()
  const next = await runCli('run', '--config', lane.configPath)
  // FEEDLOOM_HARD_STOP_DEBUG=1 prints each kill's timings, to see where a lane spends its time.
  if (process.env.FEEDLOOM_HARD_STOP_DEBUG) console.info(`lane ${lane.index} child ${(t1 - t0).toFixed(0)} lock ${run.lockAfterMs?.toFixed(0)} checks ${(t2 - t1).toFixed(0)} next ${(performance.now() - t2).toFixed(0)} ${run.killedAt} cycleMs ${lane.cycleMs.toFixed(0)} kill+${run.killAfterLockMs?.toFixed(0)} store ${record.storeChanged} outs ${record.outputsChanged}`)
  record.nextRun = { code: next.code, stderr: next.stderr }
  if (next.code === 0) lane.knownIds = await readIds(lane.storePath)
  return record
}

/** What the store holds, read the way feedloom reads it (the lock is not taken: a killed run may hold it). */
async function readIds(storePath: string): Promise<Set<string>> {
  const store = await openStore({ path: storePath, lock: false })
  try {
    return new Set((await store.newestItems({ limit: Number.MAX_SAFE_INTEGER })).map((item) => item.id))
  } finally {
    await store.close()
  }
}

async function hashOf(path: string): Promise<string | undefined> {
  if (!existsSync(path)) return undefined
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

async function isJsonOrMissing(path: string): Promise<boolean> {
  if (!existsSync(path)) return true
  try {
    JSON.parse(await readFile(path, 'utf8'))
    return true
  } catch {
    return false
  }
}

const kills = () => records.filter((record) => record.run.killedAt !== 'not-killed')
const describeKill = (r: KillRecord) => `lane ${r.lane} #${r.iteration} (${r.run.killedAt}${r.run.killAfterLockMs === undefined ? '' : ` +${r.run.killAfterLockMs.toFixed(0)} ms`})`

describe(`SIGKILL of a real \`feedloom run\` at random moments (${KILLS} kills)`, () => {
  it(`kills at least ${KILLS} runs`, () => {
    expect(kills().length).toBeGreaterThanOrEqual(KILLS)
  })

  it('lands kills before any write, between output writes and the store write, and after the store write', () => {
    const cycleKills = kills().filter((r) => r.run.killedAt !== 'startup')
    expect({
      beforeWrites: cycleKills.some((r) => !r.storeChanged && r.outputsChanged === 0),
      amidWrites: cycleKills.some((r) => !r.storeChanged && r.outputsChanged > 0),
      afterStoreWrite: cycleKills.some((r) => r.storeChanged),
    }).toEqual({ beforeWrites: true, amidWrites: true, afterStoreWrite: true })
  })

  it('leaves a store that loads after every kill', () => {
    expect(kills().filter((r) => r.storeError !== undefined).map((r) => `${describeKill(r)}: ${r.storeError}`)).toEqual([])
  })

  it('leaves every item the store held before the killed run', () => {
    expect(kills().filter((r) => r.missingIds.length > 0).map((r) => `${describeKill(r)}: ${r.missingIds.length} missing`)).toEqual([])
  })

  it('leaves every output file whole (well-formed XML, parseable JSON, complete HTML) after every kill', () => {
    expect(kills().filter((r) => r.brokenOutputs.length > 0).map((r) => `${describeKill(r)}: ${r.brokenOutputs.join(', ')}`)).toEqual([])
  })

  it("leaves the store's previous copy (<store>.bak) whole after every kill", () => {
    expect(kills().filter((r) => r.brokenBackup).map(describeKill)).toEqual([])
  })

  it('leaves no temp file in the output folder once the next run is done', async () => {
    const leftovers = []
    for (let lane = 0; lane < LANES; lane += 1) leftovers.push(...(await checkOutputs(join(root, `lane-${lane}`, 'out'))).leftovers)
    expect(leftovers).toEqual([])
  })

  it('completes the next run after every kill', () => {
    expect(records.filter((r) => r.nextRun.code !== 0).map((r) => `${describeKill(r)}: ${r.nextRun.stderr}`)).toEqual([])
  })

  it('exits 0 from every child run that was not killed', () => {
    expect(records.filter((r) => r.run.killedAt === 'not-killed' && r.run.exitCode !== 0).map((r) => `${describeKill(r)}: ${r.run.stderr}`)).toEqual([])
  })
})
