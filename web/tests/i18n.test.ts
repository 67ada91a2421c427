import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import LanguageToggle from '../src/components/LanguageToggle.vue'
import { dictionaries, formatPrice, locale, setLocale, statusLabel, t } from '../src/i18n'
import { mount, settle } from './mount'

describe('i18n', () => {
  beforeEach(() => setLocale('ko'))

  it('translates with parameters in both languages', () => {
    expect(t('order.title', { id: 7 })).toBe('주문 7')
    setLocale('en')
    expect(t('order.title', { id: 7 })).toBe('Order 7')
  })

  it('falls back to English, then to the key itself, so nothing is blank', () => {
    expect(t('no.such.key')).toBe('no.such.key')
    expect(statusLabel('COOKING')).toBe('조리 중')
    expect(statusLabel('SOMETHING_NEW')).toBe('SOMETHING_NEW')
  })

  it('has a Korean word for every English key', () => {
    const missing = Object.keys(dictionaries.en).filter((key) => !(key in dictionaries.ko))
    expect(missing).toEqual([])
  })

  it('formats prices the way each language writes won', () => {
    expect(formatPrice(46000)).toBe('46,000원')
    setLocale('en')
    expect(formatPrice(46000)).toBe('₩46,000')
  })

  it('the toggle switches every translated text on the page and remembers the choice', async () => {
    const Page = defineComponent({
      setup: () => () => h('div', [h(LanguageToggle), h('h1', { id: 'title' }, t('nav.stores'))]),
    })
    const view = mount(Page)
    await settle()
    const title = () => view.el.querySelector('#title')?.textContent
    const toggle = view.el.querySelector<HTMLButtonElement>('[data-testid="lang-toggle"]')!
    expect(title()).toBe('가게')
    expect(toggle.textContent?.trim()).toBe('English')

    toggle.click()
    await settle()
    expect(locale.value).toBe('en')
    expect(title()).toBe('Stores')
    expect(toggle.textContent?.trim()).toBe('한국어')
    expect(localStorage.getItem('fd.locale')).toBe('en')
    expect(document.documentElement.lang).toBe('en')

    toggle.click()
    await settle()
    expect(title()).toBe('가게')
    expect(localStorage.getItem('fd.locale')).toBe('ko')
    view.unmount()
  })
})
