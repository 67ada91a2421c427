// Where the API is. Empty (the default) means the same origin as the page: the gateway
// when it serves the app, or Vite's dev/preview server, which proxies the API paths to
// the gateway. Set VITE_API_BASE at build time (e.g. http://127.0.0.1:8088) to call a
// gateway on another origin; that origin must then be in the gateway's FD_CORS_ORIGINS.
export const API_BASE: string = String(import.meta.env.VITE_API_BASE ?? '').replace(/\/+$/, '')
