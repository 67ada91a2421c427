// The rider's position, paced: at most one report per interval, the latest one waiting, and a 429
// kept and sent again when Retry-After says.
import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/client'
import { paced, type Clock } from '../src/pace'

function fakeClock() {
  let now = 1_000_000
  let timers: { at: number; run: () => void; id: number }[] = []
  let ids = 0
  const clock: Clock = {
    now: () => now,
    after: (ms, run) => {
      const id = ++ids
      timers.push({ at: now + ms, run, id })
      return id
    },
    cancel: (id) => {
      timers = timers.filter((t) => t.id !== id)
    },
  }
  async function advance(ms: number): Promise<void> {
    const until = now + ms
    for (;;) {
      await Promise.resolve()
      await new Promise((r) => setTimeout(r, 0))
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      timers = timers.filter((t) => t !== due)
      now = due.at
      due.run()
    }
    now = until
    await new Promise((r) => setTimeout(r, 0))
  }
  return { clock, advance }
}

describe('paced reports', () => {
  it('sends the first at once, and of the ones within the interval only the latest, at its end', async () => {
    const { clock, advance } = fakeClock()
    const sent: number[] = []
    const p = paced(async (v: number) => void sent.push(v), 3000, clock)
    p.offer(1)
    await advance(0)
    p.offer(2)
    p.offer(3)
    await advance(2999)
    expect(sent).toEqual([1])
    await advance(1)
    expect(sent).toEqual([1, 3])
    await advance(10000)
    expect(sent).toEqual([1, 3])
  })

  it('keeps a report refused with 429 and sends it again after Retry-After, unless a newer one replaced it', async () => {
    const { clock, advance } = fakeClock()
    const sent: number[] = []
    let refuse = true
    const p = paced(
      async (v: number) => {
        if (refuse) {
          refuse = false
          throw new ApiError(429, 'Too Many Requests', 'too soon', undefined, 5)
        }
        sent.push(v)
      },
      3000,
      clock,
    )
    p.offer(1)
    await advance(4999)
    expect(sent).toEqual([])
    await advance(1)
    expect(sent).toEqual([1])

    refuse = true
    await advance(3000)
    p.offer(2)
    await advance(0)
    p.offer(3) // newer than the refused 2
    await advance(5000)
    expect(sent).toEqual([1, 3])
  })

  it('sends nothing more once stopped', async () => {
    const { clock, advance } = fakeClock()
    const sent: number[] = []
    const p = paced(async (v: number) => void sent.push(v), 3000, clock)
    p.offer(1)
    await advance(0)
    p.offer(2)
    p.stop()
    await advance(10000)
    expect(sent).toEqual([1])
  })
})
