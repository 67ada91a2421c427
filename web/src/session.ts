// Who is logged in: the token from POST /auth/login and what it says (role, store).
// Kept in localStorage so a reload keeps the session; a 401 from the API ends it.
import { reactive, readonly } from 'vue'
import { api, configureClient } from './api/client'
import type { LoginAnswer } from './api/types'

export type Role = 'customer' | 'owner' | 'rider'

export interface Session {
  token: string
  refreshToken: string | null
  username: string
  role: Role
  storeId: number | null
  expiresAt: number // epoch ms
}

const STORAGE_KEY = 'fd.session'

const state = reactive<{ current: Session | null; expired: boolean }>({ current: load(), expired: false })

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const session = JSON.parse(raw) as Session
    if (!session.token) return null
    // An expired access token is still a session while a refresh token can renew it.
    if (session.expiresAt <= Date.now() && !session.refreshToken) return null
    return session
  } catch {
    return null
  }
}

function save(session: Session | null): void {
  try {
    if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session))
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    /* ignore */
  }
}

export const session = readonly(state)

export const DEMO_ACCOUNTS: { username: string; role: Role; note?: string }[] = [
  { username: 'customer1', role: 'customer' },
  { username: 'customer2', role: 'customer' },
  { username: 'owner1', role: 'owner', note: '교촌치킨 강남역점' },
  { username: 'owner2', role: 'owner', note: '신전떡볶이 홍대점' },
  { username: 'rider1', role: 'rider' },
  { username: 'rider2', role: 'rider' },
]
export const DEMO_PASSWORD = 'demo1234'

function sessionFrom(answer: LoginAnswer): Session {
  return {
    token: answer.accessToken,
    refreshToken: answer.refreshToken ?? null,
    username: answer.username,
    role: answer.role as Role,
    storeId: answer.storeId ?? null,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  }
}

function begin(answer: LoginAnswer): Session {
  const session = sessionFrom(answer)
  state.current = session
  state.expired = false
  save(session)
  return session
}

export async function login(username: string, password: string): Promise<Session> {
  return begin(await api.post<LoginAnswer>('/auth/login', { username, password }, { anonymous: true }))
}

/** A new customer account (POST /auth/signup), logged in at once. */
export async function signUp(username: string, password: string, displayName?: string): Promise<Session> {
  const body: Record<string, string> = { username, password }
  if (displayName) body.displayName = displayName
  return begin(await api.post<LoginAnswer>('/auth/signup', body, { anonymous: true }))
}

// One renewal at a time: the pages poll in parallel, and a refresh token works only once.
let renewing: Promise<boolean> | null = null

/** Trades the refresh token for new tokens (POST /auth/refresh); false when that is not possible. */
export function renew(): Promise<boolean> {
  if (renewing) return renewing
  const current = state.current
  if (!current?.refreshToken) return Promise.resolve(false)
  renewing = api
    .post<LoginAnswer>('/auth/refresh', { refreshToken: current.refreshToken }, { anonymous: true })
    .then((answer) => {
      if (state.current?.username !== current.username) return false // logged out meanwhile
      state.current = { ...sessionFrom(answer), storeId: answer.storeId ?? current.storeId }
      save(state.current)
      return true
    })
    .catch(() => false)
    .finally(() => {
      renewing = null
    })
  return renewing
}

/** Ends the session here, and on the platform: POST /auth/logout revokes the token everywhere. */
export function logout(expired = false): void {
  const current = state.current
  state.current = null
  state.expired = expired
  save(null)
  if (current && !expired) void api.post('/auth/logout', undefined, { token: current.token }).catch(() => {})
}

/** The page each role starts on. */
export function homeOf(role: Role | undefined): string {
  if (role === 'owner') return '/owner'
  if (role === 'rider') return '/rider'
  return '/stores'
}

const RENEW_BEFORE_MS = 60_000

configureClient({
  token: () => state.current?.token ?? null,
  prepare: async () => {
    const current = state.current
    if (current?.refreshToken && current.expiresAt - Date.now() < RENEW_BEFORE_MS) await renew()
  },
  refresh: renew,
  onUnauthorized: () => logout(true),
})
