import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, configureClient, embedded, linkOf } from '../src/api/client'
import ProblemMessage from '../src/components/ProblemMessage.vue'
import { setLocale } from '../src/i18n'
import { mount, settle } from './mount'

function answer(status: number, body: string, type = 'application/json', headers: Record<string, string> = {}) {
  return new Response(body, { status, headers: { 'Content-Type': type, ...headers } })
}

describe('the API client', () => {
  const fetchMock = vi.fn<(input: string, init?: RequestInit) => Promise<Response>>()
  const onUnauthorized = vi.fn()
  let token: string | null = 'T0KEN'

  const refresh = vi.fn(async () => false)

  beforeEach(() => {
    fetchMock.mockReset()
    onUnauthorized.mockReset()
    refresh.mockReset()
    refresh.mockResolvedValue(false)
    token = 'T0KEN'
    configureClient({ baseUrl: '', fetch: fetchMock, token: () => token, onUnauthorized, refresh, prepare: async () => {} })
  })
  afterEach(() => configureClient({ fetch: (input, init) => globalThis.fetch(input, init) }))

  it('sends JSON with the bearer token and returns the parsed answer', async () => {
    fetchMock.mockResolvedValueOnce(answer(201, '{"orderId":5,"status":"PLACED"}'))
    const order = await api.post<{ orderId: number }>('/orders', { storeId: 1 })
    expect(order.orderId).toBe(5)
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/orders')
    expect(init?.method).toBe('POST')
    expect(init?.body).toBe('{"storeId":1}')
    const headers = init?.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer T0KEN')
    expect(headers['Content-Type']).toBe('application/json')
  })

  it('turns a problem+json answer into an ApiError carrying the service’s detail', async () => {
    fetchMock.mockResolvedValueOnce(
      answer(
        409,
        '{"type":"about:blank","title":"Conflict","status":409,"detail":"order 3 is COOKING in the kitchen, not REQUESTED"}',
        'application/problem+json',
      ),
    )
    const error = await api.put('/foodCookings/3/accept').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const e = error as ApiError
    expect(e.status).toBe(409)
    expect(e.title).toBe('Conflict')
    expect(e.detail).toBe('order 3 is COOKING in the kitchen, not REQUESTED')
    expect(e.message).toBe(e.detail)
    expect(e.problem?.type).toBe('about:blank')
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('keeps Retry-After of a 503 so that polling waits long enough', async () => {
    fetchMock.mockResolvedValueOnce(
      answer(503, '{"title":"Service Unavailable","status":503,"detail":"the store could not be asked"}', 'application/problem+json', {
        'Retry-After': '2',
      }),
    )
    const e = (await api.put('/orders/1/cancel').catch((x: unknown) => x)) as ApiError
    expect(e.status).toBe(503)
    expect(e.retryAfter).toBe(2)
  })

  it('says something readable when the answer is not JSON (an HTML error page)', async () => {
    fetchMock.mockResolvedValueOnce(answer(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html'))
    const e = (await api.get('/stores').catch((x: unknown) => x)) as ApiError
    expect(e.status).toBe(502)
    expect(e.detail).toBe('502 Bad Gateway')
  })

  it('says which call failed when the error has no body at all', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 500, statusText: 'Internal Server Error' }))
    const e = (await api.get('/stores/1').catch((x: unknown) => x)) as ApiError
    expect(e.detail).toBe('GET /stores/1 answered 500 Internal Server Error')
  })

  it('reports an unreachable gateway as status 0 with the reason', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const e = (await api.get('/stores').catch((x: unknown) => x)) as ApiError
    expect(e.status).toBe(0)
    expect(e.detail).toContain('the gateway could not be reached (GET /stores): Failed to fetch')
  })

  it('ends the session on a 401 that renewing cannot cure, not on a failed login', async () => {
    fetchMock.mockResolvedValueOnce(answer(401, '{"status":401,"detail":"token expired"}', 'application/problem+json'))
    await api.get('/orderStatuses').catch(() => {})
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)

    fetchMock.mockResolvedValueOnce(answer(401, '{"status":401,"detail":"username or password is wrong"}', 'application/problem+json'))
    const e = (await api.post('/auth/login', { username: 'x', password: 'y' }, { anonymous: true }).catch((x: unknown) => x)) as ApiError
    expect(e.detail).toBe('username or password is wrong')
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    const headers = fetchMock.mock.calls[1][1]?.headers as Record<string, string>
    expect(headers.Authorization).toBeUndefined()
  })

  it('renews an expired token once after a 401 and sends the request again', async () => {
    refresh.mockImplementation(async () => {
      token = 'NEW'
      return true
    })
    fetchMock
      .mockResolvedValueOnce(answer(401, '{"status":401,"detail":"token expired"}', 'application/problem+json'))
      .mockResolvedValueOnce(answer(200, '{"status":"PAID"}'))
    const view = await api.get<{ status: string }>('/orderStatuses/1')
    expect(view.status).toBe('PAID')
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect((fetchMock.mock.calls[1][1]?.headers as Record<string, string>).Authorization).toBe('Bearer NEW')
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('sends an explicit token as it is, without renewing (logout)', async () => {
    fetchMock.mockResolvedValueOnce(answer(401, '{"status":401,"detail":"token revoked"}', 'application/problem+json'))
    await api.post('/auth/logout', undefined, { token: 'GONE' }).catch(() => {})
    expect((fetchMock.mock.calls[0][1]?.headers as Record<string, string>).Authorization).toBe('Bearer GONE')
    expect(refresh).not.toHaveBeenCalled()
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('reads HAL collections and command links', () => {
    const list = { _embedded: { foodCookings: [{ orderId: 1, _links: { accept: { href: '/foodCookings/1/accept' } } }] } }
    expect(embedded(list, 'foodCookings')).toHaveLength(1)
    expect(embedded({}, 'foodCookings')).toEqual([])
    expect(linkOf(list._embedded.foodCookings[0], 'accept')).toBe('/foodCookings/1/accept')
    expect(linkOf(list._embedded.foodCookings[0], 'start')).toBeUndefined()
  })
})

describe('the problem message', () => {
  it('shows the kind of failure in the user’s language and the service’s detail', async () => {
    setLocale('ko')
    const error = new ApiError(409, 'Conflict', 'order 2 is COOKING and can no longer be canceled')
    const view = mount(ProblemMessage, { error })
    await settle()
    expect(view.el.querySelector('[role="alert"]')).not.toBeNull()
    expect(view.text()).toContain('지금 상태에서는 할 수 없습니다.')
    expect(view.text()).toContain('order 2 is COOKING and can no longer be canceled')
    expect(view.text()).toContain('409')
    view.unmount()
  })

  it('shows nothing without an error', async () => {
    const view = mount(ProblemMessage, { error: null })
    await settle()
    expect(view.el.querySelector('[role="alert"]')).toBeNull()
    view.unmount()
  })
})
