// Mounts a component into happy-dom's document with plain Vue (no extra test library).
import { createApp, nextTick, type Component } from 'vue'

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
