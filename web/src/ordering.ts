// Placing an order so that a customer who taps again never pays twice (the IETF draft "The
// Idempotency-Key HTTP Header Field"): each order gets its own key, and the same order is
// sent again with the same key while an answer leaves its fate unknown. The order service
// answers a repeated key with the first 201 and places nothing.
import { api, ApiError } from './api/client'
import type { Order } from './api/types'

export interface PlaceOrderBody {
  storeId: number | null
  items: { menuId: number; qty: number }[]
  address: string
  lat: number
  lon: number
}

/** A random UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * An answer that leaves the order's fate unknown: no answer, or the gateway's 502/503/504.
 * 409 too: the draft's answer while the first request with the key is still being
 * processed (the order service waits for it instead, but a retry is what the draft asks).
 */
export function isWorthRetrying(error: unknown): boolean {
  return error instanceof ApiError && [0, 409, 502, 503, 504].includes(error.status)
}

export const ORDER_ATTEMPTS = 3
export const FIRST_BACKOFF_MS = 500

/**
 * The customer's orders, one key each. The key of an order whose fate is unknown is kept:
 * tapping "order" again for the same cart sends it again; another cart is a new order.
 */
export function orderPlacer(newKey: () => string = newIdempotencyKey) {
  let unsettled: { body: string; key: string } | null = null

  return async function placeOrder(body: PlaceOrderBody): Promise<Order> {
    const text = JSON.stringify(body)
    if (unsettled?.body !== text) unsettled = { body: text, key: newKey() }
    const { key } = unsettled
    for (let attempt = 1; ; attempt++) {
      try {
        const placed = await api.post<Order>('/orders', body, { headers: { 'Idempotency-Key': key } })
        unsettled = null
        return placed
      } catch (error) {
        if (!isWorthRetrying(error)) unsettled = null
        if (!isWorthRetrying(error) || attempt >= ORDER_ATTEMPTS) throw error
        await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** (attempt - 1)))
      }
    }
  }
}

export const placeOrder = orderPlacer()
