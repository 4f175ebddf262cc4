/** A moment as a wall clock in one time zone reads it. */
export interface ZonedDate {
  /** `2022-01-11` */
  date: string
  /** `13:35:18` */
  time: string
  /** Offset from UTC in the form Jekyll and RFC 2822 use: `+0800`. */
  offset: string
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Wall-clock date, time and UTC offset of `moment` in the IANA zone `timeZone`; undefined for an invalid date. */
export function formatZonedDate(moment: Date, timeZone: string): ZonedDate | undefined {
  const ms = moment.getTime()
  if (Number.isNaN(ms)) return undefined
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(moment).map((part) => [part.type, part.value]))
  const { year = '', month = '', day = '', minute = '', second = '' } = parts
  // Older ICU builds may write midnight as "24" even with hourCycle h23.
  const hour = parts.hour === '24' ? '00' : (parts.hour ?? '')
  const wallMs = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second))
  const offsetMinutes = Math.round((wallMs - Math.floor(ms / 1000) * 1000) / 60_000)
  return { date: `${year}-${month}-${day}`, time: `${hour}:${minute}:${second}`, offset: formatOffset(offsetMinutes) }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

function formatOffset(totalMinutes: number): string {
  const sign = totalMinutes < 0 ? '-' : '+'
  const minutes = Math.abs(totalMinutes)
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`
}
