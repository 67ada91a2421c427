// Who is logged in: the access token from POST /auth/login (or signup, or refresh) and
// what that answer says (username, role, store). The one place for the session.
//
// The access token lives only in this module's memory, never in localStorage or
// sessionStorage, where any script that ever ran on the page could take it. The refresh
// token lives only in the `fd_refresh` cookie the auth service sets (HttpOnly: no script
// reads it; Path=/auth: only the auth calls carry it; SameSite=Strict: no other site's
// page sends it). The app ignores the refreshToken of the answers' bodies, which is there
// for API clients. So a reload, which forgets the memory, begins with POST /auth/refresh:
// the cookie answers with a new session, or with 401 and the login page (resume).
import { reactive, readonly } from 'vue'
import { ApiError, api, configureClient, type RequestOptions } from './api/client'
import type { LoginAnswer } from './api/types'

export type Role = 'customer' | 'owner' | 'rider' | 'admin'

export interface Session {
  token: string
  username: string
  role: Role
  storeId: number | null
  expiresAt: number // epoch ms
}

const state = reactive<{ current: Session | null; expired: boolean }>({ current: null, expired: false })

export const session = readonly(state)

// Versions before the cookie kept both tokens here; a browser that ran one still has them.
try {
  localStorage.removeItem('fd.session')
} catch {
  /* no storage: nothing kept either */
}

export const DEMO_ACCOUNTS: { username: string; role: Role; note?: string }[] = [
  { username: 'customer1', role: 'customer' },
  { username: 'customer2', role: 'customer' },
  { username: 'owner1', role: 'owner', note: '교촌치킨 강남역점' },
  { username: 'owner2', role: 'owner', note: '신전떡볶이 홍대점' },
  { username: 'rider1', role: 'rider' },
  { username: 'rider2', role: 'rider' },
  { username: 'admin', role: 'admin' },
]
export const DEMO_PASSWORD = 'demo1234'

// The auth calls send and accept the cookie, also when the API is on another origin
// (VITE_API_BASE, allowed by the gateway's FD_CORS_ORIGINS with credentials).
const AUTH_CALL: RequestOptions = { anonymous: true, credentials: 'include' }

// Each login, renewal or logout starts a new generation: an answer that arrives after the
// session changed under it is dropped.
let generation = 0

function begin(answer: LoginAnswer): Session {
  const session: Session = {
    token: answer.accessToken,
    username: answer.username,
    role: answer.role as Role,
    storeId: answer.storeId ?? null,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  }
  generation++
  state.current = session
  state.expired = false
  return session
}

export async function login(username: string, password: string): Promise<Session> {
  await ending
  return begin(await api.post<LoginAnswer>('/auth/login', { username, password }, AUTH_CALL))
}

/** A new customer account (POST /auth/signup), logged in at once. */
export async function signUp(username: string, password: string, displayName?: string): Promise<Session> {
  const body: Record<string, string> = { username, password }
  if (displayName) body.displayName = displayName
  await ending
  return begin(await api.post<LoginAnswer>('/auth/signup', body, AUTH_CALL))
}

// A refresh token works once: the tabs of this browser share the cookie, so they renew
// one after another (the Web Locks API; a tab of a browser without it renews alone), each
// sending the cookie the one before it received. Two at once would present the same token
// twice, which the auth service takes for a stolen token and ends the whole login.
async function refreshed(): Promise<LoginAnswer> {
  const call = () => api.post<LoginAnswer>('/auth/refresh', undefined, AUTH_CALL)
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  return locks ? await locks.request('fd.refresh', call) : call()
}

// One renewal at a time within the page: the pages poll in parallel.
let renewing: Promise<boolean> | null = null
// The generation whose renewal the platform refused: it is not asked again before expiry.
let refusedIn = -1

/** Trades the refresh cookie for a new session (POST /auth/refresh); false when that is not possible. */
export function renew(): Promise<boolean> {
  if (renewing) return renewing
  const started = generation
  renewing = refreshed()
    .then((answer) => {
      if (generation !== started) return false // logged in or out meanwhile
      begin(answer)
      return true
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) refusedIn = started
      return false
    })
    .finally(() => {
      renewing = null
    })
  return renewing
}

let resumed: Promise<void> | null = null

/** The session a reload forgot, from the cookie: asked once, when the app starts (the router waits for it). */
export function resume(): Promise<void> {
  resumed ??= renew().then(() => undefined)
  return resumed
}

let ending: Promise<void> = Promise.resolve()

/** Ends the session here, and on the platform: POST /auth/logout revokes the login and clears the cookie. */
export function logout(expired = false): void {
  const current = state.current
  generation++
  state.current = null
  state.expired = expired
  if (current && !expired) ending = endOnPlatform(current.token)
}

// An access token past its time (a laptop woken from sleep) is refused by logout; the
// cookie then buys a fresh one to log out with, since a login left alive on the platform
// would come back with the next reload.
async function endOnPlatform(token: string): Promise<void> {
  const end = (accessToken: string) =>
    api.post('/auth/logout', undefined, { token: accessToken, credentials: 'include' })
  try {
    await end(token)
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) return
    try {
      await end((await refreshed()).accessToken)
    } catch {
      /* the cookie is refused too: no login is left to end */
    }
  }
}

/** The page each role starts on. */
export function homeOf(role: Role | undefined): string {
  if (role === 'owner') return '/owner'
  if (role === 'rider') return '/rider'
  if (role === 'admin') return '/admin'
  return '/stores'
}

const RENEW_BEFORE_MS = 60_000

configureClient({
  token: () => state.current?.token ?? null,
  prepare: async () => {
    const current = state.current
    if (current && refusedIn !== generation && current.expiresAt - Date.now() < RENEW_BEFORE_MS) await renew()
  },
  refresh: renew,
  onUnauthorized: () => logout(true),
})
