// The owner's store page: the menu's commands come from each item's _links, a draft the
// service would refuse is said on the page and never sent, and the terms go as one PUT.
import { describe, expect, it, vi } from 'vitest'
import { appOnPage, settle } from './mount'

function json(status: number, body: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' },
  })
}

const owner = { accessToken: 'access-7', tokenType: 'Bearer', expiresIn: 900, username: 'owner7', role: 'owner', storeId: 7 }
const item = (soldOut: boolean) => ({
  menuId: 701,
  name: '후라이드',
  price: 18000,
  description: '',
  category: '치킨',
  soldOut,
  _links: { self: { href: '/stores/7/menu/701' }, soldOut: { href: '/stores/7/menu/701/soldOut' } },
})
const store = (open: boolean) => ({
  storeId: 7,
  name: '새 치킨집',
  category: '치킨',
  address: '서울',
  lat: 37.5,
  lon: 127.03,
  rating: null,
  reviewCount: 0,
  openNow: open,
  opensAt: null,
  open,
  openingHours: [],
  minimumOrder: 0,
  deliveryFees: [],
  menu: [item(false)],
  _links: { self: { href: '/stores/7' } },
})

describe('the owner’s store page', () => {
  const { fetchMock, start } = appOnPage('/owner/store')

  it('marks an item sold out by its link, refuses a bad draft on the page, and saves the terms', async () => {
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/auth/refresh') return json(200, owner)
      if (url === '/stores/7' && (!init?.method || init.method === 'GET')) return json(200, store(false))
      if (url === '/stores/7/menu/701/soldOut' && init?.method === 'PUT') return json(200, item(JSON.parse(String(init.body)).soldOut))
      if (url === '/stores/7/settings' && init?.method === 'PUT') return json(200, { ...store(true), ...JSON.parse(String(init.body)) })
      return json(404, { status: 404, title: 'Not Found', detail: `no ${init?.method ?? 'GET'} ${url}` })
    })
    const { el } = await start('en')

    const $ = (id: string) => el.querySelector<HTMLElement>(`[data-testid="${id}"]`)
    await vi.waitFor(() => expect($('menu-item-701')).not.toBeNull())
    $('sold-out-701')!.click()
    await vi.waitFor(() => expect($('sold-out')?.textContent).toContain('Sold out'))
    expect($('sold-out-701')!.textContent).toContain('Back on sale')

    // A price of 0 won is said on the page, and nothing is sent.
    const name = $('new-name') as HTMLInputElement
    name.value = '양념'
    name.dispatchEvent(new Event('input'))
    const price = $('new-price') as HTMLInputElement
    price.value = '0'
    price.dispatchEvent(new Event('input'))
    ;($('add-menu') as HTMLFormElement).dispatchEvent(new Event('submit'))
    await settle()
    expect(el.querySelector('.field-error')?.textContent).toContain('whole number of won')
    expect(fetchMock.mock.calls.some(([url, init]) => url === '/stores/7/menu' && init?.method === 'POST')).toBe(false)

    ;($('open-toggle') as HTMLInputElement).click()
    $('add-band')!.click()
    await settle()
    ;($('settings') as HTMLFormElement).dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect($('settings-saved')).not.toBeNull())
    const sent = fetchMock.mock.calls.find(([url, init]) => url === '/stores/7/settings' && init?.method === 'PUT')!
    expect(JSON.parse(String(sent[1]!.body))).toEqual({
      open: true,
      openingHours: [],
      minimumOrder: 0,
      deliveryFees: [{ upToMeters: 1500, fee: 0 }],
    })
    expect($('open-state')?.textContent).toContain('Open now')
  })
})
