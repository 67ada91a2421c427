// The whole app (App.vue with its router) after a reload: nothing of the session is left
// in the page but the refresh cookie, which the browser sends with POST /auth/refresh.
import { describe, expect, it, vi } from 'vitest'
import { appOnPage } from './mount'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const customer = {
  accessToken: 'access-9',
  refreshToken: 'refresh-9',
  tokenType: 'Bearer',
  expiresIn: 900,
  username: 'customer1',
  role: 'customer',
}

describe('the app after a reload', () => {
  const { fetchMock, start } = appOnPage('/orders') // the page the customer was on

  it('stays on the page, logged in, when the refresh cookie still holds the session', async () => {
    fetchMock.mockImplementation(async (url) =>
      url === '/auth/refresh' ? json(200, customer) : json(200, { _embedded: { orderStatuses: [] } }),
    )
    const { el, router } = await start()
    expect(router.currentRoute.value.path).toBe('/orders')
    await vi.waitFor(() => expect(el.querySelector('[data-testid="who"]')?.textContent).toContain('customer1'))
    const calls = fetchMock.mock.calls.map(([url, init]) => [url, (init?.headers as Record<string, string>).Authorization])
    expect(calls[0]).toEqual(['/auth/refresh', undefined])
    expect(calls).toContainEqual(['/orderStatuses', 'Bearer access-9'])
  })

  it('shows the login, and comes back to the page after it, when there is no session to resume', async () => {
    fetchMock.mockResolvedValue(json(401, { status: 401, detail: 'no refresh token: log in' }))
    const { el, router } = await start()
    expect(router.currentRoute.value.path).toBe('/login')
    expect(router.currentRoute.value.query.next).toBe('/orders')
    expect(el.querySelector('[data-testid="demo-customer1"]')).not.toBeNull()
    expect(el.querySelector('[data-testid="who"]')).toBeNull()
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(['/auth/refresh'])
  })
})
