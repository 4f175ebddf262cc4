import { createRequire } from 'node:module'
import type * as Luxon from 'luxon'

/**
 * luxon costs ~100 ms of CPU to load and only dates without an offset (or unusual ones) need it,
 * so it is required on first use: a run whose feeds all answer 304 never loads it.
 */
const requireCjs = createRequire(import.meta.url)
let luxonModule: typeof Luxon | undefined

function luxon(): typeof Luxon {
  luxonModule ??= requireCjs('luxon') as typeof Luxon
  return luxonModule
}

export interface NormalizeDateOptions {
  /** IANA zone that dates without an offset are read in. */
  timezone: string
  now: Date
  /** A date further than this past `now` is refused (first-seen is used instead). */
  futureToleranceMs: number
}

/** A source's date string → ISO instant (`2022-01-11T05:35:18.000Z`); undefined when unusable. */
export function normalizeDate(text: string | undefined, options: NormalizeDateOptions): string | undefined {
  const date = text === undefined ? undefined : parseDate(text, options.timezone)
  if (date === undefined || date.getTime() > options.now.getTime() + options.futureToleranceMs) return undefined
  return date.toISOString()
}

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
}

/** UTC+14:00 (Line Islands) is the largest offset in use. */
const MAX_OFFSET_MINUTES = 14 * 60

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** RFC 822 §5.1 zones, plus a few Asian ones seen in Chinese feeds. CST is decided in `zoneOf`. */
const NAMED_OFFSETS_MINUTES = new Map<string, number>([
  ['GMT', 0],
  ['UT', 0],
  ['UTC', 0],
  ['Z', 0],
  ['EST', -300],
  ['EDT', -240],
  ['CDT', -300],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
  ['HKT', 480],
  ['JST', 540],
  ['KST', 540],
])

/** `Tue, 11 Jan 2022 13:35:18 +0800` and its common variants (no weekday, 2-digit year, no seconds). */
const RFC_822 =
  /^(?:[a-z]+,?\s+)?(\d{1,2})[\s-]+([a-z]{3,})\.?[\s-]+(\d{4}|\d{2}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(.*)$/i

/** `2022-01-11 13:35:18`, `2022/01/11 13:35`, `2022.1.11`, `2022年01月11日 13时35分`, optionally with a zone. */
const YEAR_FIRST =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.(\d{1,9}))?)?\s*[分秒]?)?\s*(.*)$/

/** Java's `Date.toString()`: `Tue Jan 11 13:35:18 CST 2022`, common in Chinese CMS feeds. */
const JAVA_DATE = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\S+)\s+(\d{4})$/i

/** Any supported date string → a Date, reading wall-clock times without a zone in `timezone`. */
export function parseDate(text: string, timezone: string): Date | undefined {
  const trimmed = text.trim().replace(/\s+/g, ' ')
  if (trimmed === '') return undefined
  return (
    parseEpoch(trimmed) ??
    parseZonedIso(trimmed) ??
    parseIso(trimmed, timezone) ??
    parseRfc822(trimmed, timezone) ??
    parseYearFirst(trimmed, timezone) ??
    parseJavaDate(trimmed, timezone)
  )
}

/**
 * The common ISO 8601 form with an explicit offset (`2022-01-11T13:35:18+08:00`, `…Z`), without
 * luxon: the instant is fixed by the offset alone. Anything unusual is left to `parseIso`.
 */
const ZONED_ISO = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,30}))?)?(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)$/

function parseZonedIso(text: string): Date | undefined {
  const match = ZONED_ISO.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second, fraction, utc, sign, offsetHours, offsetMinutes] = match
  const offset = utc === undefined ? Number(offsetHours) * 60 + Number(offsetMinutes ?? 0) : 0
  if (offset > MAX_OFFSET_MINUTES || Number(offsetMinutes ?? 0) > 59) return undefined
  const clock: WallClock = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? 0),
    // As luxon reads ISO fractions (parseMillis), so both paths give the same millisecond.
    millisecond: fraction === undefined ? 0 : Math.floor(parseFloat(`0.${fraction}`) * 1000),
  }
  return atFixedOffset(clock, sign === '-' ? -offset : offset)
}

/**
 * A wall clock at a fixed offset by plain arithmetic, for clocks that are plainly valid (years
 * 1000–9999, no hour 24 or leap second); undefined for any other, which luxon then decides.
 */
function atFixedOffset(clock: WallClock, offsetMinutes: number): Date | undefined {
  const { year, month, day, hour, minute, second, millisecond } = clock
  if (
    !(year >= 1000 && year <= 9999 && month >= 1 && month <= 12 && day >= 1) ||
    !(hour <= 23 && minute <= 59 && second <= 59 && millisecond <= 999)
  ) {
    return undefined
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond)
  // Date.UTC rolls 31 Feb over into March; luxon calls it invalid, so leave it to luxon.
  if (new Date(utc).getUTCDate() !== day) return undefined
  return new Date(utc - offsetMinutes * 60_000)
}

/** luxon's fromISO, for ISO forms the fast path above does not take; only strings that can be ISO reach it. */
function parseIso(text: string, timezone: string): Date | undefined {
  // Every ISO 8601 form luxon reads starts with a digit, a sign or T; RFC 822 dates mostly do not.
  if (!/^[\d+\-Tt]/.test(text)) return undefined
  const date = luxon().DateTime.fromISO(text, { zone: timezone })
  return date.isValid ? date.toJSDate() : undefined
}

/** 10 digits are Unix seconds, 13 are milliseconds (JSON APIs). */
function parseEpoch(text: string): Date | undefined {
  if (/^\d{10}$/.test(text)) return new Date(Number(text) * 1000)
  if (/^\d{13}$/.test(text)) return new Date(Number(text))
  return undefined
}

function parseRfc822(text: string, timezone: string): Date | undefined {
  const match = RFC_822.exec(text.replace(/\s*\([^)]*\)$/, ''))
  if (match === null) return undefined
  const [, day, monthName, year, hour, minute, second, fraction, zone] = match
  const month = monthOf(monthName)
  if (month === undefined) return undefined
  const shortYear = Number(year)
  const fullYear = year?.length === 2 ? (shortYear < 50 ? 2000 : 1900) + shortYear : shortYear
  return atZone(wallClock(fullYear, month, day, hour, minute, second, fraction), zone ?? '', timezone)
}

function parseYearFirst(text: string, timezone: string): Date | undefined {
  const match = YEAR_FIRST.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second, fraction, zone] = match
  return atZone(wallClock(Number(year), Number(month), day, hour, minute, second, fraction), zone ?? '', timezone)
}

function parseJavaDate(text: string, timezone: string): Date | undefined {
  const match = JAVA_DATE.exec(text)
  if (match === null) return undefined
  const [, monthName, day, hour, minute, second, zone, year] = match
  const month = monthOf(monthName)
  if (month === undefined) return undefined
  return atZone(wallClock(Number(year), month, day, hour, minute, second, undefined), zone ?? '', timezone)
}

function wallClock(
  year: number,
  month: number,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  fraction: string | undefined,
): WallClock {
  return {
    year,
    month,
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    millisecond: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  }
}

function monthOf(name: string | undefined): number | undefined {
  const index = MONTHS.indexOf((name ?? '').slice(0, 3).toLowerCase())
  return index === -1 ? undefined : index + 1
}

function atZone(clock: WallClock, zoneText: string, timezone: string): Date | undefined {
  const zone = zoneOf(zoneText.trim(), clock, timezone)
  if (zone === undefined) return undefined
  if (typeof zone === 'number') {
    const fast = atFixedOffset(clock, zone)
    if (fast !== undefined) return fast
  }
  const { DateTime, FixedOffsetZone } = luxon()
  const date = DateTime.fromObject(clock, { zone: typeof zone === 'number' ? FixedOffsetZone.instance(zone) : zone })
  return date.isValid ? date.toJSDate() : undefined
}

/**
 * The zone a date's zone text names, as a fixed offset in minutes or an IANA name; empty text
 * means the source's `timezone`. `CST` is China Standard Time (+08:00) when the source's zone is
 * at +08:00 on that date (Chinese CMSs print Asia/Shanghai times as CST), else RFC 822's US
 * Central Standard Time (-06:00).
 */
function zoneOf(text: string, clock: WallClock, timezone: string): number | string | undefined {
  if (text === '') return timezone
  const upper = text.toUpperCase()
  if (upper === 'CST') {
    const sourceOffset = luxon().DateTime.fromObject(clock, { zone: timezone }).offset
    return sourceOffset === 480 ? 480 : -360
  }
  const named = NAMED_OFFSETS_MINUTES.get(upper)
  if (named !== undefined) return named
  const numeric = /^(?:GMT|UTC|UT)?\s*([+-])(\d{1,2}):?(\d{2})?$/i.exec(text)
  if (numeric === null) return undefined
  const [, sign, hours, minutes] = numeric
  const offset = Number(hours) * 60 + Number(minutes ?? 0)
  if (offset > MAX_OFFSET_MINUTES) return undefined
  return sign === '-' ? -offset : offset
}
