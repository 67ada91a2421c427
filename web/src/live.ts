// Live data from the platform's server-sent event streams (GET .../stream), read with fetch()
// because EventSource cannot send the Authorization header. A dropped stream is opened again
// with Last-Event-ID, so the server goes on from the last event seen; a stream that cannot
// be opened at all (no such route, the gateway down, an answer that is not a stream) falls
// back to polling (poll.ts), and the stream is tried again on a refresh or when the tab
// comes back into view.
import { effectScope, getCurrentScope, onScopeDispose, ref, shallowRef, watch, type EffectScope, type Ref, type ShallowRef } from 'vue'
import { ApiError, openEventStream, renewAfterRefusal, type Problem } from './api/client'
import { toApiError, usePoll, type PollOptions } from './poll'

export interface ServerSentEvent {
  id: string
  event: string
  data: string
}

/**
 * The text/event-stream format (the HTML standard's "event stream interpretation"), fed in
 * chunks as they arrive: a chunk may end anywhere, even between the \r and \n of a line end.
 */
export class EventStreamParser {
  /** The id of the last event, kept from event to event until another is set. */
  lastEventId = ''
  private buffer = ''
  private data: string[] = []
  private type = ''
  private hasData = false

  feed(chunk: string): ServerSentEvent[] {
    this.buffer += chunk
    const events: ServerSentEvent[] = []
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/)
      if (end < 0) break
      // A lone \r at the end of the chunk may be the first half of \r\n: wait for the next chunk.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1) break
      const line = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1))
      const event = this.line(line)
      if (event) events.push(event)
    }
    return events
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined // a comment: the server's heartbeat
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') {
      this.data.push(value)
      this.hasData = true
    } else if (field === 'event') {
      this.type = value
    } else if (field === 'id' && !value.includes('\0')) {
      this.lastEventId = value
    }
    return undefined
  }

  private dispatch(): ServerSentEvent | undefined {
    const event = this.hasData ? { id: this.lastEventId, event: this.type || 'message', data: this.data.join('\n') } : undefined
    this.data = []
    this.type = ''
    this.hasData = false
    return event
  }
}

export interface FollowHandlers {
  /** The stream is open (again): events follow. */
  onOpen?: () => void
  onEvent: (event: ServerSentEvent) => void
  /** The stream answered that its resource is not there yet (see `absent`): it is tried again. */
  onAbsent?: (error: ApiError) => void
  /** The stream cannot be opened, or ended with a problem that opening again would not cure. */
  onUnavailable: (error: ApiError) => void
}

export interface FollowOptions {
  /** Refusals that mean "not yet" (no status view yet, no position reported yet), not "no stream". */
  absent?: (error: ApiError) => boolean
  /** The first wait before opening a dropped stream again; it grows ×2 while opening fails. */
  reconnectMs?: number
  maxReconnectMs?: number
  /** Nothing at all for this long, not even a heartbeat: the connection is dead, open it again. */
  idleMs?: number
}

const FOLLOW_DEFAULTS = { reconnectMs: 250, maxReconnectMs: 8000, idleMs: 40000 }

export interface Following {
  /** Drop the connection (if any) and open the stream at once, from the last event seen. */
  reconnect: () => void
  stop: () => void
}

/** The problem+json document of a stream's closing `problem` event, as an ApiError. */
function problemOf(event: ServerSentEvent): ApiError {
  let problem: Problem | undefined
  try {
    problem = JSON.parse(event.data) as Problem
  } catch {
    problem = undefined
  }
  const status = typeof problem?.status === 'number' ? problem.status : 500
  return new ApiError(status, problem?.title ?? 'Problem', problem?.detail || problem?.title || event.data, problem)
}

/** Follows one stream until stopped: its events to `onEvent`, opened again after each drop. */
export function follow(path: string, handlers: FollowHandlers, options: FollowOptions = {}): Following {
  const opts = { ...FOLLOW_DEFAULTS, ...options }
  let stopped = false
  let lastEventId = ''
  // Drops the connection being opened or read (the abort ends the fetch, the cancel the body).
  let drop: (() => void) | undefined
  let wake: (() => void) | undefined
  let delay = opts.reconnectMs

  // A pause that reconnect() or stop() cuts short.
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })

  async function run(): Promise<void> {
    let everOpened = false
    while (!stopped) {
      const mine = new AbortController()
      let reader: ReadableStreamDefaultReader<string> | undefined
      drop = () => {
        mine.abort()
        void reader?.cancel().catch(() => {})
      }
      let idle: ReturnType<typeof setTimeout> | undefined
      const watchdog = () => {
        if (idle) clearTimeout(idle)
        idle = setTimeout(() => drop?.(), opts.idleMs)
      }
      let ending: ApiError | undefined
      let opened = false
      try {
        watchdog()
        const response = await openEventStream(path, { signal: mine.signal, lastEventId })
        opened = true
        everOpened = true
        delay = opts.reconnectMs
        handlers.onOpen?.()
        const parser = new EventStreamParser()
        parser.lastEventId = lastEventId
        reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
        try {
          for (;;) {
            const { value, done } = await reader.read()
            if (done || stopped) break
            watchdog()
            for (const event of parser.feed(value)) {
              if (event.event === 'problem') {
                ending = problemOf(event)
                break
              }
              lastEventId = parser.lastEventId
              handlers.onEvent(event)
            }
            if (ending) break
          }
        } finally {
          void reader.cancel().catch(() => {})
        }
      } catch (error) {
        if (stopped) return
        // Failing to open is an answer; failing while reading is a drop, as is an abort by
        // reconnect() or the idle watchdog: both open the stream again.
        if (!opened && !mine.signal.aborted) ending = toApiError(error)
      } finally {
        if (idle) clearTimeout(idle)
      }
      if (stopped) return
      if (!ending) {
        // The stream ended (the server restarted, a proxy gave up): open it again from the last id.
        await pause(delay)
        delay = Math.min(opts.maxReconnectMs, delay * 2)
        continue
      }
      if (ending.status === 401) {
        // Refused on opening: the client has renewed the token once already, in vain, and
        // ended the session. Ended while open: the token ran out, renew it and go on.
        if (!opened || !(await renewAfterRefusal(ending))) return
        continue
      }
      if (opts.absent?.(ending)) {
        handlers.onAbsent?.(ending)
        await pause(delay)
        delay = Math.min(opts.maxReconnectMs, Math.max(1000, delay * 2))
        continue
      }
      // It worked before: a gateway restarting answers 502/503 or nothing for a moment.
      if (everOpened && (ending.status === 0 || ending.status >= 500) && delay < opts.maxReconnectMs) {
        await pause(delay)
        delay = Math.min(opts.maxReconnectMs, delay * 2)
        continue
      }
      handlers.onUnavailable(ending)
      return
    }
  }

  void run()
  return {
    reconnect() {
      delay = opts.reconnectMs
      drop?.()
      wake?.()
    },
    stop() {
      stopped = true
      drop?.()
      wake?.()
    },
  }
}

export type LiveMode = 'connecting' | 'stream' | 'waiting' | 'poll' | 'stopped'

export interface LiveOptions<T> {
  /** The stream's path, e.g. /orderStatuses/5/stream. */
  stream: string
  /** The type of the events that carry the document. */
  event: string
  /** The fallback when the stream cannot be opened: the resource's GET. */
  poll: (signal: AbortSignal) => Promise<T>
  pollOptions?: PollOptions
  absent?: (error: ApiError) => boolean
  follow?: FollowOptions
}

export interface Live<T> {
  data: ShallowRef<T | null>
  error: Ref<ApiError | null>
  loading: Ref<boolean>
  updatedAt: Ref<Date | null>
  /** How the data comes now: a stream, waiting for the resource, or polling. */
  mode: Ref<LiveMode>
  /** Polling: load now and try the stream again. On a stream: open it again if it is waiting. */
  refresh: () => void
  stop: () => void
}

/**
 * One resource, live: each event `event` of the stream is the whole document again (as its
 * GET answers it). Polls only while the stream cannot be opened.
 */
export function useLive<T>(options: LiveOptions<T>): Live<T> {
  const data = shallowRef<T | null>(null)
  const error = ref<ApiError | null>(null)
  const loading = ref(true)
  const updatedAt = ref<Date | null>(null)
  const mode = ref<LiveMode>('connecting')
  let following: Following | undefined
  let polling: EffectScope | undefined
  let pollRefresh: (() => void) | undefined
  let stopped = false

  function stopPolling(): void {
    polling?.stop()
    polling = undefined
    pollRefresh = undefined
  }

  function startPolling(): void {
    if (polling || stopped) return
    polling = effectScope(true)
    polling.run(() => {
      const poll = usePoll(options.poll, options.pollOptions)
      pollRefresh = poll.refresh
      watch(poll.data, (value) => value !== null && (data.value = value))
      watch(poll.error, (value) => (error.value = value))
      watch(poll.loading, (value) => (loading.value = value))
      watch(poll.updatedAt, (value) => (updatedAt.value = value))
    })
  }

  function open(): void {
    following?.stop()
    const mine = follow(
      options.stream,
      {
        onOpen() {
          if (following !== mine) return
          stopPolling()
          mode.value = 'stream'
        },
        onEvent(event) {
          if (following !== mine || event.event !== options.event) return
          try {
            data.value = JSON.parse(event.data) as T
            error.value = null
          } catch (failure) {
            error.value = toApiError(failure)
          }
          loading.value = false
          updatedAt.value = new Date()
        },
        onAbsent(refusal) {
          if (following !== mine) return
          stopPolling()
          mode.value = 'waiting'
          data.value = null
          error.value = refusal
          loading.value = false
        },
        onUnavailable() {
          if (following !== mine) return
          following = undefined
          mode.value = 'poll'
          startPolling()
        },
      },
      { ...options.follow, absent: options.absent },
    )
    following = mine
  }

  function refresh(): void {
    if (stopped) return
    if (mode.value === 'poll') {
      pollRefresh?.()
      if (!following) open()
    } else if (mode.value === 'waiting') {
      following?.reconnect()
    }
  }

  function onVisible(): void {
    if (document.visibilityState === 'visible' && mode.value === 'poll' && !following) open()
  }

  function stop(): void {
    stopped = true
    following?.stop()
    following = undefined
    stopPolling()
    mode.value = 'stopped'
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible)
  }

  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible)
  if (getCurrentScope()) onScopeDispose(stop)
  open()
  return { data, error, loading, updatedAt, mode, refresh, stop }
}
