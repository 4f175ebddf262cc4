import { describe, expect, it } from 'vitest'
import { formatZonedDate } from '../../src/publish/format-zoned-date.js'

describe('formatZonedDate', () => {
  it('reads the wall clock and offset of the zone, dropping milliseconds', () => {
    expect(formatZonedDate(new Date('2022-01-11T05:35:18.999Z'), 'Asia/Shanghai')).toEqual({ date: '2022-01-11', time: '13:35:18', offset: '+0800' })
  })

  it('writes midnight as 00 and moves the date to the next day', () => {
    expect(formatZonedDate(new Date('2022-01-10T16:00:00Z'), 'Asia/Shanghai')).toEqual({ date: '2022-01-11', time: '00:00:00', offset: '+0800' })
  })

  it('writes negative and half-hour offsets, daylight saving included', () => {
    expect(formatZonedDate(new Date('2022-07-01T12:00:00Z'), 'America/St_Johns')?.offset).toBe('-0230')
  })

  it('gives nothing for an invalid date', () => {
    expect(formatZonedDate(new Date('not a date'), 'Asia/Shanghai')).toBeUndefined()
  })
})
