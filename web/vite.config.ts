/// <reference types="vitest/config" />
import { defineConfig, type ProxyOptions } from 'vite'
import vue from '@vitejs/plugin-vue'

// The API paths the gateway routes (gateway/routes.tsv), plus the ones the app only
// probes (/events, /health). The app itself uses hash routes (#/orders/1), so none of
// its pages ever collides with these paths, in development or behind the gateway.
export const API_PREFIXES = [
  'auth',
  'orders',
  'payments',
  'stores',
  'foodCookings',
  'orderStatuses',
  'reviews',
  'deliveries',
  'riders',
  'notifications',
  'events',
  'health',
]

// Where `vite` (dev) and `vite preview` send the API calls: the gateway.
const gateway = process.env.FD_GATEWAY_URL ?? 'http://127.0.0.1:8088'

const proxy: Record<string, ProxyOptions> = {
  [`^/(${API_PREFIXES.join('|')})(/|\\?|$)`]: { target: gateway, changeOrigin: false, ws: false },
}

export default defineConfig({
  // Relative asset URLs: dist/ works wherever it is served (/, /app/, a file server).
  base: './',
  plugins: [vue()],
  server: { host: '127.0.0.1', port: 5173, strictPort: false, proxy },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false, proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    // The gateway's Content-Security-Policy allows images only from the app's origin:
    // every asset is a file under assets/, never a data: URL.
    assetsInlineLimit: 0,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    restoreMocks: true,
  },
})
