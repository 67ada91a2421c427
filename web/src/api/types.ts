// The shapes the services answer (see services/*/app.cpp). HAL: items carry _links with
// the commands their state allows now; collections carry _embedded.<plural>.
import type { FeeBand, OpeningHours } from '../forms'

export interface Link {
  href: string
}
export type Links = Record<string, Link>

export interface Collection<K extends string, T> {
  _embedded?: Partial<Record<K, T[]>>
  _links?: Links
  page?: { size: number; totalElements: number; totalPages: number; number: number }
}

export interface LoginAnswer {
  accessToken: string
  tokenType: string
  expiresIn: number
  refreshToken?: string
  username: string
  role: string
  storeId?: number
}

export interface Store {
  storeId: number
  name: string
  category: string
  address: string
  lat: number
  lon: number
  rating: number | null
  reviewCount: number
  // the store's terms (README "Running a store")
  openNow: boolean
  opensAt: string | null
  open: boolean
  openingHours: OpeningHours[]
  minimumOrder: number
  deliveryFees: FeeBand[]
  _links: Links
}

export interface MenuItem {
  menuId: number
  name: string
  price: number
  description: string
  category: string
  soldOut: boolean
  _links?: Links // self (edit, remove) and soldOut
}

export interface StoreWithMenu extends Store {
  menu: MenuItem[]
}

export interface LineItem {
  menuId: number
  name: string
  price: number
  qty: number
}

export interface Order {
  orderId: number
  customerId: string
  storeId: number
  storeName: string
  items: LineItem[]
  totalPrice: number
  address: string
  lat: number
  lon: number
  status: string
  placedAt: string
  riderId?: string
  _links: Links
}

export interface TimelineStep {
  status: string
  eventType: string
  at: string
  paymentStatus?: string
}

export interface OrderStatus {
  orderId: number
  customerId: string
  storeId: number
  storeName: string | null
  status: string
  paymentStatus: string | null
  riderId: string | null
  totalPrice: number
  items: LineItem[]
  updatedAt: string
  timeline: TimelineStep[]
  // where the rider carrying it last reported, while RIDER_ASSIGNED or PICKED_UP; null otherwise
  riderPosition: ReportedPosition | null
  // when the order should arrive; null before the store accepts and once it has ended
  estimatedArrival: string | null
  _links: Links
}

export interface FoodCooking {
  orderId: number
  storeId: number
  customerId: string
  items: LineItem[]
  totalPrice: number
  address: string
  status: string
  requestedAt: string
  reason?: string
  _links: Links
}

export interface Review {
  reviewId: number
  orderId: number
  storeId: number
  customerId: string
  rating: number
  content: string
  createdAt: string
  _links: Links
}

export interface ReviewList extends Collection<'reviews', Review> {
  storeId: number
  reviewCount: number
  averageRating: number
}

export interface RiderPosition {
  riderId: string
  lat: number
  lon: number
  radiusKm: number
  updatedAt: string
  _links: Links
}

export interface Delivery {
  orderId: number
  status: string
  storeId: number
  storeName: string
  storeLat: number
  storeLon: number
  address: string
  lat: number
  lon: number
  distanceKm?: number
  riderId?: string
  openedAt: string
  riderPosition?: ReportedPosition // the holder's last PUT /deliveries/{orderId}/position
  _links: Links
}

export interface ReportedPosition {
  lat: number
  lon: number
  reportedAt: string
}

export interface Notification {
  notificationId: number
  orderId: number
  status: string
  text: string
  state: string
  attempts: number
  lastError: string | null
  createdAt: string
  sentAt: string | null
  _links: Links
}

export interface Account {
  username: string
  role: 'customer' | 'owner' | 'rider' | 'admin'
  displayName: string
  storeId?: number
  createdAt: string
  disabled: boolean
  disabledAt?: string
  _links: Links // disable while enabled, enable while disabled
}
