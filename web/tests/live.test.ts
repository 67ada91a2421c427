import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { ApiError, configureClient } from '../src/api/client'
import { EventStreamParser, follow, useLive } from '../src/live'

describe('the text/event-stream parser', () => {
  it('reads events cut anywhere into chunks, line ends of every kind, comments and many data lines', () => {
    const text =
      ': heartbeat\n' +
      'id: 1\nevent: orderStatus\ndata: {"status":"PAID"}\n\n' +
      'id: 2\r\nevent: orderStatus\r\ndata: line one\r\ndata:line two\r\n\r\n' +
      'event: note\rdata\r\r' + // a field without a colon: empty data
      'id: 3\n\n' + // no data: nothing dispatched, but the id is kept
      'data: plain\n\n'
    const whole = new EventStreamParser().feed(text)
    // The same text one character at a time: a \r\n split between chunks is still one line end.
    const parser = new EventStreamParser()
    const pieces = [...text].flatMap((c) => parser.feed(c))
    for (const events of [whole, pieces]) {
      expect(events).toEqual([
        { id: '1', event: 'orderStatus', data: '{"status":"PAID"}' },
        { id: '2', event: 'orderStatus', data: 'line one\nline two' },
        { id: '2', event: 'note', data: '' },
        { id: '3', event: 'message', data: 'plain' },
      ])
    }
    expect(parser.lastEventId).toBe('3')
  })

  it('keeps a half-received event until its blank line comes', () => {
    const parser = new EventStreamParser()
    expect(parser.feed('id: 7\nevent: deliveries\ndata: {"a":')).toEqual([])
    expect(parser.feed('1}\n')).toEqual([])
    expect(parser.feed('\n')).toEqual([{ id: '7', event: 'deliveries', data: '{"a":1}' }])
  })
})

/** A stream answer whose events the test writes when it wants; end() drops it. */
function streamAnswer() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const encoder = new TextEncoder()
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (error: Error) => controller.error(error),
  }
}

function problem(status: number, detail: string) {
  return new Response(JSON.stringify({ status, title: 'x', detail }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })
}

describe('following a stream', () => {
  const fetchMock = vi.fn<(input: string, init?: RequestInit) => Promise<Response>>()
  const refresh = vi.fn(async () => false)
  const onUnauthorized = vi.fn()
  let token = 'T1'

  beforeEach(() => {
    fetchMock.mockReset()
    refresh.mockReset()
    onUnauthorized.mockReset()
    token = 'T1'
    configureClient({ baseUrl: '', fetch: fetchMock, token: () => token, refresh, onUnauthorized, prepare: async () => {} })
  })
  afterEach(() => configureClient({ fetch: (input, init) => globalThis.fetch(input, init) }))

  const headerOf = (call: number, name: string) =>
    (fetchMock.mock.calls[call][1]?.headers as Record<string, string> | undefined)?.[name]

  it('sends the token, and after a drop opens the stream again from the last event seen', async () => {
    const first = streamAnswer()
    const second = streamAnswer()
    fetchMock.mockResolvedValueOnce(first.response).mockResolvedValueOnce(second.response)
    const seen: string[] = []
    const following = follow('/events/stream', { onEvent: (e) => seen.push(`${e.id}:${e.data}`), onUnavailable: vi.fn() }, {
      reconnectMs: 5,
    })
    first.send('id: 4-0\nevent: OrderPlaced\ndata: {"orderId":1}\n\n')
    first.send('id: 5-0\nevent: PaymentApproved\ndata: {"orderId":1}\n\n')
    await vi.waitFor(() => expect(seen).toHaveLength(2))
    first.end()
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2))
    expect(headerOf(0, 'Authorization')).toBe('Bearer T1')
    expect(headerOf(0, 'Accept')).toBe('text/event-stream')
    expect(headerOf(0, 'Last-Event-ID')).toBeUndefined()
    expect(headerOf(1, 'Last-Event-ID')).toBe('5-0')
    second.send('id: 6-0\nevent: OrderAccepted\ndata: {"orderId":1}\n\n')
    await vi.waitFor(() => expect(seen).toEqual(['4-0:{"orderId":1}', '5-0:{"orderId":1}', '6-0:{"orderId":1}']))
    following.stop()
  })

  it('renews the token when the stream ends with a 401 problem, and goes on with the new one', async () => {
    const first = streamAnswer()
    const second = streamAnswer()
    fetchMock.mockResolvedValueOnce(first.response).mockResolvedValueOnce(second.response)
    refresh.mockImplementation(async () => {
      token = 'T2'
      return true
    })
    const seen: string[] = []
    const following = follow('/foodCookings/stream', { onEvent: (e) => seen.push(e.data), onUnavailable: vi.fn() })
    first.send('id: 1\nevent: foodCookings\ndata: A\n\n')
    first.send('event: problem\ndata: {"status":401,"detail":"the token has expired"}\n\n')
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2))
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(headerOf(1, 'Authorization')).toBe('Bearer T2')
    expect(headerOf(1, 'Last-Event-ID')).toBe('1')
    second.send('id: 2\nevent: foodCookings\ndata: B\n\n')
    await vi.waitFor(() => expect(seen).toEqual(['A', 'B']))
    expect(onUnauthorized).not.toHaveBeenCalled()
    following.stop()
  })

  it('takes a stream silent for too long (not even a heartbeat) for dead, and one that breaks for dropped: both are opened again', async () => {
    const silent = streamAnswer()
    const breaking = streamAnswer()
    const third = streamAnswer()
    fetchMock.mockResolvedValueOnce(silent.response).mockResolvedValueOnce(breaking.response).mockResolvedValueOnce(third.response)
    const onUnavailable = vi.fn()
    const seen: string[] = []
    const following = follow('/events/stream', { onEvent: (e) => seen.push(e.id), onUnavailable }, { reconnectMs: 5, idleMs: 200 })
    silent.send('id: 1\nevent: OrderPlaced\ndata: {}\n\n')
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2), { timeout: 2000 })
    expect(headerOf(1, 'Last-Event-ID')).toBe('1')
    breaking.send('id: 2\nevent: PaymentApproved\ndata: {}\n\n')
    await vi.waitFor(() => expect(seen).toEqual(['1', '2']))
    breaking.fail(new TypeError('network error'))
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(3))
    expect(headerOf(2, 'Last-Event-ID')).toBe('2')
    expect(onUnavailable).not.toHaveBeenCalled()
    following.stop()
  })

  it('ends the session when the token cannot be renewed', async () => {
    fetchMock.mockResolvedValue(problem(401, 'revoked'))
    const onUnavailable = vi.fn()
    follow('/deliveries/stream', { onEvent: vi.fn(), onUnavailable })
    await vi.waitFor(() => expect(onUnauthorized).toHaveBeenCalledTimes(1))
    expect(onUnavailable).not.toHaveBeenCalled()
  })
})

describe('useLive: a stream, and polling only when it cannot be opened', () => {
  const fetchMock = vi.fn<(input: string, init?: RequestInit) => Promise<Response>>()

  beforeEach(() => {
    fetchMock.mockReset()
    configureClient({ baseUrl: '', fetch: fetchMock, token: () => 'T', refresh: async () => false, prepare: async () => {} })
  })
  afterEach(() => configureClient({ fetch: (input, init) => globalThis.fetch(input, init) }))

  it('takes each event as the whole document and never polls while the stream is open', async () => {
    const answer = streamAnswer()
    fetchMock.mockResolvedValueOnce(answer.response)
    const poll = vi.fn(async () => ({ status: 'POLLED' }))
    const scope = effectScope()
    const live = scope.run(() => useLive({ stream: '/orderStatuses/5/stream', event: 'orderStatus', poll }))!
    answer.send('id: 1\nevent: orderStatus\ndata: {"status":"PAID"}\n\n')
    await vi.waitFor(() => expect(live.data.value).toEqual({ status: 'PAID' }))
    expect(live.mode.value).toBe('stream')
    expect(live.loading.value).toBe(false)
    answer.send(': heartbeat\n\nid: 2\nevent: orderStatus\ndata: {"status":"ACCEPTED"}\n\n')
    await vi.waitFor(() => expect(live.data.value).toEqual({ status: 'ACCEPTED' }))
    expect(poll).not.toHaveBeenCalled()
    expect(fetchMock.mock.calls[0][0]).toBe('/orderStatuses/5/stream')
    scope.stop()
    expect(live.mode.value).toBe('stopped')
  })

  it('polls when the stream cannot be opened, and stops polling once a refresh opens it', async () => {
    fetchMock.mockResolvedValueOnce(new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }))
    const poll = vi.fn(async () => ({ status: 'POLLED' }))
    const scope = effectScope()
    const live = scope.run(() =>
      useLive({ stream: '/foodCookings/stream', event: 'foodCookings', poll, pollOptions: { minMs: 10, maxMs: 10 } }),
    )!
    await vi.waitFor(() => expect(live.data.value).toEqual({ status: 'POLLED' }))
    expect(live.mode.value).toBe('poll')
    await vi.waitFor(() => expect(poll.mock.calls.length).toBeGreaterThan(1)) // it goes on by itself

    const answer = streamAnswer()
    fetchMock.mockResolvedValueOnce(answer.response)
    live.refresh()
    await vi.waitFor(() => expect(live.mode.value).toBe('stream'))
    answer.send('id: 1\nevent: foodCookings\ndata: {"status":"STREAMED"}\n\n')
    await vi.waitFor(() => expect(live.data.value).toEqual({ status: 'STREAMED' }))
    const polls = poll.mock.calls.length
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(poll.mock.calls.length).toBe(polls)
    scope.stop()
  })

  it('waits for a resource that is not there yet by opening the stream again, not by polling', async () => {
    fetchMock.mockResolvedValueOnce(problem(404, 'no status for order 9 yet'))
    const answer = streamAnswer()
    fetchMock.mockResolvedValueOnce(answer.response)
    const poll = vi.fn(async () => ({ status: 'POLLED' }))
    const scope = effectScope()
    const live = scope.run(() =>
      useLive({
        stream: '/orderStatuses/9/stream',
        event: 'orderStatus',
        poll,
        absent: (e: ApiError) => e.status === 404,
      }),
    )!
    await vi.waitFor(() => expect(live.mode.value).toBe('waiting'))
    expect(live.error.value?.detail).toBe('no status for order 9 yet')
    live.refresh() // at once, not after the pause
    await vi.waitFor(() => expect(live.mode.value).toBe('stream'))
    answer.send('id: 1\nevent: orderStatus\ndata: {"status":"PLACED"}\n\n')
    await vi.waitFor(() => expect(live.data.value).toEqual({ status: 'PLACED' }))
    expect(live.error.value).toBeNull()
    expect(poll).not.toHaveBeenCalled()
    scope.stop()
  })
})
