// The cart: lines of one store's menu. Its total is what POST /orders will charge, since
// the order service prices from the same menu.
import { computed, reactive, watch } from 'vue'
import type { MenuItem } from './api/types'

export interface CartLine {
  menuId: number
  name: string
  price: number
  qty: number
}

export const MAX_QTY = 99

export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.price * line.qty, 0)
}

export function cartCount(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.qty, 0)
}

export interface CartState {
  storeId: number | null
  storeName: string
  lines: CartLine[]
}

/** A cart's logic on a plain state object, so that it can be tested alone. */
export function cartOps(state: CartState) {
  return {
    /** Adds one of the item; returns true when this replaced another store's cart. */
    add(store: { storeId: number; name: string }, item: Pick<MenuItem, 'menuId' | 'name' | 'price'>): boolean {
      let replaced = false
      if (state.storeId !== store.storeId) {
        replaced = state.lines.length > 0
        state.storeId = store.storeId
        state.storeName = store.name
        state.lines = []
      }
      const line = state.lines.find((l) => l.menuId === item.menuId)
      if (line) line.qty = Math.min(MAX_QTY, line.qty + 1)
      else state.lines.push({ menuId: item.menuId, name: item.name, price: item.price, qty: 1 })
      return replaced
    },
    setQty(menuId: number, qty: number): void {
      const index = state.lines.findIndex((l) => l.menuId === menuId)
      if (index < 0) return
      if (qty <= 0) state.lines.splice(index, 1)
      else state.lines[index].qty = Math.min(MAX_QTY, Math.floor(qty))
      if (state.lines.length === 0) state.storeId = null
    },
    clear(): void {
      state.storeId = null
      state.storeName = ''
      state.lines = []
    },
    /** The body's items of POST /orders. */
    orderItems(): { menuId: number; qty: number }[] {
      return state.lines.map((l) => ({ menuId: l.menuId, qty: l.qty }))
    },
  }
}

const STORAGE_KEY = 'fd.cart'

function loadCart(): CartState {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (raw) {
      const saved = JSON.parse(raw) as CartState
      if (Array.isArray(saved.lines)) return saved
    }
  } catch {
    /* ignore */
  }
  return { storeId: null, storeName: '', lines: [] }
}

export const cart = reactive<CartState>(loadCart())
export const cartActions = cartOps(cart)
export const total = computed(() => cartTotal(cart.lines))
export const count = computed(() => cartCount(cart.lines))

watch(
  cart,
  (value) => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(value))
    } catch {
      /* ignore */
    }
  },
  { deep: true },
)
