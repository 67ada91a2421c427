import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cart, cartActions, cartOps, cartTotal, type CartState } from '../src/cart'
import CartPanel from '../src/components/CartPanel.vue'
import { setLocale } from '../src/i18n'
import { mount, settle } from './mount'

const kyochon = { storeId: 1, name: '교촌치킨 강남역점' }
const sinjeon = { storeId: 2, name: '신전떡볶이 홍대점' }
const honeyCombo = { menuId: 101, name: '허니콤보', price: 23000 }
const cheeseBall = { menuId: 104, name: '치즈볼', price: 5000 }
const tteokbokki = { menuId: 201, name: '신전떡볶이', price: 3500 }

function emptyCart(): CartState {
  return { storeId: null, storeName: '', lines: [] }
}

describe('cart total', () => {
  it('is the sum of price × qty over the lines', () => {
    expect(cartTotal([])).toBe(0)
    expect(
      cartTotal([
        { menuId: 101, name: '허니콤보', price: 23000, qty: 2 },
        { menuId: 104, name: '치즈볼', price: 5000, qty: 1 },
      ]),
    ).toBe(51000)
  })

  it('counts a second add of the same item as qty 2, not a second line', () => {
    const state = emptyCart()
    const ops = cartOps(state)
    ops.add(kyochon, honeyCombo)
    ops.add(kyochon, honeyCombo)
    ops.add(kyochon, cheeseBall)
    expect(state.lines).toHaveLength(2)
    expect(cartTotal(state.lines)).toBe(51000)
    expect(ops.orderItems()).toEqual([
      { menuId: 101, qty: 2 },
      { menuId: 104, qty: 1 },
    ])
  })

  it('follows qty changes, drops a line at 0 and caps qty at 99 (the order service’s limit)', () => {
    const state = emptyCart()
    const ops = cartOps(state)
    ops.add(kyochon, honeyCombo)
    ops.add(kyochon, cheeseBall)
    ops.setQty(101, 3)
    expect(cartTotal(state.lines)).toBe(3 * 23000 + 5000)
    ops.setQty(104, 0)
    expect(state.lines.map((l) => l.menuId)).toEqual([101])
    ops.setQty(101, 500)
    expect(state.lines[0].qty).toBe(99)
    ops.setQty(101, 0)
    expect(state.lines).toEqual([])
    expect(state.storeId).toBeNull()
  })

  it('holds one store only: an item of another store starts a new cart and says so', () => {
    const state = emptyCart()
    const ops = cartOps(state)
    expect(ops.add(kyochon, honeyCombo)).toBe(false)
    expect(ops.add(sinjeon, tteokbokki)).toBe(true)
    expect(state.storeId).toBe(2)
    expect(state.lines.map((l) => l.name)).toEqual(['신전떡볶이'])
    expect(cartTotal(state.lines)).toBe(3500)
  })
})

describe('the cart panel', () => {
  beforeEach(() => {
    cartActions.clear()
    setLocale('ko')
  })
  afterEach(() => cartActions.clear())

  it('shows the lines and the total, and updates them when qty changes', async () => {
    cartActions.add(kyochon, honeyCombo)
    cartActions.add(kyochon, honeyCombo)
    cartActions.add(kyochon, cheeseBall)
    const view = mount(CartPanel, { canOrder: true })
    await settle()
    const total = () => view.el.querySelector('[data-testid="cart-total"]')?.textContent
    expect(total()).toBe('51,000원')
    expect(view.el.querySelector('[data-testid="place-order"]')?.textContent).toContain('51,000원')

    const more = view.el.querySelector<HTMLButtonElement>('[data-testid="cart-line-104"] button[aria-label="하나 더"]')!
    more.click()
    await settle()
    expect(total()).toBe('56,000원')
    expect(cart.lines.find((l) => l.menuId === 104)?.qty).toBe(2)

    setLocale('en')
    await settle()
    expect(total()).toBe('₩56,000')
    view.unmount()
  })

  it('shows the empty state and no order button when nothing is in it', async () => {
    const view = mount(CartPanel, { canOrder: true })
    await settle()
    expect(view.text()).toContain('장바구니가 비어 있습니다')
    expect(view.el.querySelector('[data-testid="place-order"]')).toBeNull()
    view.unmount()
  })
})
