// The order page on its stream: the status view comes on GET /orderStatuses/{id}/stream (404
// until the view has the order: opened again, not polled), the order is read again at each
// change, and GET /orderStatuses/{id} is never polled while the stream is open.
import { describe, expect, it, vi } from 'vitest'
import { appOnPage } from './mount'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' },
  })
}

const customer = { accessToken: 'access-5', tokenType: 'Bearer', expiresIn: 900, username: 'customer1', role: 'customer' }

function order(status: string) {
  const links = status === 'PAID' ? { cancel: { href: '/orders/5/cancel' } } : {}
  return {
    orderId: 5,
    customerId: 'customer1',
    storeId: 1,
    storeName: '강남치킨',
    items: [{ menuId: 101, name: '후라이드', price: 18000, qty: 1 }],
    totalPrice: 18000,
    address: '서울',
    lat: 37.5,
    lon: 127.03,
    status,
    placedAt: '2026-12-01T00:00:00Z',
    _links: { self: { href: '/orders/5' }, ...links },
  }
}

const STEPS = [
  { status: 'PLACED', eventType: 'OrderPlaced', at: '2026-12-01T00:00:00Z' },
  { status: 'PAID', eventType: 'PaymentApproved', at: '2026-12-01T00:00:01Z', paymentStatus: 'APPROVED' },
  { status: 'ACCEPTED', eventType: 'OrderAccepted', at: '2026-12-01T00:00:02Z' },
]

function view(steps: number) {
  const timeline = STEPS.slice(0, steps)
  const last = timeline[timeline.length - 1]
  return {
    orderId: 5,
    customerId: 'customer1',
    storeId: 1,
    storeName: '강남치킨',
    status: last.status,
    paymentStatus: 'APPROVED',
    riderId: null,
    totalPrice: 18000,
    items: [],
    updatedAt: last.at,
    timeline,
    _links: {},
  }
}

describe('the order page', () => {
  const { fetchMock, start } = appOnPage('/orders/5')

  it('follows the status view on its stream, reads the order at each change, and never polls the view', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
    const send = (id: number, document: unknown) =>
      controller.enqueue(new TextEncoder().encode(`id: ${id}\nevent: orderStatus\ndata: ${JSON.stringify(document)}\n\n`))
    let orderStatus = 'PAID'
    let streamOpenings = 0
    fetchMock.mockImplementation(async (url) => {
      if (url === '/auth/refresh') return json(200, customer)
      if (url === '/orders/5') return json(200, order(orderStatus))
      if (url === '/orderStatuses/5/stream') {
        // The status view has not seen the order yet the first time.
        if (++streamOpenings === 1) return json(404, { status: 404, title: 'Not Found', detail: 'no status for order 5' })
        return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
      }
      return json(404, { status: 404, title: 'Not Found', detail: `no ${url}` })
    })

    const { el } = await start()

    const mode = () => el.querySelector('[data-testid="live-mode"]')?.getAttribute('data-mode')
    const steps = () => [...el.querySelectorAll('li.timeline-step')].map((s) => s.getAttribute('data-event'))
    await vi.waitFor(() => expect(el.querySelector('[data-testid="cancel-order"]')).not.toBeNull())
    expect(el.querySelector('[role="alert"]')).toBeNull() // the view's 404 is "not yet", not an error
    await vi.waitFor(() => expect(streamOpenings).toBe(2), { timeout: 3000 })

    send(1, view(2))
    await vi.waitFor(() => expect(steps()).toEqual(['OrderPlaced', 'PaymentApproved']))
    expect(mode()).toBe('stream')

    orderStatus = 'ACCEPTED'
    send(2, view(3))
    await vi.waitFor(() => expect(steps()).toEqual(['OrderPlaced', 'PaymentApproved', 'OrderAccepted']))
    // The order, read again at the change: its cancel link is gone.
    await vi.waitFor(() => expect(el.querySelector('[data-testid="cancel-order"]')).toBeNull())
    expect(el.querySelector('[data-testid="order-status"]')?.getAttribute('data-status')).toBe('ACCEPTED')

    const urls = fetchMock.mock.calls.map(([url]) => url)
    expect(urls.filter((url) => url === '/orderStatuses/5')).toEqual([])
    expect(urls.filter((url) => url === '/orders/5').length).toBeGreaterThanOrEqual(2)
  })

  it('shows the estimated arrival, and the rider on the map moving as the stream brings new positions', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
    const send = (id: number, document: unknown) =>
      controller.enqueue(new TextEncoder().encode(`id: ${id}\nevent: orderStatus\ndata: ${JSON.stringify(document)}\n\n`))
    fetchMock.mockImplementation(async (url) => {
      if (url === '/auth/refresh') return json(200, customer)
      if (url === '/orders/5') return json(200, { ...order('RIDER_ASSIGNED'), riderId: 'rider1' })
      if (url === '/orderStatuses/5/stream') return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
      return json(404, { status: 404, title: 'Not Found', detail: `no ${url}` })
    })

    const { el } = await start('en')

    const delivering = (lat: number, lon: number) => ({
      ...view(3),
      status: 'RIDER_ASSIGNED',
      riderId: 'rider1',
      estimatedArrival: '2026-12-01T00:40:00.000Z',
      riderPosition: { lat, lon, reportedAt: '2026-12-01T00:30:00.000Z' },
    })
    const rider = () => el.querySelector<SVGCircleElement>('.map-rider circle')
    send(1, { ...view(3), estimatedArrival: null, riderPosition: null })
    await vi.waitFor(() => expect(el.querySelector('li.timeline-step')).not.toBeNull())
    expect(el.querySelector('[data-testid="eta"]')).toBeNull() // none before the store accepts
    expect(rider()).toBeNull()

    send(2, delivering(37.5, 127.0))
    await vi.waitFor(() => expect(rider()).not.toBeNull())
    expect(el.querySelector('[data-testid="eta"]')?.textContent).toMatch(/\d\d:\d\d/)
    expect(el.querySelector('.map-destination')).not.toBeNull()
    const first = { x: rider()!.getAttribute('cx'), y: rider()!.getAttribute('cy') }

    send(3, delivering(37.52, 127.05))
    await vi.waitFor(() => expect(rider()!.getAttribute('cx')).not.toBe(first.x))
    expect(rider()!.getAttribute('cy')).not.toBe(first.y)
    expect(el.querySelector('[data-testid="rider-at"]')?.textContent).toContain('37.52')
  })
})
