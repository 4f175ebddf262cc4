import type { PostgresBenchReport, PostgresCaseReport } from './bench-postgres-store.js'
import type { RunFigures } from './peer.js'
import { median } from './median.js'

const mb = (bytes: number): string => (bytes / 1e6).toFixed(2)
const seconds = (ms: number): string => (ms / 1000).toFixed(2)
const rssMb = (figures: RunFigures): number => (figures.maxRssKb ?? 0) / 1024

/** The PostgreSQL part of the store section of bench/RESULTS.md: the issue's targets, then the figures. */
export function formatPostgresSection(report: PostgresBenchReport): string[] {
  const { empty, big } = report
  const rows = [empty, big].flatMap((one: PostgresCaseReport) => {
    const label = one.seeded === 0 ? 'empty' : report.targetItems.toLocaleString('en')
    const row = (phase: string, all: RunFigures[], wal: number[]) =>
      `| ${label} | ${phase} | ${seconds(median(all.map((f) => f.wallMs)))} | ${seconds(median(all.map((f) => f.cpuMs)))} | ${median(all.map(rssMb)).toFixed(0)} | ${mb(median(all.map((f) => f.bytesWritten)))} | ${mb(median(wal))} |`
    return [row('prime (cold poll)', [one.prime], [one.walBytes.prime]), row('warm', one.warm, one.walBytes.warm), row('incremental', one.incremental, one.walBytes.incremental)]
  })
  const ratios = big.incremental.map((run, index) => run.wallMs / (empty.incremental[index]?.wallMs ?? Number.NaN))
  const ratio = median(ratios)
  const cpuRatio = median(big.incremental.map((run, index) => run.cpuMs / (empty.incremental[index]?.cpuMs ?? Number.NaN)))
  const rss = Math.max(...big.warm.map(rssMb), ...big.incremental.map(rssMb))
  const met = (ok: boolean) => (ok ? 'met' : '**missed**')
  const counts = [empty, big].map((one) => `${one.seeded === 0 ? 'empty' : report.targetItems.toLocaleString('en')}: ${one.finalItems ?? '?'} / ${one.expectedItems}${one.finalItems === one.expectedItems ? ' ✓' : ' ✗'}`)
  const problems = [empty, big].flatMap((one) => [one.prime, ...one.warm, ...one.incremental].flatMap((f) => (f.problem === undefined ? [] : [`- postgres ${one.seeded}: ${f.problem}`])))
  return [
    '### PostgreSQL',
    '',
    `The same farm and cycles with \`store.url\` pointing at Debian's PostgreSQL 15 on the same machine (scripts/test-postgres.sh: a throwaway cluster, fsync off), empty and seeded with ${report.seed.method}${report.seed.ms === undefined ? '' : `, in ${(report.seed.ms / 1000).toFixed(0)} s`}. The server shares the cores with feedloom, and its CPU is not in feedloom's figures. written: files under out/ (the store writes none); WAL: what the server wrote to its write-ahead log during the cycle.`,
    '',
    '| target (PostgreSQL, 1,000,000 items) | measured | met? |',
    '| --- | --- | --- |',
    `| incremental wall within 1.3× of the empty store's | ${ratio.toFixed(2)}× (${seconds(median(big.incremental.map((f) => f.wallMs)))} s vs ${seconds(median(empty.incremental.map((f) => f.wallMs)))} s) | ${met(ratio <= 1.3)} |`,
    `| (not a target) feedloom's CPU in the incremental cycle, the same ratio | ${cpuRatio.toFixed(2)}× (${seconds(median(big.incremental.map((f) => f.cpuMs)))} s vs ${seconds(median(empty.incremental.map((f) => f.cpuMs)))} s): the steadier figure when the cores are shared and walls swing | |`,
    `| feedloom's peak RSS ≤ 250 MB | ${rss.toFixed(0)} MB (max over warm and incremental cycles; the prime cycle, a cold poll of ${(big.prime.expectedItems - big.seeded).toLocaleString('en')} new stories at once, peaks at ${rssMb(big.prime).toFixed(0)} MB, as the lowdb store's does) | ${met(rss <= 250)} |`,
    '',
    '| stored items | cycle | wall s | CPU s | peak RSS MB | written MB | WAL MB |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Items held at the end (counted in the database / expected): ${counts.join('; ')}.`,
    ...(problems.length > 0 ? ['', 'Runs flagged:', ...problems] : []),
  ]
}
