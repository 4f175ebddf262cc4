import cron from 'node-cron'

export interface WorkerOptions {
  /** Cron expression, five or six fields. */
  schedule: string
  /** IANA zone the expression is read in. */
  timezone: string
  /** One cycle; the worker never runs two at once. */
  runCycle: () => Promise<void>
  /** Told when a tick came while a cycle was still running and was skipped. */
  onSkippedTick?: (scheduledAt: Date) => void
}

export interface Worker {
  /** Stops the schedule and waits for a running cycle to finish. */
  stop(): Promise<void>
  /** Resolves with the cycle started at once. */
  firstCycle: Promise<void>
  /** Time between the schedule's next two ticks: what "on time" means for a health check. */
  periodMs: number
}

/** Runs a cycle now, then on every tick of the schedule. The worker owns time only. */
export function startWorker(options: WorkerOptions): Worker {
  let running: Promise<void> | undefined
  let stopped = false

  const runExclusive = (scheduledAt: Date): Promise<void> => {
    if (running) {
      options.onSkippedTick?.(scheduledAt)
      return running
    }
    running = options.runCycle().finally(() => {
      running = undefined
    })
    return running
  }

  const task = cron.schedule(
    options.schedule,
    (context) => {
      if (!stopped) void runExclusive(context.date)
    },
    { timezone: options.timezone },
  )

  const [next, after] = task.getNextRuns(2)
  return {
    periodMs: next !== undefined && after !== undefined ? after.getTime() - next.getTime() : 0,
    firstCycle: runExclusive(new Date()),
    async stop() {
      stopped = true
      await task.destroy()
      await running
    },
  }
}

/** Why a cron expression is unusable, or undefined when it is fine. */
export function checkSchedule(expression: string): string | undefined {
  const result = cron.validateDetailed(expression)
  if (result.valid) return undefined
  return result.errors.map((error) => `${error.field}: ${error.message}`).join('; ') || 'not a cron expression'
}
