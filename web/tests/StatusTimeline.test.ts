import { beforeEach, describe, expect, it } from 'vitest'
import type { TimelineStep } from '../src/api/types'
import StatusTimeline from '../src/components/StatusTimeline.vue'
import { setLocale } from '../src/i18n'
import { mount, settle } from './mount'

// As GET /orderStatuses/{id} answered for an order the store rejected.
const rejected: TimelineStep[] = [
  { status: 'PLACED', eventType: 'OrderPlaced', at: '2026-11-22T00:22:37.606Z' },
  { status: 'PAID', eventType: 'PaymentApproved', at: '2026-11-22T00:22:37.607Z', paymentStatus: 'APPROVED' },
  { status: 'REJECTED', eventType: 'OrderRejected', at: '2026-11-22T00:22:37.940Z' },
  { status: 'REJECTED', eventType: 'PaymentCanceled', at: '2026-11-22T00:22:37.942Z', paymentStatus: 'CANCELED' },
]

describe('the status timeline', () => {
  beforeEach(() => setLocale('ko'))

  it('renders one step per event, in order, with the status in words and the event name', async () => {
    const view = mount(StatusTimeline, { steps: rejected })
    await settle()
    const steps = [...view.el.querySelectorAll('li.timeline-step')]
    expect(steps.map((s) => s.getAttribute('data-event'))).toEqual([
      'OrderPlaced',
      'PaymentApproved',
      'OrderRejected',
      'PaymentCanceled',
    ])
    expect(steps.map((s) => s.querySelector('.timeline-status')?.textContent)).toEqual([
      '주문됨',
      '결제됨',
      '가게 거절',
      '가게 거절',
    ])
    expect(steps[1].querySelector('.timeline-payment')?.textContent).toBe('결제 승인')
    expect(steps[3].classList.contains('latest')).toBe(true)
    expect(steps[0].querySelector('time')?.getAttribute('datetime')).toBe('2026-11-22T00:22:37.606Z')
    view.unmount()
  })

  it('marks the PaymentCanceled step as the saga’s compensation, and only that one', async () => {
    const view = mount(StatusTimeline, { steps: rejected })
    await settle()
    const compensations = [...view.el.querySelectorAll('li.compensation')]
    expect(compensations.map((s) => s.getAttribute('data-event'))).toEqual(['PaymentCanceled'])
    expect(compensations[0].textContent).toContain('보상 트랜잭션')
    view.unmount()
  })

  it('speaks English after the toggle and shows an empty state without steps', async () => {
    setLocale('en')
    const view = mount(StatusTimeline, { steps: rejected.slice(0, 2) })
    await settle()
    expect([...view.el.querySelectorAll('.timeline-status')].map((s) => s.textContent)).toEqual(['Ordered', 'Paid'])
    view.unmount()
    const empty = mount(StatusTimeline, { steps: [] })
    await settle()
    expect(empty.el.querySelector('ol')).toBeNull()
    expect(empty.text()).toBe('No step recorded yet.')
    empty.unmount()
  })

  it('shows an unknown status word as it is rather than nothing', async () => {
    const view = mount(StatusTimeline, { steps: [{ status: 'TELEPORTED', eventType: 'Teleported', at: '2026-11-22T00:00:00Z' }] })
    await settle()
    expect(view.el.querySelector('.timeline-status')?.textContent).toBe('TELEPORTED')
    view.unmount()
  })
})
