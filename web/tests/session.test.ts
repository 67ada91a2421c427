import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// A fresh copy of the session and the API client for each test: the session lives in
// module memory (a reload is a new copy), so nothing carries over from the test before.
type SessionModule = typeof import('../src/session')
type ClientModule = typeof import('../src/api/client')

type FetchMock = ReturnType<typeof vi.fn<(input: string, init?: RequestInit) => Promise<Response>>>

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const refused = () => json(401, { status: 401, detail: 'refresh token is unknown, used, revoked or expired; log in again' })

const tokens = (n: number, expiresIn = 900) => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  tokenType: 'Bearer',
  expiresIn,
  username: 'owner1',
  role: 'owner',
  storeId: 1,
})

const headersOf = (init?: RequestInit) => (init?.headers ?? {}) as Record<string, string>

/** Every value the page's storage holds, keys included. */
function storedText(): string {
  const all: string[] = []
  for (const storage of [localStorage, sessionStorage])
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i)!
      all.push(key, storage.getItem(key) ?? '')
    }
  return all.join('\n')
}

async function freshApp(fetchMock: FetchMock): Promise<{ s: SessionModule; client: ClientModule }> {
  vi.resetModules()
  const client = await import('../src/api/client')
  const s = await import('../src/session')
  client.configureClient({ baseUrl: '', fetch: fetchMock })
  return { s, client }
}

describe('the session', () => {
  const fetchMock: FetchMock = vi.fn()
  let s: SessionModule
  let api: ClientModule['api']

  beforeEach(async () => {
    fetchMock.mockReset()
    localStorage.clear()
    sessionStorage.clear()
    ;({ s, client: { api } } = await freshApp(fetchMock))
    fetchMock.mockResolvedValueOnce(json(200, tokens(1)))
    await s.login('owner1', 'demo1234')
    fetchMock.mockReset()
  })
  afterEach(() => vi.useRealTimers())

  it('keeps the access token and what the login said in memory, and no token in the storage', async () => {
    expect(s.session.current).toMatchObject({ token: 'access-1', username: 'owner1', role: 'owner', storeId: 1 })
    expect(s.session.current).not.toHaveProperty('refreshToken')
    const text = storedText()
    expect(text).not.toContain('access-1')
    expect(text).not.toContain('refresh-1')
  })

  it('logs in with the cookie allowed in both directions (the refresh cookie is set by the answer)', async () => {
    fetchMock.mockResolvedValueOnce(json(200, tokens(2)))
    await s.login('owner1', 'demo1234')
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/auth/login')
    expect(init?.credentials).toBe('include')
    expect(headersOf(init).Authorization).toBeUndefined()
  })

  it('renews with the cookie only: no refresh token in the body, once for many requests at the same time', async () => {
    fetchMock.mockImplementation(async (url) => (url === '/auth/refresh' ? json(200, tokens(2)) : json(500, {})))
    const results = await Promise.all([s.renew(), s.renew(), s.renew()])
    expect(results).toEqual([true, true, true])
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [, init] = fetchMock.mock.calls[0]
    expect(init?.credentials).toBe('include')
    expect(JSON.parse(init!.body as string)).toEqual({})
    expect(headersOf(init).Authorization).toBeUndefined()
    expect(s.session.current?.token).toBe('access-2')
    expect(storedText()).not.toContain('refresh-2')
  })

  it('after a 401 the request goes again with the renewed token', async () => {
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/auth/refresh') return json(200, tokens(3))
      return headersOf(init).Authorization === 'Bearer access-3'
        ? json(200, { ok: true })
        : json(401, { status: 401, detail: 'token expired' })
    })
    await expect(api.get('/foodCookings')).resolves.toEqual({ ok: true })
    expect(s.session.current?.token).toBe('access-3')
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(['/foodCookings', '/auth/refresh', '/foodCookings'])
  })

  it('ends, saying the session expired, when the cookie is refused too', async () => {
    fetchMock.mockImplementation(async (url) =>
      url === '/auth/refresh' ? refused() : json(401, { status: 401, detail: 'token revoked' }),
    )
    await expect(api.get('/foodCookings')).rejects.toMatchObject({ status: 401 })
    expect(s.session.current).toBeNull()
    expect(s.session.expired).toBe(true)
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(['/foodCookings', '/auth/refresh'])
  })

  it('renews a token about to run out before the request, and does not ask again once refused', async () => {
    vi.useFakeTimers({ now: Date.now() + 850_000, toFake: ['Date'] }) // 50 s left of 900
    fetchMock.mockImplementation(async (url) => (url === '/auth/refresh' ? refused() : json(200, { ok: true })))
    await api.get('/foodCookings')
    await api.get('/foodCookings')
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(['/auth/refresh', '/foodCookings', '/foodCookings'])
    expect(s.session.current?.token).toBe('access-1') // still good for 50 s
  })

  it('logs out on the platform (POST /auth/logout with the token), which clears the cookie', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }))
    s.logout()
    expect(s.session.current).toBeNull()
    expect(s.session.expired).toBe(false)
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1))
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/auth/logout')
    expect(headersOf(init).Authorization).toBe('Bearer access-1')
    expect(init?.credentials).toBe('include')
  })

  it('logs out with a fresh token when the access token ran out, so a reload cannot bring the login back', async () => {
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/auth/refresh') return json(200, tokens(4))
      return headersOf(init).Authorization === 'Bearer access-4'
        ? new Response(null, { status: 204 })
        : json(401, { status: 401, detail: 'token expired' })
    })
    s.logout()
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(3))
    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(['/auth/logout', '/auth/refresh', '/auth/logout'])
    expect(headersOf(fetchMock.mock.calls[2][1]).Authorization).toBe('Bearer access-4')
    expect(s.session.current).toBeNull() // the renewal for the logout is no session
  })

  it('a login waits for the logout before it, whose renewal must not take the new login’s cookie', async () => {
    const order: string[] = []
    let finishLogout: () => void = () => {}
    fetchMock.mockImplementation(async (url) => {
      order.push(url)
      if (url === '/auth/logout') {
        await new Promise<void>((resolve) => (finishLogout = resolve))
        return new Response(null, { status: 204 })
      }
      return json(200, { ...tokens(5), username: 'rider1', role: 'rider', storeId: undefined })
    })
    s.logout()
    const next = s.login('rider1', 'demo1234')
    await vi.waitFor(() => expect(order).toEqual(['/auth/logout']))
    finishLogout()
    await expect(next).resolves.toMatchObject({ username: 'rider1', role: 'rider', storeId: null })
    expect(order).toEqual(['/auth/logout', '/auth/login'])
  })
})

describe('a reload', () => {
  const fetchMock: FetchMock = vi.fn()
  beforeEach(() => {
    fetchMock.mockReset()
    localStorage.clear()
    sessionStorage.clear()
  })

  it('keeps the session: the app starts with POST /auth/refresh, and the cookie answers', async () => {
    const { s } = await freshApp(fetchMock)
    expect(s.session.current).toBeNull()
    fetchMock.mockResolvedValueOnce(json(200, tokens(7)))
    await Promise.all([s.resume(), s.resume()])
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/auth/refresh')
    expect(init?.method).toBe('POST')
    expect(init?.credentials).toBe('include')
    expect(headersOf(init).Authorization).toBeUndefined()
    expect(s.session.current).toMatchObject({ token: 'access-7', username: 'owner1', role: 'owner', storeId: 1 })
    expect(storedText()).not.toMatch(/access-7|refresh-7/)
  })

  it('without a cookie (or with a refused one) it has no session and shows the login, not “expired”', async () => {
    const { s } = await freshApp(fetchMock)
    fetchMock.mockResolvedValueOnce(refused())
    await s.resume()
    expect(s.session.current).toBeNull()
    expect(s.session.expired).toBe(false)
  })

  it('forgets the tokens an older version kept in localStorage', async () => {
    localStorage.setItem('fd.session', JSON.stringify({ token: 'old-access', refreshToken: 'old-refresh' }))
    localStorage.setItem('fd.locale', 'en')
    await freshApp(fetchMock)
    expect(localStorage.getItem('fd.session')).toBeNull()
    expect(storedText()).not.toMatch(/old-access|old-refresh/)
  })
})
