import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, configureClient } from '../src/api/client'
import { newIdempotencyKey, ORDER_ATTEMPTS, orderPlacer, type PlaceOrderBody } from '../src/ordering'

function answer(status: number, body: string, type = 'application/json') {
  return new Response(body, { status, headers: { 'Content-Type': type } })
}
const placed = () => answer(201, '{"orderId":7,"status":"PLACED"}')
const gatewayDown = () => answer(502, '{"title":"Bad Gateway","detail":"order is down"}', 'application/problem+json')

const cartOf = (qty: number): PlaceOrderBody => ({
  storeId: 1,
  items: [{ menuId: 101, qty }],
  address: '서울 강남구 테헤란로 152',
  lat: 37.5006,
  lon: 127.0364,
})

describe('placing an order with an Idempotency-Key', () => {
  const fetchMock = vi.fn<(input: string, init?: RequestInit) => Promise<Response>>()
  let keys = 0
  const placeOrder = () => orderPlacer(() => `key-${++keys}`)
  const sentKeys = () =>
    fetchMock.mock.calls.map(([, init]) => (init?.headers as Record<string, string>)['Idempotency-Key'])

  beforeEach(() => {
    vi.useFakeTimers()
    fetchMock.mockReset()
    keys = 0
    configureClient({ baseUrl: '', fetch: fetchMock, token: () => 'T0KEN', prepare: async () => {} })
  })
  afterEach(() => {
    vi.useRealTimers()
    configureClient({ fetch: (input, init) => globalThis.fetch(input, init) })
  })

  it('sends the order with a key of its own, and the next order with a new one', async () => {
    fetchMock.mockResolvedValueOnce(placed()).mockResolvedValueOnce(placed())
    const place = placeOrder()
    expect((await place(cartOf(1))).orderId).toBe(7)
    await place(cartOf(1))
    expect(sentKeys()).toEqual(['key-1', 'key-2'])
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/orders')
    expect(init?.method).toBe('POST')
  })

  it('sends the same order again with the same key after a network error or a 502, 503, 504', async () => {
    fetchMock
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(gatewayDown())
      .mockResolvedValueOnce(placed())
    const pending = placeOrder()(cartOf(2))
    await vi.runAllTimersAsync()
    expect((await pending).orderId).toBe(7)
    expect(sentKeys()).toEqual(['key-1', 'key-1', 'key-1'])
    expect(fetchMock.mock.calls.map(([, init]) => init?.body)).toEqual(Array(3).fill(JSON.stringify(cartOf(2))))
  })

  it('keeps the key of an order still unanswered for the customer’s next tap, not for another cart', async () => {
    fetchMock.mockImplementation(async () => gatewayDown())
    const place = placeOrder()
    const first = place(cartOf(1)).catch((e: unknown) => e)
    await vi.runAllTimersAsync()
    expect(await first).toBeInstanceOf(ApiError)
    expect(fetchMock).toHaveBeenCalledTimes(ORDER_ATTEMPTS)

    fetchMock.mockReset()
    fetchMock.mockResolvedValueOnce(placed()).mockResolvedValueOnce(placed())
    await place(cartOf(1)) // tapped again: the same order
    await place(cartOf(3)) // another cart: a new order
    expect(sentKeys()).toEqual(['key-1', 'key-2'])
  })

  it('does not retry an answer that decides the order, and starts anew after it', async () => {
    fetchMock
      .mockResolvedValueOnce(answer(400, '{"title":"Bad Request","detail":"qty"}', 'application/problem+json'))
      .mockResolvedValueOnce(placed())
    const place = placeOrder()
    const refused = await place(cartOf(1)).catch((e: unknown) => e)
    expect((refused as ApiError).status).toBe(400)
    await place(cartOf(1))
    expect(sentKeys()).toEqual(['key-1', 'key-2'])
  })
})

describe('an Idempotency-Key', () => {
  it('is a fresh random UUID each time', () => {
    const a = newIdempotencyKey()
    expect(a).toMatch(/^[0-9a-f-]{32,36}$/)
    expect(newIdempotencyKey()).not.toBe(a)
  })
})
