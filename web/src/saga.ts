// What the learner's page explains: which service publishes each event of the saga and
// who reacts (README and design), and which timeline steps are compensations.
import type { TimelineStep } from './api/types'

export interface SagaEvent {
  event: string
  producer: string
  reactions: { en: string; ko: string }
  compensation?: boolean
}

export const SAGA: SagaEvent[] = [
  { event: 'OrderPlaced', producer: 'order', reactions: { en: 'payment charges; store holds it until paid; customer view: PLACED', ko: 'payment 결제; store 결제까지 대기; customer 뷰: PLACED' } },
  { event: 'PaymentApproved', producer: 'payment', reactions: { en: 'order → PAID; store lists it for the owner; view: PAID', ko: 'order → PAID; store 점주 목록에 추가; 뷰: PAID' } },
  { event: 'PaymentFailed', producer: 'payment', reactions: { en: 'order → PAYMENT_FAILED; store drops it; view', ko: 'order → PAYMENT_FAILED; store 제외; 뷰' } },
  { event: 'OrderAccepted', producer: 'store', reactions: { en: 'order, customer view: ACCEPTED', ko: 'order, customer 뷰: ACCEPTED' } },
  { event: 'OrderRejected', producer: 'store', reactions: { en: 'order, view: REJECTED; payment refunds (PaymentCanceled)', ko: 'order, 뷰: REJECTED; payment 환불 (PaymentCanceled)' } },
  { event: 'CookStarted', producer: 'store', reactions: { en: 'order, view: COOKING (cancel no longer allowed)', ko: 'order, 뷰: COOKING (이제 취소 불가)' } },
  { event: 'CookFinished', producer: 'store', reactions: { en: 'order, view: COOKED; rider opens the delivery to riders near the customer', ko: 'order, 뷰: COOKED; rider 고객 근처 라이더에게 배달 공개' } },
  { event: 'OrderCanceled', producer: 'order', reactions: { en: 'payment refunds if not done yet; store, view: CANCELED', ko: 'payment 아직이면 환불; store, 뷰: CANCELED' } },
  { event: 'PaymentCanceled', producer: 'payment', reactions: { en: 'order, view: the refund is done (compensation)', ko: 'order, 뷰: 환불 완료 (보상)' }, compensation: true },
  { event: 'DeliveryAssigned', producer: 'rider', reactions: { en: 'order, view: RIDER_ASSIGNED', ko: 'order, 뷰: RIDER_ASSIGNED' } },
  { event: 'Picked', producer: 'rider', reactions: { en: 'order, view: PICKED_UP', ko: 'order, 뷰: PICKED_UP' } },
  { event: 'DeliveryConfirmed', producer: 'order', reactions: { en: 'payment settles (PaymentSettled); rider: delivered; view: DELIVERED', ko: 'payment 정산 (PaymentSettled); rider 배달 완료; 뷰: DELIVERED' } },
  { event: 'PaymentSettled', producer: 'payment', reactions: { en: 'view: payment SETTLED', ko: '뷰: 결제 SETTLED' } },
  { event: 'OrderReviewed', producer: 'order', reactions: { en: 'store: review and rating', ko: 'store: 리뷰와 별점' } },
]

export function producerOf(eventType: string): string {
  return SAGA.find((e) => e.event === eventType)?.producer ?? '?'
}

export function isCompensation(step: Pick<TimelineStep, 'eventType'>): boolean {
  return step.eventType === 'PaymentCanceled'
}
