// A small i18n of our own: two dictionaries, one reactive locale, and t(key, params).
// A key missing in Korean falls back to English, and a key missing in both shows itself,
// so a forgotten entry is visible rather than blank.
import { ref, watch } from 'vue'

export type Locale = 'ko' | 'en'

const en = {
  'app.title': 'Food Delivery',
  'app.tagline': 'Order, cook, ride — one saga of events',
  'lang.toggle': '한국어',
  'lang.toggleTitle': 'Switch the language to Korean',
  'nav.stores': 'Stores',
  'nav.orders': 'My orders',
  'nav.notifications': 'KakaoTalk',
  'nav.owner': 'Incoming orders',
  'nav.reviews': 'Reviews',
  'nav.rider': 'Deliveries',
  'nav.hood': 'Under the hood',
  'nav.logout': 'Log out',
  'role.customer': 'customer',
  'role.owner': 'owner',
  'role.rider': 'rider',

  'login.title': 'Log in',
  'login.demo': 'Demo accounts (password demo1234), one click:',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.busy': 'Logging in…',
  'login.expired': 'Your session has ended; please log in again.',
  'login.refused': 'Login failed.',
  'login.newAccount': 'New here? Create a customer account',
  'login.haveAccount': 'I have an account: log in',
  'login.signup': 'Create the account',
  'login.displayName': 'Name shown (optional)',
  'login.signupHint': 'Username: 3 to 32 of a–z, 0–9 and _; password: at least 10 characters, not a common one.',
  'login.storeOf': 'store {id}',

  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.refresh': 'Refresh',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.order': 'Order {id}',
  'common.total': 'Total',
  'common.items': 'Items',
  'common.address': 'Address',
  'common.live': 'live',
  'common.updated': 'updated {time}',
  'common.km': '{km} km',

  'error.title': 'Something went wrong',
  'error.0': 'The gateway could not be reached.',
  'error.400': 'The request was not accepted.',
  'error.401': 'You are not logged in (or the session ended).',
  'error.403': 'Your account may not do this.',
  'error.404': 'Not found.',
  'error.409': 'Not possible in the current state.',
  'error.413': 'The request is too large.',
  'error.429': 'Too many requests; wait a moment.',
  'error.500': 'The server failed.',
  'error.502': 'A service is not reachable.',
  'error.503': 'A service is unavailable; try again shortly.',
  'error.504': 'A service did not answer in time.',
  'error.other': 'The request failed.',

  'location.title': 'Where are you?',
  'location.hint': 'Pick a place, click the map, or type coordinates.',
  'location.lat': 'Latitude',
  'location.lon': 'Longitude',
  'location.apply': 'Use these coordinates',
  'location.current': 'Your location: {name} ({lat}, {lon})',
  'location.custom': 'chosen point',

  'stores.title': 'Stores near you',
  'stores.empty': 'No stores yet.',
  'stores.distance': '{km} km away',
  'stores.rating': '★ {rating} ({count})',
  'stores.noRating': 'no reviews yet',
  'stores.open': 'See the menu',

  'menu.title': 'Menu',
  'menu.add': 'Add',
  'menu.empty': 'This store has no menu.',
  'menu.back': '← All stores',

  'cart.title': 'Cart',
  'cart.empty': 'Your cart is empty. Add something from the menu.',
  'cart.replaced': 'Your cart held items of another store; it now holds this store’s.',
  'cart.remove': 'Remove',
  'cart.more': 'One more',
  'cart.less': 'One less',
  'cart.address': 'Delivery address',
  'cart.addressPlaceholder': 'e.g. 서울 강남구 테헤란로 152',
  'cart.deliverTo': 'Delivered to ({lat}, {lon})',
  'cart.order': 'Order and pay {total}',
  'cart.ordering': 'Placing the order…',
  'cart.otherStore': 'Cart of {store}',
  'cart.goToStore': 'Back to {store}',

  'orders.title': 'My orders',
  'orders.empty': 'No orders yet. Pick a store and order something.',
  'orders.open': 'Follow',

  'order.title': 'Order {id}',
  'order.store': 'Store',
  'order.payment': 'Payment',
  'order.rider': 'Rider',
  'order.timeline': 'Status timeline',
  'order.viewPending': 'The status view has not caught up with this order yet (events are on their way)…',
  'order.cancel': 'Cancel the order',
  'order.canceling': 'Canceling…',
  'order.cancelHint': 'You can cancel until the kitchen starts cooking.',
  'order.confirm': 'I received it',
  'order.confirming': 'Confirming…',
  'order.review': 'Write a review',
  'order.rating': 'Rating',
  'order.reviewText': 'Your review',
  'order.reviewPlaceholder': 'How was it?',
  'order.reviewSend': 'Post the review',
  'order.reviewSending': 'Posting…',
  'order.reviewed': 'Your review: {stars} “{content}”',
  'order.final': 'This order is finished.',
  'order.notFound': 'There is no order {id} among yours.',

  'timeline.empty': 'No step recorded yet.',
  'timeline.compensation': 'compensation: the payment was refunded',
  'timeline.payment': 'payment {status}',

  'status.PLACED': 'Ordered',
  'status.PAID': 'Paid',
  'status.PAYMENT_FAILED': 'Payment failed',
  'status.ACCEPTED': 'Accepted by the store',
  'status.REJECTED': 'Rejected by the store',
  'status.COOKING': 'Cooking',
  'status.COOKED': 'Cooked',
  'status.RIDER_ASSIGNED': 'Rider assigned',
  'status.PICKED_UP': 'Picked up',
  'status.DELIVERED': 'Delivered',
  'status.CANCELED': 'Canceled',
  'status.REQUESTED': 'New order',
  'status.OPEN': 'Open',
  'status.ASSIGNED': 'Assigned',
  'status.APPROVED': 'Approved',
  'status.FAILED': 'Failed',
  'status.SETTLED': 'Settled',
  'status.AWAITING_PAYMENT': 'Awaiting payment',

  'notifications.title': 'KakaoTalk messages',
  'notifications.hint': 'Each change of an order’s status sends you one KakaoTalk message.',
  'notifications.empty': 'No message yet.',
  'notifications.missing': 'KakaoTalk messages are not available on this platform yet (GET /notifications answered 404).',
  'notifications.state.PENDING': 'waiting to be sent',
  'notifications.state.SENT': 'sent',
  'notifications.state.RECORDED': 'recorded (no Kakao token configured)',
  'notifications.state.SENDING': 'sending',
  'notifications.state.UNCONFIRMED': 'maybe sent (sending was cut off; not sent again)',
  'notifications.attempts': '{n} attempt(s)',

  'owner.title': 'Incoming orders',
  'owner.active': 'To do',
  'owner.done': 'Done',
  'owner.empty': 'No order to handle. New paid orders appear here by themselves.',
  'owner.emptyDone': 'No finished order yet.',
  'owner.customer': 'Customer {id}',
  'owner.accept': 'Accept',
  'owner.reject': 'Reject',
  'owner.start': 'Start cooking',
  'owner.finish': 'Cooking done',
  'owner.reason': 'Reason for rejecting',
  'owner.reasonPlaceholder': 'e.g. 재료 소진',
  'owner.rejectConfirm': 'Reject the order',
  'owner.reasonGiven': 'Rejected: {reason}',

  'reviews.title': 'Reviews',
  'reviews.average': 'Average rating',
  'reviews.count': '{n} review(s)',
  'reviews.empty': 'No review yet.',

  'rider.title': 'Deliveries',
  'rider.position': 'Your position',
  'rider.noPosition': 'You have not reported a position yet: report one to see the deliveries near you.',
  'rider.radius': 'Radius',
  'rider.send': 'Report this position',
  'rider.sending': 'Reporting…',
  'rider.reported': 'Position reported: ({lat}, {lon}), radius {radius} km',
  'rider.mine': 'My deliveries',
  'rider.offers': 'Open deliveries near you',
  'rider.emptyMine': 'You hold no delivery.',
  'rider.emptyOffers': 'No open delivery within your radius. New ones appear here by themselves.',
  'rider.from': 'Pick up at',
  'rider.to': 'Deliver to',
  'rider.distance': 'From you to the customer',
  'rider.assign': 'Take this delivery',
  'rider.pick': 'Picked up',
  'rider.mapHint': 'Click the map to move.',

  'hood.title': 'Under the hood',
  'hood.intro':
    'Every step of an order is an event on the bus (NATS JetStream). Each service reacts to the events it cares about and publishes its own. The customer’s status view is built only from these events.',
  'hood.saga': 'The saga',
  'hood.event': 'Event',
  'hood.producer': 'Published by',
  'hood.reaction': 'Who reacts',
  'hood.stream': 'Live event stream',
  'hood.streamChecking': 'Checking GET /events/stream…',
  'hood.streamMissing':
    'There is no live event stream on this platform yet: GET /events/stream answered {status}. The steps below are read from each order’s status view instead (GET /orderStatuses/{id}).',
  'hood.streamOn': 'GET /events/stream is open: the events appear below as they arrive.',
  'hood.streamError': 'GET /events/stream could not be read: {detail}',
  'hood.orders': 'The saga of your orders',
  'hood.ordersOnlyCustomers': 'Order timelines are the customer’s view: log in as a customer to see the steps of your orders.',
  'hood.pick': 'Pick an order',
  'hood.steps': 'Saga steps of order {id}',
  'hood.compensations': 'Compensations: {n}',
  'hood.noCompensation': 'No compensation: every step went forward.',
  'hood.compensationWhy': 'The payment was refunded because the order was {status}.',
  'hood.by': 'by {service}',
  'hood.empty': 'No order yet.',

  // The live pages: how their data comes (src/live.ts, components/LiveNote.vue).
  'live.stream': 'live',
  'live.connecting': 'connecting…',
  'live.waiting': 'live · waiting for the first event…',
  'live.poll': 'refreshed every few seconds (the live stream could not be opened)',
  'hood.streamQuiet': 'Nothing has crossed the bus since this page opened: place an order and watch its events arrive here.',
  'hood.streamMine': 'As a customer you see the events of your own orders; an operator (admin) sees every event.',
}

type Key = keyof typeof en

const ko: Partial<Record<Key, string>> = {
  'app.title': '음식배달',
  'app.tagline': '주문, 조리, 배달 — 이벤트로 이어지는 하나의 사가',
  'lang.toggle': 'English',
  'lang.toggleTitle': '언어를 영어로 바꿉니다',
  'nav.stores': '가게',
  'nav.orders': '내 주문',
  'nav.notifications': '카카오톡',
  'nav.owner': '주문 접수',
  'nav.reviews': '리뷰',
  'nav.rider': '배달',
  'nav.hood': '내부 동작',
  'nav.logout': '로그아웃',
  'role.customer': '고객',
  'role.owner': '점주',
  'role.rider': '라이더',

  'login.title': '로그인',
  'login.demo': '데모 계정 (비밀번호 demo1234), 한 번에 로그인:',
  'login.username': '아이디',
  'login.password': '비밀번호',
  'login.submit': '로그인',
  'login.busy': '로그인 중…',
  'login.expired': '로그인이 만료되었습니다. 다시 로그인해 주세요.',
  'login.refused': '로그인하지 못했습니다.',
  'login.newAccount': '처음이신가요? 고객 계정 만들기',
  'login.haveAccount': '계정이 있어요: 로그인',
  'login.signup': '계정 만들기',
  'login.displayName': '표시 이름 (선택)',
  'login.signupHint': '아이디: a–z, 0–9, _ 로 3~32자, 비밀번호: 흔하지 않은 10자 이상.',
  'login.storeOf': '{id}번 가게',

  'common.loading': '불러오는 중…',
  'common.retry': '다시 시도',
  'common.refresh': '새로고침',
  'common.cancel': '취소',
  'common.close': '닫기',
  'common.order': '주문 {id}',
  'common.total': '합계',
  'common.items': '메뉴',
  'common.address': '주소',
  'common.live': '실시간',
  'common.updated': '{time} 갱신',
  'common.km': '{km} km',

  'error.title': '문제가 생겼습니다',
  'error.0': '게이트웨이에 연결할 수 없습니다.',
  'error.400': '요청이 올바르지 않습니다.',
  'error.401': '로그인되어 있지 않습니다 (또는 로그인이 만료되었습니다).',
  'error.403': '이 계정으로는 할 수 없는 작업입니다.',
  'error.404': '찾을 수 없습니다.',
  'error.409': '지금 상태에서는 할 수 없습니다.',
  'error.413': '요청이 너무 큽니다.',
  'error.429': '요청이 너무 많습니다. 잠시 후 다시 시도하세요.',
  'error.500': '서버 오류가 발생했습니다.',
  'error.502': '서비스에 연결할 수 없습니다.',
  'error.503': '서비스를 일시적으로 사용할 수 없습니다. 잠시 후 다시 시도하세요.',
  'error.504': '서비스가 제때 응답하지 않았습니다.',
  'error.other': '요청이 실패했습니다.',

  'location.title': '어디에 계신가요?',
  'location.hint': '장소를 고르거나, 지도를 누르거나, 좌표를 입력하세요.',
  'location.lat': '위도',
  'location.lon': '경도',
  'location.apply': '이 좌표 사용',
  'location.current': '내 위치: {name} ({lat}, {lon})',
  'location.custom': '선택한 지점',

  'stores.title': '내 주변 가게',
  'stores.empty': '아직 가게가 없습니다.',
  'stores.distance': '{km} km',
  'stores.rating': '★ {rating} ({count})',
  'stores.noRating': '아직 리뷰 없음',
  'stores.open': '메뉴 보기',

  'menu.title': '메뉴',
  'menu.add': '담기',
  'menu.empty': '이 가게에는 메뉴가 없습니다.',
  'menu.back': '← 가게 목록',

  'cart.title': '장바구니',
  'cart.empty': '장바구니가 비어 있습니다. 메뉴에서 담아 보세요.',
  'cart.replaced': '다른 가게의 메뉴가 담겨 있어서, 이 가게의 장바구니로 새로 시작했습니다.',
  'cart.remove': '빼기',
  'cart.more': '하나 더',
  'cart.less': '하나 덜',
  'cart.address': '배달 주소',
  'cart.addressPlaceholder': '예: 서울 강남구 테헤란로 152',
  'cart.deliverTo': '배달 위치 ({lat}, {lon})',
  'cart.order': '{total} 주문하고 결제하기',
  'cart.ordering': '주문하는 중…',
  'cart.otherStore': '{store} 장바구니',
  'cart.goToStore': '{store}(으)로 돌아가기',

  'orders.title': '내 주문',
  'orders.empty': '아직 주문이 없습니다. 가게를 골라 주문해 보세요.',
  'orders.open': '보기',

  'order.title': '주문 {id}',
  'order.store': '가게',
  'order.payment': '결제',
  'order.rider': '라이더',
  'order.timeline': '상태 타임라인',
  'order.viewPending': '주문 상태 뷰가 아직 이 주문을 반영하지 않았습니다 (이벤트가 오는 중)…',
  'order.cancel': '주문 취소',
  'order.canceling': '취소하는 중…',
  'order.cancelHint': '조리가 시작되기 전까지 취소할 수 있습니다.',
  'order.confirm': '잘 받았어요 (배달 완료)',
  'order.confirming': '확인하는 중…',
  'order.review': '리뷰 쓰기',
  'order.rating': '별점',
  'order.reviewText': '리뷰',
  'order.reviewPlaceholder': '맛은 어떠셨나요?',
  'order.reviewSend': '리뷰 남기기',
  'order.reviewSending': '남기는 중…',
  'order.reviewed': '내 리뷰: {stars} “{content}”',
  'order.final': '끝난 주문입니다.',
  'order.notFound': '내 주문 중에 {id}번 주문이 없습니다.',

  'timeline.empty': '아직 기록된 단계가 없습니다.',
  'timeline.compensation': '보상 트랜잭션: 결제가 환불되었습니다',
  'timeline.payment': '결제 {status}',

  'status.PLACED': '주문됨',
  'status.PAID': '결제됨',
  'status.PAYMENT_FAILED': '결제 실패',
  'status.ACCEPTED': '가게 접수',
  'status.REJECTED': '가게 거절',
  'status.COOKING': '조리 중',
  'status.COOKED': '조리 완료',
  'status.RIDER_ASSIGNED': '라이더 배정',
  'status.PICKED_UP': '픽업',
  'status.DELIVERED': '배달 완료',
  'status.CANCELED': '취소됨',
  'status.REQUESTED': '새 주문',
  'status.OPEN': '배정 대기',
  'status.ASSIGNED': '배정됨',
  'status.APPROVED': '승인',
  'status.FAILED': '실패',
  'status.SETTLED': '정산 완료',
  'status.AWAITING_PAYMENT': '결제 대기',

  'notifications.title': '카카오톡 알림',
  'notifications.hint': '주문 상태가 바뀔 때마다 카카오톡 메시지가 한 번 갑니다.',
  'notifications.empty': '아직 받은 메시지가 없습니다.',
  'notifications.missing': '이 플랫폼에는 아직 카카오톡 알림이 없습니다 (GET /notifications 가 404 로 응답).',
  'notifications.state.PENDING': '보내기 대기',
  'notifications.state.SENT': '보냄',
  'notifications.state.RECORDED': '기록만 됨 (카카오 토큰 없음)',
  'notifications.state.SENDING': '보내는 중',
  'notifications.state.UNCONFIRMED': '전송 여부 불확실 (전송 중 중단됨, 다시 보내지 않음)',
  'notifications.attempts': '{n}번 시도',

  'owner.title': '주문 접수',
  'owner.active': '처리할 주문',
  'owner.done': '끝난 주문',
  'owner.empty': '처리할 주문이 없습니다. 결제된 새 주문은 저절로 나타납니다.',
  'owner.emptyDone': '아직 끝난 주문이 없습니다.',
  'owner.customer': '고객 {id}',
  'owner.accept': '접수',
  'owner.reject': '거절',
  'owner.start': '조리 시작',
  'owner.finish': '조리 완료',
  'owner.reason': '거절 사유',
  'owner.reasonPlaceholder': '예: 재료 소진',
  'owner.rejectConfirm': '주문 거절하기',
  'owner.reasonGiven': '거절 사유: {reason}',

  'reviews.title': '리뷰',
  'reviews.average': '평균 별점',
  'reviews.count': '리뷰 {n}개',
  'reviews.empty': '아직 리뷰가 없습니다.',

  'rider.title': '배달',
  'rider.position': '내 위치',
  'rider.noPosition': '아직 위치를 보내지 않았습니다. 위치를 보내면 주변 배달이 보입니다.',
  'rider.radius': '반경',
  'rider.send': '이 위치 보내기',
  'rider.sending': '보내는 중…',
  'rider.reported': '보낸 위치: ({lat}, {lon}), 반경 {radius} km',
  'rider.mine': '내 배달',
  'rider.offers': '주변의 배달 요청',
  'rider.emptyMine': '맡은 배달이 없습니다.',
  'rider.emptyOffers': '반경 안에 배달 요청이 없습니다. 새 요청은 저절로 나타납니다.',
  'rider.from': '픽업',
  'rider.to': '배달지',
  'rider.distance': '나와 고객 사이',
  'rider.assign': '이 배달 맡기',
  'rider.pick': '픽업 완료',
  'rider.mapHint': '지도를 눌러 위치를 옮기세요.',

  'hood.title': '내부 동작',
  'hood.intro':
    '주문의 모든 단계는 버스(NATS JetStream) 위의 이벤트입니다. 각 서비스는 관심 있는 이벤트에 반응하고 자기 이벤트를 발행합니다. 고객의 주문 상태 뷰는 오직 이 이벤트들로 만들어집니다.',
  'hood.saga': '사가',
  'hood.event': '이벤트',
  'hood.producer': '발행',
  'hood.reaction': '반응하는 서비스',
  'hood.stream': '실시간 이벤트 스트림',
  'hood.streamChecking': 'GET /events/stream 확인 중…',
  'hood.streamMissing':
    '이 플랫폼에는 아직 실시간 이벤트 스트림이 없습니다: GET /events/stream 이 {status} 로 응답했습니다. 아래 단계는 대신 각 주문의 상태 뷰(GET /orderStatuses/{id})에서 읽은 것입니다.',
  'hood.streamOn': 'GET /events/stream 이 열려 있습니다. 이벤트가 도착하는 대로 아래에 나타납니다.',
  'hood.streamError': 'GET /events/stream 을 읽을 수 없습니다: {detail}',
  'hood.orders': '내 주문의 사가',
  'hood.ordersOnlyCustomers': '주문 타임라인은 고객의 뷰입니다. 고객으로 로그인하면 주문의 단계를 볼 수 있습니다.',
  'hood.pick': '주문 선택',
  'hood.steps': '주문 {id}의 사가 단계',
  'hood.compensations': '보상 트랜잭션: {n}개',
  'hood.noCompensation': '보상 없음: 모든 단계가 앞으로 진행되었습니다.',
  'hood.compensationWhy': '주문이 {status} 상태가 되어 결제가 환불되었습니다.',
  'hood.by': '{service} 서비스',
  'hood.empty': '아직 주문이 없습니다.',

  'live.stream': '실시간',
  'live.connecting': '연결 중…',
  'live.waiting': '실시간 · 첫 이벤트를 기다리는 중…',
  'live.poll': '몇 초마다 새로 고침 (실시간 스트림을 열 수 없음)',
  'hood.streamQuiet': '이 페이지를 연 뒤로 버스를 지난 이벤트가 없습니다. 주문을 하면 그 이벤트가 여기에 도착하는 것을 볼 수 있습니다.',
  'hood.streamMine': '고객은 자기 주문의 이벤트를 보고, 운영자(admin)는 모든 이벤트를 봅니다.',
}

export const dictionaries: Record<Locale, Partial<Record<Key, string>>> = { en, ko }
export type MessageKey = Key

const STORAGE_KEY = 'fd.locale'

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved === 'ko' || saved === 'en') return saved
  } catch {
    /* storage may be unavailable */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'ko'
  return nav.toLowerCase().startsWith('en') ? 'en' : 'ko'
}

export const locale = ref<Locale>(initialLocale())

watch(locale, (value) => {
  try {
    localStorage.setItem(STORAGE_KEY, value)
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = value
})

export function setLocale(value: Locale): void {
  locale.value = value
}

export function toggleLocale(): void {
  locale.value = locale.value === 'ko' ? 'en' : 'ko'
}

/** Translates a key (or a dynamic key such as `status.${s}`), filling {name} placeholders. */
export function t(key: Key | string, params: Record<string, string | number> = {}): string {
  const k = key as Key
  const text = dictionaries[locale.value][k] ?? en[k] ?? key
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}

/** A status word (PLACED, COOKING, ...) in the current language, or the word itself if unknown. */
export function statusLabel(status: string | null | undefined): string {
  if (!status) return ''
  const key = `status.${status}`
  const text = t(key)
  return text === key ? status : text
}

export function formatPrice(amount: number): string {
  return locale.value === 'ko' ? `${amount.toLocaleString('ko-KR')}원` : `₩${amount.toLocaleString('en-US')}`
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleTimeString(locale.value === 'ko' ? 'ko-KR' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}
