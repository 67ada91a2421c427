// What the learner's page explains: which service publishes each event of the saga and
// who reacts, and which timeline steps are compensations. Held to the C++ contracts
// (contracts/include/contracts/events.hpp) by tests/unit/contracts_test.cpp.
import type { TimelineStep } from './api/types'

export interface SagaEvent {
  event: string
  producer: string
  // the services that react to it, as contracts/include/contracts/events.hpp says
  consumers: string[]
  reactions: { en: string; ko: string }
  compensation?: boolean
}

export const SAGA: SagaEvent[] = [
  { event: 'OrderPlaced', producer: 'order', consumers: ['payment', 'store', 'customer'], reactions: { en: 'payment charges; store holds it until paid; customer view: PLACED', ko: 'payment 결제; store 결제까지 대기; customer 뷰: PLACED' } },
  { event: 'PaymentApproved', producer: 'payment', consumers: ['order', 'store', 'customer'], reactions: { en: 'order → PAID; store lists it for the owner; view: PAID', ko: 'order → PAID; store 점주 목록에 추가; 뷰: PAID' } },
  { event: 'PaymentFailed', producer: 'payment', consumers: ['order', 'store', 'customer'], reactions: { en: 'order → PAYMENT_FAILED; store drops it; view', ko: 'order → PAYMENT_FAILED; store 제외; 뷰' } },
  { event: 'OrderAccepted', producer: 'store', consumers: ['order', 'customer'], reactions: { en: 'order, customer view: ACCEPTED', ko: 'order, customer 뷰: ACCEPTED' } },
  { event: 'OrderRejected', producer: 'store', consumers: ['order', 'payment', 'customer'], reactions: { en: 'order, view: REJECTED; payment refunds (PaymentCanceled)', ko: 'order, 뷰: REJECTED; payment 환불 (PaymentCanceled)' } },
  { event: 'CookStarted', producer: 'store', consumers: ['order', 'customer'], reactions: { en: 'order, view: COOKING (cancel no longer allowed)', ko: 'order, 뷰: COOKING (이제 취소 불가)' } },
  { event: 'CookFinished', producer: 'store', consumers: ['order', 'rider', 'customer'], reactions: { en: 'order, view: COOKED; rider opens the delivery to riders near the customer', ko: 'order, 뷰: COOKED; rider 고객 근처 라이더에게 배달 공개' } },
  { event: 'OrderCanceled', producer: 'order', consumers: ['payment', 'store', 'customer'], reactions: { en: 'payment refunds if not done yet; store, view: CANCELED', ko: 'payment 아직이면 환불; store, 뷰: CANCELED' } },
  { event: 'PaymentCanceled', producer: 'payment', consumers: ['customer'], reactions: { en: 'view: the refund is done (compensation)', ko: '뷰: 환불 완료 (보상)' }, compensation: true },
  { event: 'DeliveryAssigned', producer: 'rider', consumers: ['order', 'customer'], reactions: { en: 'order, view: RIDER_ASSIGNED', ko: 'order, 뷰: RIDER_ASSIGNED' } },
  { event: 'Picked', producer: 'rider', consumers: ['order', 'customer'], reactions: { en: 'order, view: PICKED_UP', ko: 'order, 뷰: PICKED_UP' } },
  { event: 'RiderPositionReported', producer: 'rider', consumers: ['customer'], reactions: { en: 'view: where the rider carrying it is (no step, no message)', ko: '뷰: 배달 중인 라이더의 위치 (단계·알림 없음)' } },
  { event: 'DeliveryConfirmed', producer: 'order', consumers: ['payment', 'rider', 'customer'], reactions: { en: 'payment settles (PaymentSettled); rider: delivered; view: DELIVERED', ko: 'payment 정산 (PaymentSettled); rider 배달 완료; 뷰: DELIVERED' } },
  { event: 'PaymentSettled', producer: 'payment', consumers: ['customer'], reactions: { en: 'view: payment SETTLED', ko: '뷰: 결제 SETTLED' } },
  { event: 'OrderReviewed', producer: 'order', consumers: ['store'], reactions: { en: 'store: review and rating', ko: 'store: 리뷰와 별점' } },
]

export function producerOf(eventType: string): string {
  return SAGA.find((e) => e.event === eventType)?.producer ?? '?'
}

export function isCompensation(step: Pick<TimelineStep, 'eventType'>): boolean {
  return step.eventType === 'PaymentCanceled'
}
