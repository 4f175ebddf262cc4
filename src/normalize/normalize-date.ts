import { DateTime, FixedOffsetZone, type Zone } from 'luxon'

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
    parseIso(trimmed, timezone) ??
    parseRfc822(trimmed, timezone) ??
    parseYearFirst(trimmed, timezone) ??
    parseJavaDate(trimmed, timezone)
  )
}

function parseIso(text: string, timezone: string): Date | undefined {
  const date = DateTime.fromISO(text, { zone: timezone })
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
  const date = DateTime.fromObject(clock, { zone })
  return date.isValid ? date.toJSDate() : undefined
}

/**
 * The zone a date's zone text names; empty text means the source's `timezone`. `CST` is China
 * Standard Time (+08:00) when the source's zone is at +08:00 on that date (Chinese CMSs print
 * Asia/Shanghai times as CST), else RFC 822's US Central Standard Time (-06:00).
 */
function zoneOf(text: string, clock: WallClock, timezone: string): Zone | string | undefined {
  if (text === '') return timezone
  const upper = text.toUpperCase()
  if (upper === 'CST') {
    const sourceOffset = DateTime.fromObject(clock, { zone: timezone }).offset
    return FixedOffsetZone.instance(sourceOffset === 480 ? 480 : -360)
  }
  const named = NAMED_OFFSETS_MINUTES.get(upper)
  if (named !== undefined) return FixedOffsetZone.instance(named)
  const numeric = /^(?:GMT|UTC|UT)?\s*([+-])(\d{1,2}):?(\d{2})?$/i.exec(text)
  if (numeric === null) return undefined
  const [, sign, hours, minutes] = numeric
  const offset = Number(hours) * 60 + Number(minutes ?? 0)
  if (offset > MAX_OFFSET_MINUTES) return undefined
  return FixedOffsetZone.instance(sign === '-' ? -offset : offset)
}
