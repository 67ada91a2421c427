// Sends the latest of a value that changes often (the rider's position while they carry an
// order) at most once per interval: a change sooner waits for the interval's end, and only the
// latest one waiting is sent. The rider service refuses a faster report with 429 and
// Retry-After (seconds): the one refused is kept and sent when the service says.
import { ApiError } from './api/client'

export interface Clock {
  now: () => number
  after: (ms: number, run: () => void) => unknown
  cancel: (timer: unknown) => void
}

const realClock: Clock = {
  now: () => Date.now(),
  after: (ms, run) => setTimeout(run, ms),
  cancel: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
}

export interface Paced<T> {
  /** The latest value to send: now, or when the interval allows. */
  offer: (value: T) => void
  /** Drops what waits (the page closes, or the delivery ended). */
  stop: () => void
  /** When the next send may go (epoch ms), for the page to say how long it waits. */
  readonly nextAt: number
}

export function paced<T>(send: (value: T) => Promise<unknown>, intervalMs: number, clock: Clock = realClock): Paced<T> {
  let waiting: { value: T } | null = null
  let nextAt = 0
  let sending = false
  let timer: unknown = null
  let stopped = false

  function schedule(): void {
    if (stopped || sending || !waiting || timer !== null) return
    const wait = nextAt - clock.now()
    if (wait > 0) {
      timer = clock.after(wait, () => {
        timer = null
        schedule()
      })
      return
    }
    const { value } = waiting
    waiting = null
    sending = true
    nextAt = clock.now() + intervalMs
    send(value)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 429) {
          nextAt = clock.now() + (error.retryAfter ?? intervalMs / 1000) * 1000
          waiting ??= { value } // a newer one waiting replaces the refused one
        }
      })
      .finally(() => {
        sending = false
        schedule()
      })
  }

  return {
    offer(value: T) {
      waiting = { value }
      schedule()
    },
    stop() {
      stopped = true
      waiting = null
      if (timer !== null) clock.cancel(timer)
      timer = null
    },
    get nextAt() {
      return nextAt
    },
  }
}
