// Mounts a component into happy-dom's document with plain Vue (no extra test library).
import { afterEach, beforeEach, vi } from 'vitest'
import { createApp, nextTick, type App, type Component } from 'vue'
import type { Router } from 'vue-router'

export function mount(component: Component, props: Record<string, unknown> = {}) {
  const el = document.createElement('div')
  document.body.appendChild(el)
  const app = createApp(component, props)
  app.mount(el)
  return {
    el,
    text: () => el.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    unmount() {
      app.unmount()
      el.remove()
    },
  }
}

export async function settle(): Promise<void> {
  await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
  await nextTick()
}

// The whole app on one page (its hash route), for one describe block: each test starts from no
// session, with `fetchMock` for the network; start() mounts it, in fresh modules (the session
// and the client are module state) and in `locale` when given, and it is unmounted after.
export function appOnPage(hash: string) {
  const fetchMock = vi.fn<(input: string, init?: RequestInit) => Promise<Response>>()
  let app: App | null = null
  let el: HTMLElement
  beforeEach(() => {
    fetchMock.mockReset()
    localStorage.clear()
    history.replaceState(null, '', '/#' + hash)
    el = document.createElement('div')
    document.body.appendChild(el)
  })
  afterEach(() => {
    app?.unmount()
    app = null
    el.remove()
  })
  async function start(locale?: 'ko' | 'en'): Promise<{ el: HTMLElement; router: Router }> {
    vi.resetModules()
    const { configureClient } = await import('../src/api/client')
    configureClient({ baseUrl: '', fetch: fetchMock })
    if (locale) (await import('../src/i18n')).setLocale(locale)
    const { default: Root } = await import('../src/App.vue')
    const { router } = await import('../src/router')
    app = createApp(Root).use(router)
    app.mount(el)
    await router.isReady()
    await settle()
    return { el, router }
  }
  return { fetchMock, start }
}
