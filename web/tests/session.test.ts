import { beforeEach, describe, expect, it, vi } from 'vitest'
import { api, configureClient } from '../src/api/client'
import { login, logout, renew, session } from '../src/session'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const tokens = (n: number) => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  tokenType: 'Bearer',
  expiresIn: 900,
  username: 'owner1',
  role: 'owner',
  storeId: 1,
})

describe('the session', () => {
  const fetchMock = vi.fn<(input: string, init?: RequestInit) => Promise<Response>>()
  beforeEach(async () => {
    fetchMock.mockReset()
    configureClient({ baseUrl: '', fetch: fetchMock })
    fetchMock.mockResolvedValueOnce(json(200, tokens(1)))
    await login('owner1', 'demo1234')
    fetchMock.mockReset()
  })

  it('keeps what the login said: token, refresh token, role and store', () => {
    expect(session.current).toMatchObject({ token: 'access-1', refreshToken: 'refresh-1', role: 'owner', storeId: 1 })
    expect(JSON.parse(localStorage.getItem('fd.session')!).token).toBe('access-1')
  })

  it('renews once for many requests at the same time (a refresh token works only once)', async () => {
    fetchMock.mockImplementation(async (url) => (url === '/auth/refresh' ? json(200, tokens(2)) : json(500, {})))
    const results = await Promise.all([renew(), renew(), renew()])
    expect(results).toEqual([true, true, true])
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(JSON.parse(fetchMock.mock.calls[0][1]!.body as string)).toEqual({ refreshToken: 'refresh-1' })
    expect(session.current?.token).toBe('access-2')
    expect(session.current?.refreshToken).toBe('refresh-2')
  })

  it('after a 401 the request goes again with the renewed token', async () => {
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/auth/refresh') return json(200, tokens(3))
      const auth = (init?.headers as Record<string, string>).Authorization
      return auth === 'Bearer access-3' ? json(200, { ok: true }) : json(401, { status: 401, detail: 'token expired' })
    })
    await expect(api.get('/foodCookings')).resolves.toEqual({ ok: true })
    expect(session.current?.token).toBe('access-3')
  })

  it('ends, saying the session expired, when the refresh token is refused too', async () => {
    fetchMock.mockImplementation(async () => json(401, { status: 401, detail: 'refresh token is unknown, used, revoked or expired' }))
    await expect(api.get('/foodCookings')).rejects.toMatchObject({ status: 401 })
    expect(session.current).toBeNull()
    expect(session.expired).toBe(true)
  })

  it('logs out on the platform too (POST /auth/logout with the token)', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }))
    logout()
    expect(session.current).toBeNull()
    expect(session.expired).toBe(false)
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1))
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/auth/logout')
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer access-1')
    expect(localStorage.getItem('fd.session')).toBeNull()
  })
})
