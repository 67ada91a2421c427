// Mounts a component into happy-dom's document with plain Vue (no extra test library).
import { vi } from 'vitest'
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

// The whole app, in `el`, on the page history's hash names, with `fetch` for the network and
// fresh modules (the session and the client are module state), in `locale` when given.
export async function startApp(
  el: HTMLElement,
  fetch: (input: string, init?: RequestInit) => Promise<Response>,
  locale?: 'ko' | 'en',
): Promise<{ app: App; router: Router }> {
  vi.resetModules()
  const { configureClient } = await import('../src/api/client')
  configureClient({ baseUrl: '', fetch })
  if (locale) (await import('../src/i18n')).setLocale(locale)
  const { default: Root } = await import('../src/App.vue')
  const { router } = await import('../src/router')
  const app = createApp(Root).use(router)
  app.mount(el)
  await router.isReady()
  await settle()
  return { app, router }
}
