// The owner's and the operator's forms: what a draft becomes on the wire, and why it cannot be sent.
import { describe, expect, it } from 'vitest'
import {
  addBand,
  addHours,
  checkBands,
  checkHours,
  everyDay,
  menuRequest,
  newAccountRequest,
  newStoreRequest,
  removeAt,
  settingsRequest,
} from '../src/forms'

const keys = (result: { ok: boolean; problems?: { key: string }[] }) => (result.ok ? [] : result.problems!.map((p) => p.key))

describe('the menu form', () => {
  it('sends a new item with every field trimmed and the price as a number', () => {
    const result = menuRequest({ name: ' 허니콤보 ', price: '23000', description: ' 달콤 ', category: '치킨' })
    expect(result).toEqual({ ok: true, value: { name: '허니콤보', price: 23000, description: '달콤', category: '치킨' } })
  })

  it('refuses a missing name, a price that is not a whole number of won, and a name past 100 bytes', () => {
    expect(keys(menuRequest({ name: ' ', price: '0', description: '', category: '' }))).toEqual(['form.required', 'form.price'])
    expect(keys(menuRequest({ name: 'a', price: '12.5', description: '', category: '' }))).toEqual(['form.price'])
    expect(keys(menuRequest({ name: 'a', price: '10000001', description: '', category: '' }))).toEqual(['form.price'])
    // 34 Korean letters are 102 bytes: the service counts bytes
    expect(keys(menuRequest({ name: '가'.repeat(34), price: 1, description: '', category: '' }))).toEqual(['form.tooLong'])
    expect(keys(menuRequest({ name: '가'.repeat(33), price: 1, description: '', category: '' }))).toEqual([])
  })

  it('an edit sends only the fields it changes, and nothing changed is not sent', () => {
    const item = { name: '후라이드', price: 18000, description: '', category: '치킨' }
    expect(menuRequest({ ...item, price: '19000' }, item)).toEqual({ ok: true, value: { price: 19000 } })
    expect(menuRequest({ ...item, description: '바삭' }, item)).toEqual({ ok: true, value: { description: '바삭' } })
    expect(keys(menuRequest({ ...item, price: '18000' }, item))).toEqual(['form.unchanged'])
  })
})

describe('the hours and the fee bands', () => {
  it('adds the next day at the last one’s times, or the whole week at the first one’s', () => {
    const one = addHours([])
    expect(one).toEqual([{ day: 'MON', opens: '11:00', closes: '22:00' }])
    const two = addHours([{ day: 'SUN', opens: '17:00', closes: '02:00' }])
    expect(two[1]).toEqual({ day: 'MON', opens: '17:00', closes: '02:00' })
    const week = everyDay([{ day: 'WED', opens: '10:30', closes: '21:00' }])
    expect(week.map((h) => h.day)).toEqual(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'])
    expect(week.every((h) => h.opens === '10:30' && h.closes === '21:00')).toBe(true)
    expect(removeAt(week, 0)[0].day).toBe('TUE')
  })

  it('refuses a time that is not HH:MM and more than 21 openings', () => {
    expect(checkHours([{ day: 'MON', opens: '24:00', closes: '22:00' }]).map((p) => p.key)).toEqual(['form.hours'])
    expect(checkHours([{ day: 'MON', opens: '', closes: '22:00' }])).toHaveLength(1)
    const many = Array.from({ length: 22 }, () => ({ day: 'MON' as const, opens: '11:00', closes: '12:00' }))
    expect(checkHours(many).map((p) => p.key)).toEqual(['form.tooMany'])
  })

  it('adds each band farther and dearer than the last, and refuses bands out of order', () => {
    const bands = addBand(addBand([]))
    expect(bands).toEqual([
      { upToMeters: 1500, fee: 0 },
      { upToMeters: 3000, fee: 1000 },
    ])
    expect(checkBands(bands)).toEqual([])
    expect(checkBands([{ upToMeters: 3000, fee: 0 }, { upToMeters: 3000, fee: 1000 }]).map((p) => p.key)).toEqual(['form.bandOrder'])
    expect(checkBands([{ upToMeters: 0, fee: -1 }]).map((p) => p.key)).toEqual(['form.bandMeters', 'form.bandFee'])
  })

  it('sends the whole terms, numbers as numbers; a bad minimum order is refused', () => {
    const result = settingsRequest({
      open: true,
      openingHours: [{ day: 'FRI', opens: '17:00', closes: '02:00' }],
      minimumOrder: '12000',
      deliveryFees: [{ upToMeters: '1500' as unknown as number, fee: 0 }],
    })
    expect(result).toEqual({
      ok: true,
      value: {
        open: true,
        openingHours: [{ day: 'FRI', opens: '17:00', closes: '02:00' }],
        minimumOrder: 12000,
        deliveryFees: [{ upToMeters: 1500, fee: 0 }],
      },
    })
    expect(keys(settingsRequest({ open: false, openingHours: [], minimumOrder: '-1', deliveryFees: [] }))).toEqual(['form.minimum'])
  })
})

describe('the operator’s forms', () => {
  it('a store needs a name, a category, an address and coordinates on the earth', () => {
    expect(newStoreRequest({ name: '교촌치킨 역삼점', category: '치킨', address: '서울', lat: '37.5', lon: '127.03' })).toEqual({
      ok: true,
      value: { name: '교촌치킨 역삼점', category: '치킨', address: '서울', lat: 37.5, lon: 127.03 },
    })
    expect(keys(newStoreRequest({ name: '', category: ' ', address: 'x', lat: '', lon: '181' }))).toEqual([
      'form.required',
      'form.required',
      'form.lat',
      'form.lon',
    ])
  })

  it('an owner’s account names its store; a rider’s never does', () => {
    const owner = newAccountRequest({ role: 'owner', username: 'owner_new', password: 'correct horse battery', displayName: '', storeId: '5' })
    expect(owner).toEqual({ ok: true, value: { role: 'owner', username: 'owner_new', password: 'correct horse battery', storeId: 5 } })
    const rider = newAccountRequest({ role: 'rider', username: 'rider_new', password: 'correct horse battery', displayName: '라이더', storeId: '5' })
    expect(rider).toEqual({ ok: true, value: { role: 'rider', username: 'rider_new', password: 'correct horse battery', displayName: '라이더' } })
    expect(keys(newAccountRequest({ role: 'owner', username: 'No', password: 'short', displayName: '', storeId: '' }))).toEqual([
      'form.username',
      'form.password',
      'form.storeId',
    ])
  })
})
