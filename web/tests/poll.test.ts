import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { ApiError } from '../src/api/client'
import { DEFAULT_POLL, nextDelay, usePoll } from '../src/poll'

const opts = { minMs: 1000, maxMs: 8000, factor: 1.5 }

describe('polling with backoff', () => {
  it('waits longer while nothing changes, up to the ceiling, and comes back at once on a change', () => {
    expect(nextDelay(1000, false, opts)).toBe(1500)
    expect(nextDelay(1500, false, opts)).toBe(2250)
    expect(nextDelay(6000, false, opts)).toBe(8000)
    expect(nextDelay(8000, false, opts)).toBe(8000)
    expect(nextDelay(8000, true, opts)).toBe(1000)
    expect(nextDelay(1000, false, opts, 5)).toBe(5000)
    expect(DEFAULT_POLL.minMs).toBeLessThanOrEqual(1000)
  })

  describe('usePoll', () => {
    beforeEach(() => vi.useFakeTimers())
    afterEach(() => vi.useRealTimers())

    it('loads again by itself, keeps the last good data through an error, and stops with its scope', async () => {
      const answers: Array<string | ApiError> = ['PLACED', 'PLACED', new ApiError(503, 'x', 'down'), 'PAID']
      const load = vi.fn(async () => {
        const next = answers.shift() ?? 'PAID'
        if (next instanceof ApiError) throw next
        return { status: next }
      })
      const scope = effectScope()
      const poll = scope.run(() => usePoll(load, opts))!
      await vi.advanceTimersByTimeAsync(0)
      expect(poll.data.value).toEqual({ status: 'PLACED' })
      expect(poll.loading.value).toBe(false)

      await vi.advanceTimersByTimeAsync(1000) // same answer: the next wait grows to 2250
      expect(load).toHaveBeenCalledTimes(2)
      await vi.advanceTimersByTimeAsync(2250) // the error
      expect(poll.error.value?.detail).toBe('down')
      expect(poll.data.value).toEqual({ status: 'PLACED' })
      await vi.advanceTimersByTimeAsync(1000) // a new error resets the wait to the shortest
      expect(poll.data.value).toEqual({ status: 'PAID' })
      expect(poll.error.value).toBeNull()

      scope.stop()
      const calls = load.mock.calls.length
      await vi.advanceTimersByTimeAsync(60000)
      expect(load).toHaveBeenCalledTimes(calls)
    })

    it('loads only on refresh while `repeat` says something else tells it when, and polls again once it does not', async () => {
      let streamOpen = true
      const load = vi.fn(async () => ({ n: load.mock.calls.length }))
      const scope = effectScope()
      const poll = scope.run(() => usePoll(load, { ...opts, repeat: () => !streamOpen }))!
      await vi.advanceTimersByTimeAsync(30000)
      expect(load).toHaveBeenCalledTimes(1)
      poll.refresh()
      await vi.advanceTimersByTimeAsync(30000)
      expect(load).toHaveBeenCalledTimes(2)
      streamOpen = false
      poll.refresh()
      await vi.advanceTimersByTimeAsync(1000)
      expect(load).toHaveBeenCalledTimes(4)
      scope.stop()
    })
  })
})
