// Live data without a reload: load now, then again and again. While nothing changes the
// pauses grow (backoff) up to a ceiling; a change, a click on refresh or the tab coming
// back into view brings them back to the shortest. Errors back off too, and honour a
// Retry-After the gateway sends.
import { getCurrentScope, onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from './api/client'

export interface PollOptions {
  minMs?: number
  maxMs?: number
  factor?: number
  /** False while something else says when to load again (refresh()), e.g. an open event stream. */
  repeat?: () => boolean
}

export const DEFAULT_POLL = { minMs: 1000, maxMs: 8000, factor: 1.5 }

/** The next pause: the shortest after a change, longer after a quiet or failed round. */
export function nextDelay(
  current: number,
  changed: boolean,
  options: Required<Omit<PollOptions, 'repeat'>>,
  retryAfterS?: number,
): number {
  if (changed) return options.minMs
  const grown = Math.min(options.maxMs, Math.round(current * options.factor))
  return retryAfterS ? Math.max(grown, retryAfterS * 1000) : grown
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ApiError(-1, 'Error', message)
}

export interface Poll<T> {
  data: ShallowRef<T | null>
  error: Ref<ApiError | null>
  loading: Ref<boolean>
  updatedAt: Ref<Date | null>
  refresh: () => void
  stop: () => void
}

export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, options: PollOptions = {}): Poll<T> {
  const opts = { ...DEFAULT_POLL, ...options }
  const data = shallowRef<T | null>(null)
  const error = ref<ApiError | null>(null)
  const loading = ref(true)
  const updatedAt = ref<Date | null>(null)
  let delay = opts.minMs
  let timer: ReturnType<typeof setTimeout> | undefined
  let controller: AbortController | undefined
  let last = ''
  let stopped = false

  async function tick(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = undefined
    controller?.abort()
    const mine = new AbortController()
    controller = mine
    let retryAfter: number | undefined
    let changed = false
    try {
      const value = await load(mine.signal)
      if (mine.signal.aborted) return
      const json = JSON.stringify(value)
      changed = json !== last
      if (changed) {
        last = json
        data.value = value
      }
      error.value = null
      updatedAt.value = new Date()
    } catch (failure) {
      if (mine.signal.aborted || (failure instanceof DOMException && failure.name === 'AbortError')) return
      const apiError = toApiError(failure)
      retryAfter = apiError.retryAfter
      changed = error.value?.detail !== apiError.detail
      error.value = apiError
    } finally {
      if (controller === mine) {
        loading.value = false
        delay = nextDelay(delay, changed, opts, retryAfter)
        if (!stopped && (opts.repeat?.() ?? true)) timer = setTimeout(tick, delay)
      }
    }
  }

  function refresh(): void {
    if (stopped) return
    delay = opts.minMs
    void tick()
  }

  function onVisible(): void {
    if (document.visibilityState === 'visible') refresh()
  }

  function stop(): void {
    stopped = true
    if (timer) clearTimeout(timer)
    controller?.abort()
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible)
  }

  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible)
  if (getCurrentScope()) onScopeDispose(stop)
  void tick()
  return { data, error, loading, updatedAt, refresh, stop }
}

/** A button's action: busy while it runs, its failure kept to be shown in words. */
export function useAction() {
  const busy = ref(false)
  const error = ref<ApiError | null>(null)
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      return await action()
    } catch (failure) {
      error.value = toApiError(failure)
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
