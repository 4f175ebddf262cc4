import { describe, expect, it } from 'vitest'
import { normalizeDate, type NormalizeDateOptions } from '../../src/normalize/normalize-date.js'

function options(overrides: Partial<NormalizeDateOptions> = {}): NormalizeDateOptions {
  return {
    timezone: 'Asia/Shanghai',
    now: new Date('2022-01-12T00:00:00.000Z'),
    futureToleranceMs: 24 * 60 * 60 * 1000,
    ...overrides,
  }
}

describe('normalizeDate', () => {
  it('reads RFC 2822 with a numeric offset', () => {
    expect(normalizeDate('Tue, 11 Jan 2022 13:35:18 +0800', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads RFC 2822 in GMT', () => {
    expect(normalizeDate('Tue, 11 Jan 2022 05:35:18 GMT', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads RFC 822 US zone names', () => {
    expect(normalizeDate('Mon, 10 Jan 2022 12:00:00 EST', options())).toBe('2022-01-10T17:00:00.000Z')
  })

  it('reads RFC 2822 variants: no weekday, two-digit year, no seconds', () => {
    expect(normalizeDate('11 Jan 22 13:35 +0800', options())).toBe('2022-01-11T05:35:00.000Z')
  })

  it('reads CST as China Standard Time when the source zone is Asia/Shanghai', () => {
    expect(normalizeDate('Tue, 11 Jan 2022 13:35:18 CST', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads CST as US Central Standard Time for any other source zone', () => {
    expect(normalizeDate('Tue, 11 Jan 2022 13:35:18 CST', options({ timezone: 'America/Chicago' }))).toBe(
      '2022-01-11T19:35:18.000Z',
    )
  })

  it("reads Java's Date.toString() form", () => {
    expect(normalizeDate('Tue Jan 11 13:35:18 CST 2022', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads ISO 8601 with an offset', () => {
    expect(normalizeDate('2022-01-11T13:35:18+08:00', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads ISO 8601 without an offset in the source zone', () => {
    expect(normalizeDate('2022-01-11T13:35:18', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads an SQL-like date without an offset in Asia/Shanghai', () => {
    expect(normalizeDate('2022-01-11 13:35:18', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('reads the same wall-clock time in another zone when the source says so', () => {
    expect(normalizeDate('2022-01-11 13:35:18', options({ timezone: 'UTC' }))).toBe('2022-01-11T13:35:18.000Z')
  })

  it('reads an SQL-like date with an offset', () => {
    expect(normalizeDate('2022-01-11 13:35:18 +0000', options())).toBe('2022-01-11T13:35:18.000Z')
  })

  it('reads slashes without seconds', () => {
    expect(normalizeDate('2022/01/11 13:35', options())).toBe('2022-01-11T05:35:00.000Z')
  })

  it('reads Chinese date notation', () => {
    expect(normalizeDate('2022年01月11日 13:35', options())).toBe('2022-01-11T05:35:00.000Z')
    expect(normalizeDate('2022年1月11日 13时35分', options())).toBe('2022-01-11T05:35:00.000Z')
  })

  it('reads Unix seconds and milliseconds', () => {
    expect(normalizeDate('1641879318', options())).toBe('2022-01-11T05:35:18.000Z')
    expect(normalizeDate('1641879318000', options())).toBe('2022-01-11T05:35:18.000Z')
  })

  it('omits an unparseable date', () => {
    expect(normalizeDate('昨天 下午', options())).toBeUndefined()
  })

  it('omits an impossible date', () => {
    expect(normalizeDate('2022-13-45 25:61:00', options())).toBeUndefined()
  })

  it('omits an unknown zone name rather than guessing', () => {
    expect(normalizeDate('Tue, 11 Jan 2022 13:35:18 XYZ', options())).toBeUndefined()
  })

  it('omits a date further in the future than the tolerance', () => {
    expect(normalizeDate('Tue, 11 Jan 2099 13:35:18 +0800', options())).toBeUndefined()
  })

  it('keeps a date in the future within the tolerance', () => {
    expect(normalizeDate('2022-01-12T06:00:00Z', options())).toBe('2022-01-12T06:00:00.000Z')
  })

  it('omits a missing or blank date', () => {
    expect(normalizeDate(undefined, options())).toBeUndefined()
    expect(normalizeDate('  ', options())).toBeUndefined()
  })
})
